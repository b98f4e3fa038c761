"""The embedded event bus: a durable SQLite log with per-topic order, consumer groups that
resume from committed offsets (at-least-once), replay, and one copy per event id."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
import threading

from services.common.bus import connect_bus
from services.common.bus.sqlite_log import SqliteEventLog
from services.common.events import Event

TOPIC, OTHER = "listings.v1", "exchanges.v1"


def event(n: int, key: str = "k") -> Event:
    return Event("OfferPublished", key, {"n": n})


def numbers(deliveries) -> list[int]:
    return [d.event.payload["n"] for d in deliveries]


def drain(consumer, max_records: int = 1000) -> list:
    got = []
    while batch := consumer.poll(max_records=max_records, timeout_s=0):
        got.extend(batch)
    return got


def test_events_are_delivered_in_publish_order_with_dense_offsets(event_log):
    for n in range(5):
        event_log.publish(TOPIC, event(n, key=f"offer-{n % 2}"))

    with event_log.consumer("matching", [TOPIC]) as consumer:
        deliveries = drain(consumer)

    assert numbers(deliveries) == [0, 1, 2, 3, 4]
    assert [d.offset for d in deliveries] == [0, 1, 2, 3, 4]
    assert {d.topic for d in deliveries} == {TOPIC}


def test_a_delivery_carries_the_whole_envelope(event_log):
    sent = Event("WantPaused", "want-1", {"id": "want-1", "status": "paused"})
    event_log.publish(TOPIC, sent)

    with event_log.consumer("g", [TOPIC]) as consumer:
        (delivery,) = consumer.poll(timeout_s=0)

    assert delivery.event == sent


def test_topics_keep_their_own_order_and_offsets(event_log):
    event_log.publish(TOPIC, event(1))
    event_log.publish(OTHER, event(100))
    event_log.publish(TOPIC, event(2))

    with event_log.consumer("g", [TOPIC, OTHER]) as consumer:
        deliveries = drain(consumer)

    by_topic = {t: [(d.offset, d.event.payload["n"]) for d in deliveries if d.topic == t] for t in (TOPIC, OTHER)}
    assert by_topic == {TOPIC: [(0, 1), (1, 2)], OTHER: [(0, 100)]}


def test_poll_returns_at_most_max_records_and_continues_where_it_stopped(event_log):
    for n in range(7):
        event_log.publish(TOPIC, event(n))

    with event_log.consumer("g", [TOPIC]) as consumer:
        batches = [numbers(consumer.poll(max_records=3, timeout_s=0)) for _ in range(4)]

    assert batches == [[0, 1, 2], [3, 4, 5], [6], []]


def test_an_empty_topic_polls_empty(event_log):
    with event_log.consumer("g", [TOPIC]) as consumer:
        assert consumer.poll(timeout_s=0) == []


def test_a_group_resumes_after_its_committed_offset_and_redelivers_the_rest(event_log):
    for n in range(5):
        event_log.publish(TOPIC, event(n))

    consumer = event_log.consumer("ledger", [TOPIC])
    deliveries = consumer.poll(timeout_s=0)
    consumer.commit(deliveries[1])  # 0 and 1 are done; 2, 3, 4 were seen but not committed
    consumer.close()

    with event_log.consumer("ledger", [TOPIC]) as again:
        assert numbers(drain(again)) == [2, 3, 4]


def test_committed_offsets_survive_reopening_the_log_file(tmp_path):
    path = tmp_path / "events.db"
    log = SqliteEventLog(path)
    for n in range(3):
        log.publish(TOPIC, event(n))
    with log.consumer("ledger", [TOPIC]) as consumer:
        consumer.commit(consumer.poll(timeout_s=0)[0])
    log.close()

    reopened = connect_bus(f"sqlite:///{path}")
    reopened.publish(TOPIC, event(3))
    with reopened.consumer("ledger", [TOPIC]) as consumer:
        deliveries = drain(consumer)
    reopened.close()

    assert numbers(deliveries) == [1, 2, 3]
    assert [d.offset for d in deliveries] == [1, 2, 3]


def test_a_consumer_that_never_commits_sees_everything_again(event_log):
    for n in range(3):
        event_log.publish(TOPIC, event(n))
    with event_log.consumer("g", [TOPIC]) as first:
        assert numbers(drain(first)) == [0, 1, 2]

    with event_log.consumer("g", [TOPIC]) as second:
        assert numbers(drain(second)) == [0, 1, 2]


def test_two_groups_consume_independently(event_log):
    for n in range(4):
        event_log.publish(TOPIC, event(n))

    with event_log.consumer("matching", [TOPIC]) as matching:
        matching.commit(drain(matching)[-1])
    with event_log.consumer("ledger", [TOPIC]) as ledger:
        ledger.commit(ledger.poll(max_records=1, timeout_s=0)[0])

    with event_log.consumer("matching", [TOPIC]) as matching, event_log.consumer("ledger", [TOPIC]) as ledger:
        assert numbers(drain(matching)) == []
        assert numbers(drain(ledger)) == [1, 2, 3]


def test_seek_replays_from_an_earlier_offset(event_log):
    for n in range(5):
        event_log.publish(TOPIC, event(n))

    with event_log.consumer("g", [TOPIC]) as consumer:
        consumer.commit(drain(consumer)[-1])
        consumer.seek(TOPIC, 0, 2)
        assert numbers(drain(consumer)) == [2, 3, 4]
        consumer.seek(TOPIC, 0, 0)
        assert numbers(consumer.poll(max_records=2, timeout_s=0)) == [0, 1]


def test_publishing_the_same_event_id_twice_stores_it_once(event_log):
    first = event(1)
    event_log.publish(TOPIC, first)
    event_log.publish(TOPIC, first)
    event_log.publish(TOPIC, event(2))

    with event_log.consumer("g", [TOPIC]) as consumer:
        deliveries = drain(consumer)

    assert numbers(deliveries) == [1, 2]
    assert [d.offset for d in deliveries] == [0, 1]


def test_the_same_event_id_may_appear_once_in_each_topic(event_log):
    shared = event(1)
    event_log.publish(TOPIC, shared)
    event_log.publish(OTHER, shared)

    with event_log.consumer("g", [TOPIC, OTHER]) as consumer:
        assert sorted(d.topic for d in drain(consumer)) == sorted([TOPIC, OTHER])


def _publish_many(path: str, writer: int, count: int) -> None:
    log = SqliteEventLog(path)
    for n in range(count):
        log.publish(TOPIC, Event("OfferPublished", f"w{writer}", {"n": writer * 1000 + n}))
    log.close()


def _offsets_and_values(path) -> list[tuple[int, int]]:
    with SqliteEventLog(path).consumer("check", [TOPIC]) as consumer:
        return [(d.offset, d.event.payload["n"]) for d in drain(consumer)]


def test_threads_publishing_at_once_lose_nothing_and_offsets_stay_dense(tmp_path):
    path = tmp_path / "events.db"
    shared = SqliteEventLog(path)  # one instance shared by two threads, two more with their own
    threads = [
        threading.Thread(
            target=lambda w=w: [shared.publish(TOPIC, Event("X", f"w{w}", {"n": w * 1000 + n})) for n in range(30)]
        )
        for w in (0, 1)
    ]
    threads += [threading.Thread(target=_publish_many, args=(str(path), w, 30)) for w in (2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    shared.close()

    found = _offsets_and_values(path)
    assert [offset for offset, _ in found] == list(range(120))
    assert sorted(n for _, n in found) == sorted(w * 1000 + n for w in range(4) for n in range(30))
    for w in range(4):  # each writer's events keep their order
        mine = [n for _, n in found if n // 1000 == w]
        assert mine == sorted(mine)


def test_processes_publishing_at_once_lose_nothing_and_offsets_stay_dense(tmp_path):
    path = str(tmp_path / "events.db")
    SqliteEventLog(path).close()  # create the schema before the writers race
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_publish_many, args=(path, w, 40)) for w in range(3)]
    for p in writers:
        p.start()
    for p in writers:
        p.join(timeout=60)
    assert [p.exitcode for p in writers] == [0, 0, 0]

    found = _offsets_and_values(path)
    assert [offset for offset, _ in found] == list(range(120))
    assert len({n for _, n in found}) == 120


def test_a_consumer_blocked_on_an_idle_log_wakes_for_a_publish_from_another_process(tmp_path):
    path = str(tmp_path / "events.db")
    SqliteEventLog(path).close()
    polled: list = []
    with SqliteEventLog(path).consumer("ledger", [TOPIC]) as consumer:
        waiting = threading.Thread(target=lambda: polled.extend(consumer.poll(timeout_s=600)), daemon=True)
        waiting.start()
        # A fresh interpreter, not a fork: forking while the consumer's thread is inside SQLite can
        # copy a lock that thread holds into the child, which then never gets it.
        publish = (
            "import sys; from services.common.bus.sqlite_log import SqliteEventLog; "
            "from services.common.events import Event; "
            f"SqliteEventLog(sys.argv[1]).publish({TOPIC!r}, Event('OfferPublished', 'w7', {{'n': 7000}}))"
        )
        subprocess.run([sys.executable, "-c", publish, path], check=True, timeout=60)
        waiting.join(timeout=60)  # far sooner than its 600 s timeout: the publish woke it
        assert not waiting.is_alive()
    assert numbers(polled) == [7000]


def test_the_log_file_survives_as_plain_sqlite_with_one_row_per_event(event_log, tmp_path):
    event_log.publish(TOPIC, event(1))
    event_log.publish(TOPIC, event(2))

    conn = sqlite3.connect(tmp_path / "events.db")
    try:
        assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events").fetchone() == (2, 2)
    finally:
        conn.close()
