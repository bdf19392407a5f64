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

from pdf.signing import InvalidTicketCode, TicketCode, reference_in_code, verify_ticket_code
from tp_api.db import database, insert_rows, is_postgres, utcnow, write_transaction
from tp_api.models import CheckIn, Ticket, TicketStatus, TicketType
from tp_api.services import counts
from tp_api.services.door import admission, checkin_sql
from tp_api.services.door.checkin_sql import TicketAtDoor
from tp_api.services.door.scanners import ScannerContext
from tp_api.services.errors import Conflict, Forbidden, InvalidInput, Said
from tp_api.services.webhooks import notify

IN, OUT = "in", "out"
OK = "ok"


class Reason:
    """Why a scan was refused (machine-readable, in the API's ``reason``)."""

    INVALID_SIGNATURE = "invalid_signature"
    UNKNOWN_TICKET = "unknown_ticket"
    WRONG_EVENT = "wrong_event"
    CANCELLED = "cancelled"
    NOT_PERSONALISED = "not_personalised"
    NOT_YET_VALID = "not_yet_valid"  # scanned in before the event's admission opens
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
    # By hand: the ticket's reference (a guest found by name), ``code`` is then empty.
    ticket_reference: str | None = None


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
    first_gate: str | None = None  # where it was first admitted (with first_checked_in_at)
    conflict: bool = False
    admission_opens_at: datetime | None = None  # with not_yet_valid: when it opens

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
        refusal = Said("This scanner may not scan event {event_id}", event_id=request.event_id)
        raise Forbidden(refusal, code="scanner_forbidden")
    if request.nonce:
        replay = _replayed(scanner, request)
        if replay is not None:
            return replay
    try:
        result = _scan(scanner, request, public_keys)
    except peewee.IntegrityError:
        # The same upload arrived twice at once: the other one recorded it (and its
        # decision); this one was rolled back whole. Answer what was recorded.
        replay = _replayed(scanner, request) if request.nonce else None
        if replay is None:
            raise
        return replay
    # Replays are not counted: the scan they repeat was.
    counts.count(counts.SCAN, direction=request.direction, result=result.reason or OK)
    return result


def _scan(
    scanner: ScannerContext, request: ScanRequest, public_keys: Mapping[str, Ed25519PublicKey]
) -> ScanResult:
    if request.ticket_reference is not None:
        return _by_hand(scanner, request)
    try:
        code = verify_ticket_code(request.code, public_keys)
    except InvalidTicketCode:
        return _record(scanner, request, None, None, Reason.INVALID_SIGNATURE)
    ticket = checkin_sql.ticket_at_door(code.reference)
    if ticket is None:
        return _record(scanner, request, None, code, Reason.UNKNOWN_TICKET)
    in_scope = request.event_id in (ticket.event_id, ticket.parent_event_id)
    if not in_scope or not scanner.may_scan(ticket.event_id):
        return _record(scanner, request, ticket, code, Reason.WRONG_EVENT)
    if code.version != ticket.version or ticket.is_deprecated:
        return _record(scanner, request, ticket, code, Reason.SUPERSEDED)
    if _before_admission(request, ticket):
        return _record(scanner, request, ticket, code, Reason.NOT_YET_VALID)
    return _decide(scanner, request, ticket, code)


def _by_hand(scanner: ScannerContext, request: ScanRequest) -> ScanResult:
    """A decision for a ticket named by its reference, as door staff admit a guest found by
    name: the same rules as a scan of its current code, recorded as by hand."""
    reference = request.ticket_reference or ""
    probe = TicketCode(key_id="", reference=reference, event_id=request.event_id, version=0)
    ticket = checkin_sql.ticket_at_door(reference)
    if ticket is None:
        return _record(scanner, request, None, probe, Reason.UNKNOWN_TICKET)
    code = TicketCode(
        key_id="", reference=reference, event_id=ticket.event_id, version=ticket.version
    )
    in_scope = request.event_id in (ticket.event_id, ticket.parent_event_id)
    if not in_scope or not scanner.may_scan(ticket.event_id):
        return _record(scanner, request, ticket, code, Reason.WRONG_EVENT)
    if ticket.is_deprecated:
        return _record(scanner, request, ticket, code, Reason.SUPERSEDED)
    if _before_admission(request, ticket):
        return _record(scanner, request, ticket, code, Reason.NOT_YET_VALID)
    return _decide(scanner, request, ticket, code)


