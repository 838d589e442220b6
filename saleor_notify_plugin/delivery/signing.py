"""Standard Webhooks signing (https://www.standardwebhooks.com): HMAC-SHA256, base64."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # 256-bit keys: the spec accepts 24 to 64 bytes


def generate_secret() -> str:
    """A new signing secret in the ``whsec_<base64>`` form every Standard Webhooks library reads."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _key(secret: str) -> bytes:
    raw = secret.removeprefix(SECRET_PREFIX)
    return base64.b64decode(raw + "=" * (-len(raw) % 4))


def sign(secret: str, msg_id: str, timestamp_s: int, body: bytes) -> str:
    """The ``v1,<signature>`` value for one message; body is the exact bytes sent."""
    to_sign = b"%s.%d.%s" % (msg_id.encode(), timestamp_s, body)
    digest = hmac.new(_key(secret), to_sign, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_header(secrets_: list[str], msg_id: str, timestamp_s: int, body: bytes) -> str:
    """Space-separated signatures, one per active secret (several while a secret is rotated)."""
    return " ".join(sign(s, msg_id, timestamp_s, body) for s in secrets_)


def webhook_headers(secrets_: list[str], msg_id: str, timestamp_s: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp_s),
        "webhook-signature": signature_header(secrets_, msg_id, timestamp_s, body),
    }


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """True when one of the ``webhook-signature`` values matches (for Python receivers)."""
    lower = {k.lower(): v for k, v in headers.items()}
    try:
        expected = sign(secret, lower["webhook-id"], int(lower["webhook-timestamp"]), body)
    except (KeyError, ValueError):
        return False
    return any(hmac.compare_digest(expected, candidate) for candidate in lower.get("webhook-signature", "").split())
