"""Encrypting shop credentials at rest with a key derived from the service secret."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretBoxError(ValueError):
    """A stored secret cannot be decrypted with any of the configured keys."""


class SecretBox:
    """Fernet (AES-128-CBC + HMAC-SHA256) keyed from ``TP_SECRET_KEY``.

    ``secrets`` lists service secrets newest first: values are encrypted with the newest and
    decrypted with any, so the service secret can be rotated (re-encrypt with ``rotate``).
    """

    PURPOSE = "tp-bridge:shop-credentials:v1"

    def __init__(self, secrets: Sequence[str]) -> None:
        if not secrets or not all(secrets):
            raise ValueError("SecretBox needs at least one non-empty secret")
        self._fernet = MultiFernet([Fernet(self._derive(secret)) for secret in secrets])

    @classmethod
    def _derive(cls, secret: str) -> bytes:
        digest = hashlib.sha256(f"{cls.PURPOSE}:{secret}".encode()).digest()
        return base64.urlsafe_b64encode(digest)

    def seal(self, value: str) -> str:
        """Encrypt ``value`` for storage."""
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def open(self, token: str) -> str:
        """Decrypt a stored value."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            raise SecretBoxError(
                "a stored shop credential cannot be decrypted: was TP_SECRET_KEY changed "
                "without listing the old one in TP_OLD_SECRET_KEYS?"
            ) from None

    def rotate(self, token: str) -> str:
        """Re-encrypt a stored value with the newest key."""
        return self._fernet.rotate(token.encode("ascii")).decode("ascii")
