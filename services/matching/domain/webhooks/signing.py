"""Standard Webhooks symmetric signatures (spec/standard-webhooks.md, "Signature scheme").

We follow the standard rather than invent a scheme so that receivers can verify us with an
off-the-shelf library (`standardwebhooks`, Svix, ...) instead of hand-written HMAC code, which
is where webhook security usually goes wrong.

- A secret is `whsec_` + base64 of 24..64 random bytes; the bytes, not the text, are the key.
- The signed content is `{msg_id}.{timestamp}.{body}`: the id and the attempt's timestamp are
  covered so a receiver can de-duplicate on the id and refuse replays by the timestamp.
- `webhook-signature` is a space-separated list of `v1,<base64 HMAC-SHA256>`, one per secret,
  so a secret can be rotated without downtime: during rotation we sign with old and new.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets as _random
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"
MIN_SECRET_BYTES = 24  # 192 bits, the standard's minimum
MAX_SECRET_BYTES = 64  # 512 bits, the standard's maximum
DEFAULT_SECRET_BYTES = 32
SIGNATURE_VERSION = "v1"  # HMAC-SHA256; "v1a" would be ed25519, which we do not issue

# The standard forbids "." in the id (it delimits the signed content); we also keep it to
# characters that are safe in an HTTP header and in logs.
_MSG_ID = re.compile(r"[A-Za-z0-9_\-]{1,256}")


def new_secret(n_bytes: int = DEFAULT_SECRET_BYTES) -> str:
    """A fresh signing secret, one per subscription (the standard: never reuse across endpoints)."""
    if not MIN_SECRET_BYTES <= n_bytes <= MAX_SECRET_BYTES:
        raise ValueError(f"a secret has {MIN_SECRET_BYTES}..{MAX_SECRET_BYTES} bytes, not {n_bytes}")
    return SECRET_PREFIX + base64.b64encode(_random.token_bytes(n_bytes)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key inside a `whsec_` secret, refusing anything that is not a well-formed secret.

    Missing base64 padding is tolerated (some providers print secrets unpadded); anything else
    that is off, including a short key, is a ValueError rather than a silently weak signature.
    """
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"a webhook secret starts with {SECRET_PREFIX!r}")
    encoded = secret[len(SECRET_PREFIX) :]
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("a webhook secret is base64 after 'whsec_'") from error
    if not MIN_SECRET_BYTES <= len(key) <= MAX_SECRET_BYTES:
        raise ValueError(f"a webhook secret holds {MIN_SECRET_BYTES}..{MAX_SECRET_BYTES} bytes, not {len(key)}")
    return key


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256(key, "{msg_id}.{timestamp}.{body}")>` for exactly these body bytes."""
    content = _signed_content(msg_id, timestamp, body)
    digest = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def sign_all(secrets: Iterable[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value: one signature per secret, space-separated, order kept.

    Pass the current secret first and, during a rotation, the previous one after it; the
    receiver accepts the message when any one of them verifies.
    """
    secrets = list(secrets)
    if not secrets:
        raise ValueError("at least one secret is needed to sign a webhook")
    return " ".join(sign(secret, msg_id, timestamp, body) for secret in secrets)


def headers(secret: str | Iterable[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt; `secret` may be one or several."""
    secrets = [secret] if isinstance(secret, str) else list(secret)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign_all(secrets, msg_id, timestamp, body),
    }


def _signed_content(msg_id: str, timestamp: int, body: bytes) -> bytes:
    if not isinstance(msg_id, str) or not _MSG_ID.fullmatch(msg_id):
        raise ValueError("a webhook id is 1..256 of A-Z a-z 0-9 _ - (no '.', which delimits the signed content)")
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp < 0:
        raise ValueError("a webhook timestamp is whole seconds since the Unix epoch")
    if not isinstance(body, (bytes, bytearray)):
        raise TypeError("sign the body bytes that are sent, not an object that would be re-serialised")
    return f"{msg_id}.{timestamp}.".encode("ascii") + bytes(body)