def _before_admission(request: ScanRequest, ticket: TicketAtDoor) -> bool:
    """Scanned in before the event's (or date's) admission opens. Read with the ticket, like
    the other door rules, and recorded as a refusal; a cancelled ticket is refused as
    cancelled. An offline scan is judged at the time it happened."""
    opens = ticket.admission_opens_at
    if opens is None or request.direction != IN or ticket.status == TicketStatus.CANCELLED:
        return False
    return (request.device_at if request.offline and request.device_at else utcnow()) < opens


def _decide(
    scanner: ScannerContext, request: ScanRequest, ticket: TicketAtDoor, code: TicketCode
) -> ScanResult:
    if request.direction == IN:
        allowed = [TicketStatus.ACTIVE]
        if ticket.allow_reentry:
            allowed.append(TicketStatus.SCANNED_OUT)
        if not ticket.require_personalisation:
            allowed.append(TicketStatus.CREATED)
        target = TicketStatus.SCANNED_IN
    else:
        allowed, target = [TicketStatus.SCANNED_IN], TicketStatus.SCANNED_OUT
    now = utcnow()
    # A webhook is written in the decision's transaction; without a listener the decision
    # stays one statement on PostgreSQL (the door's hot path).
    listening = notify.listening(scanner.account_id, "checkin.completed")
    if is_postgres() and not listening:
        return _decide_in_one_statement(scanner, request, ticket, code, allowed, target, now)
    with write_transaction():
        if is_postgres():
            result = _decide_in_one_statement(scanner, request, ticket, code, allowed, target, now)
        else:
            param = database.obj.param
            sql = checkin_sql.ADMIT_SQL.format(p=param, allowed=", ".join([param] * len(allowed)))
            updated_at = Ticket.updated_at.db_value(now)
            cursor = database.execute_sql(
                sql, (target, updated_at, ticket.id, code.version, *allowed)
            )
            reason = (
                None if cursor.rowcount else _refusal(ticket.id, code.version, request.direction)
            )
            # Recorded in the same transaction as the decision: no scan is decided unrecorded.
            result = _record(scanner, request, ticket, code, reason, now=now, in_transaction=True)
        if listening and result.success:
            notify.checkin_completed(scanner.account_id, _checkin_data(scanner, request, result))
        return result


def _checkin_data(
    scanner: ScannerContext, request: ScanRequest, result: ScanResult
) -> dict[str, object]:
    return {
        "ticketId": result.ticket_reference,
        "eventId": request.event_id,
        "direction": result.direction,
        "gate": request.gate,
        "device": request.device,
        "scannerId": scanner.scanner_id,
        "attendeeName": result.attendee_name,
        "tierName": result.tier_name,
        "checkedInAt": result.checked_in_at,
        "offline": request.offline,
    }


def _decide_in_one_statement(
    scanner: ScannerContext,
    request: ScanRequest,
    ticket: TicketAtDoor,
    code: TicketCode,
    allowed: list[int],
    target: int,
    now: datetime,
) -> ScanResult:
    at = request.device_at if request.offline and request.device_at else now
    offline_in = request.offline and request.direction == IN
    stamp = Ticket.updated_at.db_value
    args = (
        target, stamp(now), ticket.id, code.version, list(allowed),
        request.event_id, scanner.scanner_id, request.direction, stamp(at), request.gate[:100],
        request.device[:100], request.nonce, code.reference,
        stamp(request.device_at) if request.device_at else None, request.offline, offline_in,
        request.ticket_reference is not None,
    )  # fmt: skip
    row = checkin_sql.pg_execute("tp_scan_decide", args).fetchone()
    if row is None:  # the ticket row vanished between lookup and decision
        return _record(scanner, request, None, code, Reason.UNKNOWN_TICKET)
    reason = None if row[0] == OK else row[0]
    return _result(request, ticket, code, reason, at, conflict=offline_in and reason is not None)


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
    ticket: TicketAtDoor | None,
    code: TicketCode | None,
    reason: str | None,
    *,
    now: datetime | None = None,
    in_transaction: bool = False,
) -> ScanResult:
    now = now or utcnow()
    # An offline scanner already let the person through: a refusal now is a conflict to
    # report, and the scan keeps the time it happened.
    conflict = (
        request.offline and request.direction == IN and reason is not None and (ticket is not None)
    )
    at = request.device_at if request.offline and request.device_at else now
    first = _first_admission(ticket.id) if reason == Reason.ALREADY_CHECKED_IN and ticket else None
    row = {
        "ticket": ticket.id if ticket else None,
        "event": request.event_id,
        "scanner": scanner.scanner_id,
        "direction": request.direction,
        "at": at,
        "gate": request.gate[:100],
        "device": request.device[:100],
        "result": reason or OK,
        "nonce": request.nonce,
        "code_ref": code.reference if code else reference_in_code(request.code),
        "device_at": request.device_at,
        "offline": request.offline,
        "conflict": conflict,
        "by_hand": request.ticket_reference is not None,
    }
    if in_transaction:
        insert_rows(CheckIn, [row])
    else:
        with write_transaction():
            insert_rows(CheckIn, [row])
    return _result(request, ticket, code, reason, at, conflict=conflict, first=first)


