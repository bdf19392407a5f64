"""Scanner devices: keys that can scan, and read check-in figures of, chosen events only."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from tp_api.db import utcnow, write_transaction
from tp_api.models import Event, Scanner, ScannerEvent
from tp_api.services import audit_trail
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.audit_trail import created
from tp_api.services.credentials.authenticator import (
    AuthThrottle,
    KeyCache,
    authenticate_with,
    hash_key,
    plausible,
    stamp_revoked,
    touch_last_used,
)
from tp_api.services.errors import InvalidInput, NotFound, Said, Unauthenticated

SCANNER_KEY_PREFIX = "tps_"
_PREFIX_LEN = 12


@dataclass(frozen=True)
class ScannerContext:
    """Who is scanning: the scanner, its account and the events it may scan."""

    scanner_id: int
    account_id: int
    name: str
    event_ids: frozenset[int]  # the granted events and their children

    def may_scan(self, event_id: int) -> bool:
        return event_id in self.event_ids


@dataclass(frozen=True)
class NewScanner:
    scanner: Scanner
    secret: str


_cache: KeyCache[ScannerContext] = KeyCache()


def create_scanner(
    account_id: int,
    name: str,
    event_ids: list[int],
    *,
    default_gate: str = "",
    actor: Actor = SYSTEM,
) -> NewScanner:
    """Register a scanner for some events of the account; its key is returned once.
    ``default_gate`` is the gate a phone paired with it starts with."""
    actor.require("checkin:write")
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("Scanner name must be 1 to 100 characters")
    default_gate = _gate(default_gate)
    if not event_ids:
        raise InvalidInput("A scanner needs at least one event")
    with write_transaction():
        found = {
            e.id
            for e in Event.select(Event.id).where(
                Event.id.in_(event_ids), Event.account == account_id
            )
        }
        missing = sorted(set(event_ids) - found)
        if missing:
            raise NotFound(
                Said("Event {event_id} not found", event_id=missing[0]), code="event_not_found"
            )
        secret = _new_secret()
        scanner = Scanner.create(
            account=account_id,
            name=name,
            prefix=secret[:_PREFIX_LEN],
            key_hash=hash_key(secret),
            default_gate=default_gate,
        )
        ScannerEvent.insert_many(
            [{"scanner": scanner.id, "event": event_id} for event_id in sorted(found)]
        ).execute()
        values = created({"name": name, "events": sorted(found), "default_gate": default_gate})
        subject = ("scanner", scanner.id, scanner.name)
        audit_trail.record(account_id, actor, "scanner.created", subject, values)
    return NewScanner(scanner, secret)


def rekey(scanner: Scanner) -> str:
    """Give the scanner a new key (in the caller's transaction) and return it; the old key
    stops working (a device paired again takes over from the one before)."""
    secret = _new_secret()
    old_hash = scanner.key_hash
    Scanner.update(prefix=secret[:_PREFIX_LEN], key_hash=hash_key(secret)).where(
        Scanner.id == scanner.id
    ).execute()
    _cache.forget(old_hash)
    return secret


def set_default_gate(
    account_id: int, scanner_id: int, gate: str, *, actor: Actor = SYSTEM
) -> Scanner:
    """The gate name a phone paired with this scanner starts with ('' for none); phones
    paired before keep theirs."""
    actor.require("checkin:write")
    gate = _gate(gate)
    with write_transaction():
        scanner, _ = get_scanner(account_id, scanner_id)
        values = {"default_gate": [scanner.default_gate, gate]}
        Scanner.update(default_gate=gate).where(Scanner.id == scanner.id).execute()
        subject = ("scanner", scanner.id, scanner.name)
        audit_trail.record(account_id, actor, "scanner.gate_changed", subject, values)
    scanner.default_gate = gate
    return scanner


def _gate(gate: str) -> str:
    gate = gate.strip()
    if len(gate) > 100:
        raise InvalidInput("A gate name is at most 100 characters", code="gate_too_long")
    return gate


def _new_secret() -> str:
    return SCANNER_KEY_PREFIX + secrets.token_urlsafe(32)


def get_scanner(account_id: int, scanner_id: int) -> tuple[Scanner, list[int]]:
    """One scanner of the account with the ids of its events, or NotFound."""
    scanner = Scanner.get_or_none((Scanner.id == scanner_id) & (Scanner.account == account_id))
    if scanner is None:
        raise NotFound(
            Said("Scanner {scanner_id} not found", scanner_id=scanner_id), code="scanner_not_found"
        )
    rows = ScannerEvent.select(ScannerEvent.event).where(ScannerEvent.scanner == scanner.id)
    return scanner, sorted(row.event_id for row in rows)


def list_scanners(account_id: int) -> list[tuple[Scanner, list[int]]]:
    scanners = list(Scanner.select().where(Scanner.account == account_id).order_by(Scanner.id))
    grants: dict[int, list[int]] = {}
    for row in ScannerEvent.select().where(ScannerEvent.scanner.in_([s.id for s in scanners])):
        grants.setdefault(row.scanner_id, []).append(row.event_id)
    return [(s, sorted(grants.get(s.id, []))) for s in scanners]


def revoke_scanner(account_id: int, scanner_id: int, *, actor: Actor = SYSTEM) -> Scanner:
    actor.require("checkin:write")
    with write_transaction():
        scanner, _ = get_scanner(account_id, scanner_id)
        if stamp_revoked(Scanner, scanner):
            subject = ("scanner", scanner.id, scanner.name)
            audit_trail.record(account_id, actor, "scanner.revoked", subject)
    _cache.forget(scanner.key_hash)
    return scanner


def authenticate_scanner(
    secret: str | None, *, client: str = "local", throttle: AuthThrottle | None = None
) -> ScannerContext:
    """Resolve a scanner key (cached per process for a few seconds, like partner keys); a
    failure is counted against ``client`` and refused with TooManyAttempts over the limit."""
    now = utcnow()
    return authenticate_with(
        secret,
        lookup=lambda given, wanted: _match(given, wanted, now),
        cache=_cache,
        throttle=throttle,
        client=client,
        kind="scanner",
        now=now,
        valid_shape=plausible(secret, "", _PREFIX_LEN),
        refusal=lambda: Unauthenticated("A valid scanner key is required", code="unauthenticated"),
    )


def _match(secret: str, wanted: str, now: datetime) -> ScannerContext | None:
    for scanner in Scanner.select().where(
        Scanner.prefix == secret[:_PREFIX_LEN], Scanner.revoked_at.is_null()
    ):
        if hmac.compare_digest(scanner.key_hash, wanted):
            touch_last_used(Scanner, scanner, now)
            return ScannerContext(
                scanner.id, scanner.account_id, scanner.name, frozenset(_granted_events(scanner.id))
            )
    return None


def _granted_events(scanner_id: int) -> set[int]:
    granted = [r.event_id for r in ScannerEvent.select().where(ScannerEvent.scanner == scanner_id)]
    children = Event.select(Event.id).where(Event.parent.in_(granted)) if granted else []
    return set(granted) | {c.id for c in children}


def clear_cache() -> None:
    _cache.clear()


__all__ = [
    "NewScanner",
    "ScannerContext",
    "authenticate_scanner",
    "clear_cache",
    "create_scanner",
    "list_scanners",
    "revoke_scanner",
]
