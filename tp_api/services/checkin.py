"""Where a check-in is decided: one atomic decision per scan, every scan recorded.

The decision is one conditional UPDATE of the ticket's status inside the write transaction
(``... SET status = 3 WHERE id = ? AND version = ? AND status IN (...)``): the same ticket
scanned at ten gates at once is admitted exactly once, on SQLite and on PostgreSQL. A forged
or altered code is refused from its signature alone, before any ticket is looked up.

Status follows the partner API: 2 active -> 3 scanned in -> 4 scanned out -> 3 again on
re-entry, when the event allows re-entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import peewee
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pdf.signing import InvalidTicketCode, TicketCode, verify_ticket_code
from tp_api.db import insert_rows, utcnow, write_transaction
from tp_api.models import CheckIn, Event, Ticket, TicketStatus, TicketType
from tp_api.services.errors import Forbidden, InvalidInput
from tp_api.services.scanners import ScannerContext

IN, OUT = "in", "out"
OK = "ok"


class Reason:
    """Why a scan was refused (machine-readable, in the API's ``reason``)."""

    INVALID_SIGNATURE = "invalid_signature"
    UNKNOWN_TICKET = "unknown_ticket"
    WRONG_EVENT = "wrong_event"
    CANCELLED = "cancelled"
    NOT_PERSONALISED = "not_personalised"
    SUPERSEDED = "superseded"
    ALREADY_CHECKED_IN = "already_checked_in"
    NOT_CHECKED_IN = "not_checked_in"


@dataclass(frozen=True)
class ScanRequest:
    code: str
    event_id: int
    gate: str = ""
    device: str = ""
    direction: str = IN
    nonce: str | None = None
    device_at: datetime | None = None  # when the scanner saw it (offline uploads)
    offline: bool = False


@dataclass(frozen=True)
class ScanResult:
    success: bool
    reason: str | None
    direction: str
    checked_in_at: datetime
    ticket_reference: str | None = None
    attendee_name: str | None = None
    tier_name: str | None = None
    first_checked_in_at: datetime | None = None
    conflict: bool = False

    @property
    def already_checked_in(self) -> bool:
        return self.reason == Reason.ALREADY_CHECKED_IN


def scan(
    scanner: ScannerContext, request: ScanRequest, public_keys: Mapping[str, Ed25519PublicKey]
) -> ScanResult:
    """Decide one scan and record it. Raises Forbidden for an event the scanner may not scan."""
    if request.direction not in (IN, OUT):
        raise InvalidInput("direction must be 'in' or 'out'", code="invalid_direction")
    if not scanner.may_scan(request.event_id):
        raise Forbidden(
            f"This scanner may not scan event {request.event_id}", code="scanner_forbidden"
        )
    if request.nonce:
        replay = _replayed(request.nonce)
        if replay is not None:
            return replay
    try:
        return _scan(scanner, request, public_keys)
    except peewee.IntegrityError:
        # The same upload arrived twice at once: the other one recorded it (and its
        # decision); this one was rolled back whole. Answer what was recorded.
        replay = _replayed(request.nonce) if request.nonce else None
        if replay is None:
            raise
        return replay


def _scan(
    scanner: ScannerContext, request: ScanRequest, public_keys: Mapping[str, Ed25519PublicKey]
) -> ScanResult:
    try:
        code = verify_ticket_code(request.code, public_keys)
    except InvalidTicketCode:
        return _record(scanner, request, None, None, Reason.INVALID_SIGNATURE)
    ticket = _ticket(code)
    if ticket is None:
        return _record(scanner, request, None, code, Reason.UNKNOWN_TICKET)
    if not scanner.may_scan(ticket.event_id) or ticket.event_id not in _scope(request.event_id):
        return _record(scanner, request, ticket, code, Reason.WRONG_EVENT)
    if code.version != ticket.version:
        return _record(scanner, request, ticket, code, Reason.SUPERSEDED)
    return _decide(scanner, request, ticket, code)


def _ticket(code: TicketCode) -> Ticket | None:
    return (
        Ticket.select(Ticket, TicketType, Event)
        .join(TicketType)
        .switch(Ticket)
        .join(Event)
        .where(Ticket.reference == code.reference)
        .first()
    )


def _scope(event_id: int) -> set[int]:
    children = Event.select(Event.id).where(Event.parent == event_id)
    return {event_id, *(c.id for c in children)}


def _decide(
    scanner: ScannerContext, request: ScanRequest, ticket: Ticket, code: TicketCode
) -> ScanResult:
    event = ticket.event
    if request.direction == IN:
        allowed = [TicketStatus.ACTIVE]
        if event.allow_reentry:
            allowed.append(TicketStatus.SCANNED_OUT)
        if not event.require_personalisation:
            allowed.append(TicketStatus.CREATED)
        target = TicketStatus.SCANNED_IN
    else:
        allowed, target = [TicketStatus.SCANNED_IN], TicketStatus.SCANNED_OUT
    now = utcnow()
    with write_transaction():
        changed = (
            Ticket.update(status=target, updated_at=now)
            .where(
                Ticket.id == ticket.id, Ticket.version == code.version, Ticket.status.in_(allowed)
            )
            .execute()
        )
        reason = None if changed else _refusal(ticket.id, code.version, request.direction)
        return _record(scanner, request, ticket, code, reason, now=now)


def _refusal(ticket_id: int, version: int, direction: str) -> str:
    current = Ticket.select(Ticket.status, Ticket.version).where(Ticket.id == ticket_id).get()
    if current.version != version:
        return Reason.SUPERSEDED
    if current.status == TicketStatus.CANCELLED:
        return Reason.CANCELLED
    if direction == OUT:
        return Reason.NOT_CHECKED_IN
    if current.status == TicketStatus.CREATED:
        return Reason.NOT_PERSONALISED
    return Reason.ALREADY_CHECKED_IN


def _record(
    scanner: ScannerContext,
    request: ScanRequest,
    ticket: Ticket | None,
    code: TicketCode | None,
    reason: str | None,
    *,
    now: datetime | None = None,
) -> ScanResult:
    now = now or utcnow()
    # An offline scanner already let the person through: a refusal now is a conflict to
    # report, and the scan keeps the time it happened.
    conflict = (
        request.offline and request.direction == IN and reason is not None and (ticket is not None)
    )
    at = request.device_at if request.offline and request.device_at else now
    first = _first_admission(ticket.id) if reason == Reason.ALREADY_CHECKED_IN and ticket else None
    with write_transaction():
        insert_rows(
            CheckIn,
            [
                {
                    "ticket": ticket.id if ticket else None,
                    "event": request.event_id,
                    "scanner": scanner.scanner_id,
                    "direction": request.direction,
                    "at": at,
                    "gate": request.gate[:100],
                    "device": request.device[:100],
                    "result": reason or OK,
                    "nonce": request.nonce,
                    "code_ref": (code.reference if code else None),
                    "device_at": request.device_at,
                    "offline": request.offline,
                    "conflict": conflict,
                }
            ],
        )
    return ScanResult(
        success=reason is None,
        reason=reason,
        direction=request.direction,
        checked_in_at=at,
        ticket_reference=ticket.reference if ticket else (code.reference if code else None),
        attendee_name=_name(ticket),
        tier_name=ticket.ticket_type.name if ticket else None,
        first_checked_in_at=first,
        conflict=conflict,
    )


def _first_admission(ticket_id: int) -> datetime | None:
    row = (
        CheckIn.select(CheckIn.at)
        .where(CheckIn.ticket == ticket_id, CheckIn.direction == IN, CheckIn.result == OK)
        .order_by(CheckIn.at)
        .first()
    )
    return row.at if row else None


def _name(ticket: Ticket | None) -> str | None:
    if ticket is None:
        return None
    return f"{ticket.first_name} {ticket.last_name}".strip() or None


def _replayed(nonce: str) -> ScanResult | None:
    """The result recorded for an upload retried after a timeout: nothing changes twice."""
    row = (
        CheckIn.select(CheckIn, Ticket, TicketType)
        .join(Ticket, join_type=peewee.JOIN.LEFT_OUTER)
        .join(TicketType, join_type=peewee.JOIN.LEFT_OUTER)
        .where(CheckIn.nonce == nonce)
        .first()
    )
    if row is None:
        return None
    ticket = row.ticket if row.ticket_id else None
    return ScanResult(
        success=row.result == OK,
        reason=None if row.result == OK else row.result,
        direction=row.direction,
        checked_in_at=row.at,
        ticket_reference=ticket.reference if ticket else row.code_ref,
        attendee_name=_name(ticket),
        tier_name=ticket.ticket_type.name if ticket else None,
        first_checked_in_at=_first_admission(ticket.id)
        if ticket and row.result == Reason.ALREADY_CHECKED_IN
        else None,
        conflict=row.conflict,
    )
