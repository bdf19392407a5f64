"""Standard Webhooks signatures (https://www.standardwebhooks.com): what receivers verify
with the ``standardwebhooks`` library in any language.

``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``; several
signatures are separated by spaces (during a secret rotation, one per secret).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: ``whsec_`` + base64 of 32 bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_bytes(secret: str) -> bytes:
    """The key bytes of a ``whsec_`` secret."""
    text = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
    return base64.b64decode(text + "==")


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """One ``v1,<signature>`` entry."""
    mac = hmac.new(
        secret_bytes(secret), f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256
    ).digest()
    return "v1," + base64.b64encode(mac).decode()


def signature_header(secrets_in_use: list[str], msg_id: str, timestamp: int, body: str) -> str:
    """The ``webhook-signature`` value: one signature per secret, space-separated."""
    return " ".join(sign(s, msg_id, timestamp, body) for s in secrets_in_use)
