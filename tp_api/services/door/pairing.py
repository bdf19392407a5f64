"""Pairing a door device with a scanner: a one-time code, short-lived, shown in the console as
a QR code and as text to type; the door app redeems it for the scanner's key.

Redeeming gives the scanner a new key, so the key is never shown to a person and a device
paired again takes over from the one before. Only a SHA-256 of a code is stored; a wrong,
used or expired code gets one answer and is counted against the client like a wrong key.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tp_api.db import lock_rows, utcnow, write_transaction
from tp_api.models import Event, Scanner, ScannerEvent, ScannerPairing
from tp_api.services import audit_trail
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.credentials.authenticator import AuthThrottle, default_throttle, hash_key
from tp_api.services.door import scanners
from tp_api.services.errors import Conflict, Unauthenticated

PAIRING_MINUTES = 10
# No 0/O, 1/I/L: read off a screen and typed on a phone without doubt.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 12  # about 59 bits


@dataclass(frozen=True)
class PairingCode:
    """A code to show once: ``code`` grouped for reading (``ABCD-EFGH-JKMN``)."""

    scanner_id: int
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class PairedDevice:
    """What a redeemed code gives the device: its key and what it may scan."""

    scanner_id: int
    name: str
    key: str
    events: list[tuple[int, str]]  # (id, name) of the granted events
    gate: str = ""  # the scanner's default gate: the phone starts with it


def issue_code(account_id: int, scanner_id: int, *, actor: Actor = SYSTEM) -> PairingCode:
    """A new pairing code for the account's (not revoked) scanner, valid for
    ``PAIRING_MINUTES``; codes issued before it stop working."""
    actor.require("checkin:write")
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))
    now = utcnow()
    with write_transaction():
        scanner = _scanner_of(account_id, scanner_id)
        ScannerPairing.update(used_at=now).where(
            ScannerPairing.scanner == scanner.id, ScannerPairing.used_at.is_null()
        ).execute()
        expires_at = now + timedelta(minutes=PAIRING_MINUTES)
        ScannerPairing.create(
            scanner=scanner.id, code_hash=hash_key(raw), created_at=now, expires_at=expires_at
        )
        subject = ("scanner", scanner.id, scanner.name)
        audit_trail.record(account_id, actor, "scanner.pairing_issued", subject)
    return PairingCode(
        scanner.id, "-".join(raw[i : i + 4] for i in range(0, len(raw), 4)), expires_at
    )


def redeem(code: str, *, client: str, throttle: AuthThrottle | None = None) -> PairedDevice:
    """Exchange a pairing code for the scanner's new key, once."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    now = utcnow()
    paired: PairedDevice | None = None
    with write_transaction():
        pairing = None
        if len(raw) == _CODE_LENGTH:
            query = ScannerPairing.select().where(ScannerPairing.code_hash == hash_key(raw))
            pairing = lock_rows(query).first()
        scanner = Scanner.get_or_none(Scanner.id == pairing.scanner_id) if pairing else None
        if pairing is not None and scanner is not None and _open(pairing, scanner, now):
            pairing.used_at = now
            pairing.save(only=[ScannerPairing.used_at])
            key = scanners.rekey(scanner)
            subject = ("scanner", scanner.id, scanner.name)
            audit_trail.record(scanner.account_id, SYSTEM, "scanner.paired", subject)
            paired = PairedDevice(
                scanner.id, scanner.name, key, _events_of(scanner.id), scanner.default_gate
            )
    if paired is None:
        # Counted outside the transaction, which a refusal would roll back with the count.
        (throttle or default_throttle()).failed(client, "pairing", now)
        raise Unauthenticated(
            "The pairing code is not valid: it may be mistyped, used or expired",
            code="pairing_code_invalid",
        )
    return paired


def _open(pairing: ScannerPairing, scanner: Scanner, now: datetime) -> bool:
    return pairing.used_at is None and pairing.expires_at > now and scanner.revoked_at is None


def _scanner_of(account_id: int, scanner_id: int) -> Scanner:
    scanner, _ = scanners.get_scanner(account_id, scanner_id)
    if scanner.revoked_at is not None:
        raise Conflict("A revoked scanner cannot be paired", code="scanner_revoked")
    return scanner


def _events_of(scanner_id: int) -> list[tuple[int, str]]:
    rows = (
        Event.select(Event.id, Event.name)
        .join(ScannerEvent, on=(ScannerEvent.event == Event.id))
        .where(ScannerEvent.scanner == scanner_id)
        .order_by(Event.start_date, Event.id)
    )
    return [(event.id, event.name) for event in rows]
