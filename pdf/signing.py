"""Ticket scan codes (Ed25519) and signed, expiring file links (itsdangerous).

Pure functions and small value classes: no database, no web framework, nothing of ours.

Scan code format (docs/tickets.md): ``TP1.`` followed by the RFC 4648 base32 encoding (no
padding) of ``payload || signature``, where ``payload`` is the ASCII text
``<kid>:<ticket reference>:<event id>:<version>`` and ``signature`` is the 64-byte Ed25519
signature of ``payload``. Base32 keeps the code in the QR alphanumeric set, which packs
denser than byte mode, so the printed code stays small.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CODE_PREFIX = "TP1."
_SIGNATURE_LEN = 64
_MAX_CODE_LEN = 400


class InvalidTicketCode(ValueError):
    """The scanned code is not one of ours, was altered, or was signed by an unknown key."""


@dataclass(frozen=True)
class TicketCode:
    """What a valid scan code says."""

    key_id: str
    reference: str
    event_id: int
    version: int


def derive_signing_key(secret: str, *, purpose: str = "ticket-code-v1") -> Ed25519PrivateKey:
    """A deterministic Ed25519 key from the service secret (one secret to back up)."""
    seed = hashlib.sha256(f"tp-bridge:{purpose}:{secret}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short id of a public key, printed inside codes so scanners pick the right key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:8]


def public_key_b64(public_key: Ed25519PublicKey) -> str:
    """The raw 32-byte public key, base64: what a door scanner needs to verify offline."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def sign_ticket_code(
    private_key: Ed25519PrivateKey, reference: str, event_id: int, version: int
) -> str:
    """The scan code for one version of one ticket."""
    kid = key_id(private_key.public_key())
    payload = f"{kid}:{reference}:{event_id}:{version}".encode("ascii")
    signature = private_key.sign(payload)
    return CODE_PREFIX + base64.b32encode(payload + signature).decode("ascii").rstrip("=")


def verify_ticket_code(code: str, public_keys: Mapping[str, Ed25519PublicKey]) -> TicketCode:
    """Check a scanned code against the known public keys (by key id) and decode it.

    Raises InvalidTicketCode for anything but an intact code signed by one of ``public_keys``.
    """
    code = code.strip()
    if not code.upper().startswith(CODE_PREFIX) or len(code) > _MAX_CODE_LEN:
        raise InvalidTicketCode("not a tp-bridge ticket code")
    body = code[len(CODE_PREFIX) :].upper()
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        raise InvalidTicketCode("malformed ticket code") from None
    payload, signature = raw[:-_SIGNATURE_LEN], raw[-_SIGNATURE_LEN:]
    fields = payload.decode("ascii", errors="replace").split(":")
    if len(fields) != 4 or not fields[2].isdigit() or not fields[3].isdigit():
        raise InvalidTicketCode("malformed ticket code")
    public_key = public_keys.get(fields[0])
    if public_key is None:
        raise InvalidTicketCode("ticket code signed by an unknown key")
    try:
        public_key.verify(signature, payload)
    except InvalidSignature:
        raise InvalidTicketCode("ticket code signature does not match") from None
    return TicketCode(fields[0], fields[1], int(fields[2]), int(fields[3]))


def reference_in_code(code: str) -> str | None:
    """The ticket reference a code names, read WITHOUT checking its signature (or None).

    Only for comparing two scans of the same code; never for a decision.
    """
    body = code.strip()[len(CODE_PREFIX) :].upper()
    if not code.strip().upper().startswith(CODE_PREFIX) or len(code) > _MAX_CODE_LEN:
        return None
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        return None
    fields = raw[:-_SIGNATURE_LEN].decode("ascii", errors="replace").split(":")
    return fields[1] if len(fields) == 4 else None


class LinkError(ValueError):
    """A signed link is missing, altered, for another file, or revoked."""


class LinkExpired(LinkError):
    """A signed link was genuine but is older than its lifetime."""


class FileLinkSigner:
    """Signs and checks ``?secret=`` values that grant one file (at one version) for a while.

    ``secrets`` lists signing keys newest first: links are signed with the first and accepted
    with any, so a secret can be rotated without breaking links already handed out.
    """

    SALT = "tp-bridge.file-link.v1"

    def __init__(self, secrets: Sequence[str], *, max_age_s: int = 3600, salt: str = "") -> None:
        """``salt`` gives links of another purpose (and lifetime) their own signatures."""
        if not secrets or not all(secrets):
            raise ValueError("FileLinkSigner needs at least one non-empty secret")
        self.max_age_s = max_age_s
        # itsdangerous signs with the *last* key of its list and verifies with all of them.
        self._serializer = URLSafeTimedSerializer(list(reversed(secrets)), salt=salt or self.SALT)

    def sign(self, file_name: str, version: str) -> str:
        """The ``secret`` for ``file_name`` at ``version``."""
        return str(self._serializer.dumps([file_name, version]))

    def read(self, secret: str | None) -> tuple[str, str]:
        """The (file name, version) a genuine, unexpired ``secret`` grants.

        Raises LinkExpired for a genuine but expired secret, LinkError for anything else.
        """
        if not secret:
            raise LinkError("missing secret")
        try:
            granted = self._serializer.loads(secret, max_age=self.max_age_s)
        except SignatureExpired:
            raise LinkExpired("link expired") from None
        except BadSignature:
            raise LinkError("bad secret") from None
        if not (isinstance(granted, list) and len(granted) == 2):
            raise LinkError("bad secret")
        return str(granted[0]), str(granted[1])

    def verify(self, secret: str | None, file_name: str, version: str) -> None:
        """Raise LinkExpired / LinkError unless ``secret`` grants this file at this version."""
        if self.read(secret) != (file_name, version):
            raise LinkError("secret is for another file or an older version")
