"""The webhook dispatcher blocks while there is nothing to send, yet sends an alert as soon as
another process queues it, and sends a failed delivery again when its retry falls due, with
nothing to wake it but the retry's own time."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet

from services.common.db import create_engine
from services.common.doorbell import interrupt_waits
from services.matching import worker
from services.matching.adapters.secret_box import SecretBox
from services.matching.adapters.webhook_store import WebhookStore
from services.matching.domain.webhooks.retry import RetryPolicy
from services.matching.domain.webhooks.subscriptions import SigningSecret, Subscription, new_secret

KEY = Fernet.generate_key().decode()


class Receiver:
    """Answers 500 to the first `failures` attempts, then 204; remembers each attempt's message id."""

    def __init__(self, failures: int):
        self.attempts: list[str] = []
        self.arrived = threading.Semaphore(0)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.attempts.append(self.headers["webhook-id"])
                self.send_response(500 if len(receiver.attempts) <= failures else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()
                receiver.arrived.release()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


QUEUE_ALERT = """
import sys
from datetime import UTC, datetime
from services.common.db import create_engine
from services.matching.adapters.secret_box import SecretBox
from services.matching.adapters.webhook_store import WebhookStore
path, key, subscription_id = sys.argv[1:]
store = WebhookStore(create_engine(f"sqlite:///{path}"), SecretBox(key))
store.alert_once(subscription_id, "want-1", "offer-9", {"score": 0.9}, datetime.now(UTC))
"""


@pytest.fixture
def dispatching(matching_template, tmp_path, monkeypatch):
    """A dispatcher running in a thread on its own database; waits without a ring would last 10 min."""
    monkeypatch.setattr(worker, "SAFETY_WAIT_S", 600.0)
    path = tmp_path / "matching.db"
    shutil.copy(matching_template, path)
    engine = create_engine(f"sqlite:///{path}")
    store = WebhookStore(engine, SecretBox(KEY))
    matching = SimpleNamespace(
        webhooks=SimpleNamespace(store=store, allow_private_targets=True),
        retry_policy=RetryPolicy((0.5,), jitter=0),
    )
    stopping = threading.Event()
    thread = threading.Thread(target=worker.dispatch_webhooks, args=(matching, stopping.is_set), daemon=True)
    thread.start()
    yield store, path
    stopping.set()
    interrupt_waits()
    thread.join(timeout=30)
    assert not thread.is_alive()  # the stop ended its wait
    engine.dispose()


def test_an_alert_queued_by_another_process_is_sent_and_a_failed_one_again_when_its_retry_is_due(dispatching):
    store, path = dispatching
    receiver = Receiver(failures=1)
    subscription = Subscription(
        id="sub-1",
        enterprise_id="ent-dye",
        park_id="park-haibin",
        url=receiver.url,
        secrets=[SigningSecret(new_secret())],
        min_score=0.3,
        listing_ids=None,
        created_at=datetime.now(UTC),
    )
    store.add(subscription)

    # In another process, as the matching worker queues an alert (a fresh interpreter, not a fork of
    # this one, whose dispatcher thread may hold a lock at that moment).
    subprocess.run([sys.executable, "-c", QUEUE_ALERT, str(path), KEY, subscription.id], check=True, timeout=60)

    assert receiver.arrived.acquire(timeout=60)  # the queued alert, at once: its commit rang
    assert receiver.arrived.acquire(timeout=60)  # its retry, 0.5 s later: no ring, its due time
    deadline = time.monotonic() + 30  # the dispatcher records the answer just after it arrived
    while (delivery := store.deliveries(subscription.id, 0, 10)[0][0])["status"] == "pending":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert delivery["status"] == "delivered" and delivery["attempts"] == 2
    assert len(set(receiver.attempts)) == 1  # the same message, sent twice
    receiver.server.shutdown()


def test_an_idle_dispatcher_waits_instead_of_waking_itself(dispatching):
    # Its own look for due deliveries must not ring the doorbell it waits at: it then woke itself at once,
    # for ever, and the idle embedded default spent a tenth of a core in the dispatcher.
    store, _ = dispatching
    looks = []
    real_next_due = store.next_due
    store.next_due = lambda: looks.append(1) or real_next_due()
    time.sleep(1.0)
    assert len(looks) <= 1