# A refusal for another event (possibly another account's) says nothing about the ticket.
_NO_DETAILS = frozenset({Reason.WRONG_EVENT, Reason.UNKNOWN_TICKET, Reason.INVALID_SIGNATURE})


def _result(
    request: ScanRequest,
    ticket: TicketAtDoor | None,
    code: TicketCode | None,
    reason: str | None,
    at: datetime,
    *,
    conflict: bool,
    first: tuple[datetime, str] | None = None,
) -> ScanResult:
    if reason in _NO_DETAILS:
        ticket = None
    if first is None and reason == Reason.ALREADY_CHECKED_IN and ticket is not None:
        first = _first_admission(ticket.id)
    return ScanResult(
        success=reason is None,
        reason=reason,
        direction=request.direction,
        checked_in_at=at,
        ticket_reference=ticket.reference if ticket else (code.reference if code else None),
        attendee_name=_name(ticket),
        tier_name=ticket.tier_name if ticket else None,
        first_checked_in_at=first[0] if first else None,
        first_gate=first[1] if first else None,
        conflict=conflict,
        admission_opens_at=ticket.admission_opens_at
        if ticket is not None and reason == Reason.NOT_YET_VALID
        else None,
    )


def _first_admission(ticket_id: int) -> tuple[datetime, str] | None:
    """When and at which gate the ticket was first admitted."""
    row = (
        CheckIn.select(CheckIn.at, CheckIn.gate)
        .where(CheckIn.ticket == ticket_id, CheckIn.direction == IN, CheckIn.result == OK)
        .order_by(CheckIn.at)
        .first()
    )
    return (row.at, row.gate) if row else None


def _name(ticket: Ticket | TicketAtDoor | None) -> str | None:
    if ticket is None:
        return None
    return f"{ticket.first_name} {ticket.last_name}".strip() or None


def _replayed(scanner: ScannerContext, request: ScanRequest) -> ScanResult | None:
    """The result this scanner recorded under the nonce (an upload retried after a timeout):
    nothing changes twice. The same nonce for another scan is refused with 409."""
    row = (
        CheckIn.select(CheckIn, Ticket, TicketType)
        .join(Ticket, join_type=peewee.JOIN.LEFT_OUTER)
        .join(TicketType, join_type=peewee.JOIN.LEFT_OUTER)
        .where(CheckIn.scanner == scanner.scanner_id, CheckIn.nonce == request.nonce)
        .first()
    )
    if row is None:
        return None
    if (row.direction, row.event_id, row.code_ref) != (
        request.direction,
        request.event_id,
        request.ticket_reference or reference_in_code(request.code),
    ):
        refusal = Said("nonce {nonce!r} was already used for another scan", nonce=request.nonce)
        raise Conflict(refusal, code="nonce_reused")
    ticket = row.ticket if row.ticket_id else None
    if row.result in _NO_DETAILS:
        ticket = None
    first = (
        _first_admission(ticket.id)
        if ticket is not None and row.result == Reason.ALREADY_CHECKED_IN
        else None
    )
    return ScanResult(
        success=row.result == OK,
        reason=None if row.result == OK else row.result,
        direction=row.direction,
        checked_in_at=row.at,
        ticket_reference=ticket.reference if ticket else row.code_ref,
        attendee_name=_name(ticket),
        tier_name=ticket.ticket_type.name if ticket else None,
        first_checked_in_at=first[0] if first else None,
        first_gate=first[1] if first else None,
        conflict=row.conflict,
        admission_opens_at=_opening_of(row.event_id, ticket)
        if row.result == Reason.NOT_YET_VALID
        else None,
    )


def _opening_of(event_id: int, ticket: Ticket | None) -> datetime | None:
    """When admission opens for a replayed not-yet-valid scan's ticket (as it is now)."""
    target = ticket.event_id if ticket is not None else event_id
    return admission.opening_times([target]).get(target)
