"""Our Standard Webhooks signatures, held to the official `standardwebhooks` library and to the
published test vector, so receivers using any Standard Webhooks library can verify us."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.matching.domain.webhooks import signing

# The example vector published with Standard Webhooks (and Svix): not computed by us.
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TS = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

BODY = (
    '{"type":"match.found","timestamp":"2026-03-01T08:00:00.000000Z","data":{"listing_id":"L1","名称":"废矿物油"}}'
).encode()
MSG_ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"


def now_ts() -> int:
    return int(time.time())  # the library refuses timestamps more than 5 minutes from its clock


def test_known_vector():
    assert signing.sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TS, VECTOR_BODY) == VECTOR_SIGNATURE


def test_new_secret_has_prefix_and_decodes_to_random_key_of_requested_size():
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret[len("whsec_") :])) == 32
    assert len(signing.secret_key(signing.new_secret(64))) == 64
    assert len({signing.new_secret() for _ in range(50)}) == 50


@pytest.mark.parametrize("n_bytes", [0, 16, 23, 65])
def test_new_secret_refuses_sizes_outside_the_standard(n_bytes):
    with pytest.raises(ValueError, match="24..64"):
        signing.new_secret(n_bytes)


def test_official_library_verifies_our_headers():
    secret, ts = signing.new_secret(), now_ts()
    headers = signing.headers(secret, MSG_ID, ts, BODY)
    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert headers["webhook-id"] == MSG_ID and headers["webhook-timestamp"] == str(ts)
    assert Webhook(secret).verify(BODY, headers)["data"]["名称"] == "废矿物油"


def test_our_signature_equals_the_official_librarys_own():
    secret = signing.new_secret(24)
    official = Webhook(secret).sign(MSG_ID, datetime.fromtimestamp(VECTOR_TS, tz=UTC), BODY.decode())
    assert signing.sign(secret, MSG_ID, VECTOR_TS, BODY) == official


def test_rotation_sends_one_signature_per_secret_and_either_secret_verifies():
    new, old, stranger = signing.new_secret(), signing.new_secret(), signing.new_secret()
    ts = now_ts()
    headers = signing.headers([new, old], MSG_ID, ts, BODY)
    parts = headers["webhook-signature"].split(" ")
    assert parts == [signing.sign(new, MSG_ID, ts, BODY), signing.sign(old, MSG_ID, ts, BODY)]
    assert signing.sign_all([new, old], MSG_ID, ts, BODY) == headers["webhook-signature"]
    Webhook(new).verify(BODY, headers)
    Webhook(old).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(stranger).verify(BODY, headers)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda body, h: (body.replace(b"L1", b"L2"), h),
        lambda body, h: (body + b" ", h),
        lambda body, h: (body, {**h, "webhook-id": "msg_other"}),
        lambda body, h: (body, {**h, "webhook-timestamp": str(int(h["webhook-timestamp"]) + 1)}),
        lambda body, h: (body, {**h, "webhook-signature": h["webhook-signature"][:-6] + "AAAAA="}),
    ],
    ids=["body", "trailing-space", "id", "timestamp", "signature"],
)
def test_tampering_fails_verification(tamper):
    secret = signing.new_secret()
    body, headers = tamper(BODY, signing.headers(secret, MSG_ID, now_ts(), BODY))
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, headers)


def test_a_replayed_old_attempt_is_refused_by_the_receiver():
    secret = signing.new_secret()
    headers = signing.headers(secret, MSG_ID, now_ts() - 3600, BODY)
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(BODY, headers)


def test_unpadded_secret_is_the_same_key():
    secret = signing.new_secret(32)  # 44 base64 characters ending in "="
    assert signing.secret_key(secret.rstrip("=")) == signing.secret_key(secret)


@pytest.mark.parametrize(
    "secret, message",
    [
        ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "starts with 'whsec_'"),
        ("whsec_not*base64!", "base64"),
        ("whsec_" + base64.b64encode(b"k" * 16).decode(), "24..64 bytes"),
        ("whsec_" + base64.b64encode(b"k" * 65).decode(), "24..64 bytes"),
        ("whsec_", "24..64 bytes"),
    ],
)
def test_malformed_secrets_are_refused(secret, message):
    with pytest.raises(ValueError, match=message):
        signing.sign(secret, MSG_ID, VECTOR_TS, BODY)


@pytest.mark.parametrize("msg_id", ["", "msg.1", "msg 1", "msg\n1", "x" * 257, "消息"])
def test_ids_that_could_confuse_the_signed_content_or_headers_are_refused(msg_id):
    with pytest.raises(ValueError, match="webhook id"):
        signing.sign(VECTOR_SECRET, msg_id, VECTOR_TS, BODY)


@pytest.mark.parametrize("timestamp", [-1, 1.5, "1614265330", True])
def test_timestamps_are_whole_unix_seconds(timestamp):
    with pytest.raises(ValueError, match="timestamp"):
        signing.sign(VECTOR_SECRET, MSG_ID, timestamp, BODY)


def test_body_must_be_the_bytes_sent():
    with pytest.raises(TypeError):
        signing.sign(VECTOR_SECRET, MSG_ID, VECTOR_TS, {"test": 1})


def test_signing_needs_a_secret():
    with pytest.raises(ValueError, match="at least one secret"):
        signing.headers([], MSG_ID, VECTOR_TS, BODY)
