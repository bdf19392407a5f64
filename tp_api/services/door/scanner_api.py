"""What door scanners need besides single scans: the offline pack, batch uploads of offline
scans, and live figures for a door dashboard."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import peewee
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pdf.signing import key_id, public_key_b64
from tp_api.db import tuples, utcnow
from tp_api.models import CheckIn, Event, Ticket, TicketStatus, TicketType
from tp_api.services.door import checkin
from tp_api.services.door.admission import opening_times
from tp_api.services.door.scanners import ScannerContext
from tp_api.services.errors import Forbidden, InvalidInput, NotFound, Said
from tp_api.services.validation import optional_datetime, optional_str, required_str, to_int

MAX_UPLOAD = 1000
RECENT = timedelta(minutes=5)
# Offline scans are uploaded within days, and a device clock may run a little fast.
MAX_OFFLINE_AGE = timedelta(days=30)
CLOCK_SKEW = timedelta(minutes=10)


def ticket_reference(data: dict[str, Any], name: str, *, label: str | None = None) -> str:
    """A ticket reference sent by a door device (a guest admitted by hand)."""
    return required_str(data, name, max_len=32, label=label or name).strip().lower()


def event_in_reach(scanner: ScannerContext, event_id: int) -> Event:
    """The account's event this scanner may use (Forbidden or NotFound otherwise)."""
    if not scanner.may_scan(event_id):
        raise Forbidden(
            Said("This scanner may not use event {event_id}", event_id=event_id),
            code="scanner_forbidden",
        )
    event = Event.get_or_none((Event.id == event_id) & (Event.account == scanner.account_id))
    if event is None:
        raise NotFound(
            Said("Event {event_id} not found", event_id=event_id), code="event_not_found"
        )
    return event


# The newest offline conflicts the live figures list.
CONFLICTS_SHOWN = 20


def scope_of(event_id: int) -> list[int]:
    """The event and its dates."""
    return [event_id, *(e.id for e in Event.select(Event.id).where(Event.parent == event_id))]


def offline_pack(
    scanner: ScannerContext, event_id: int, public_keys: Mapping[str, Ed25519PublicKey]
) -> dict[str, Any]:
    """Everything a scanner needs to admit people without a connection.

    Tickets are listed compactly as ``[reference, version, status, attendee, tier,
    event]`` (event: the event or date the ticket is for); cancelled ones are included so
    that they are refused offline too. ``admissionOpens`` says when admission opens per
    event or date (null: any time), so that the device refuses early tickets as the
    service does.
    """
    event = event_in_reach(scanner, event_id)
    scope = scope_of(event_id)
    rows = tuples(
        Ticket.select(
            Ticket.reference,
            Ticket.version,
            Ticket.status,
            Ticket.first_name,
            Ticket.last_name,
            TicketType.name,
            Ticket.event,
        )
        .join(TicketType)
        .where(Ticket.event.in_(scope), Ticket.is_deprecated == False)  # noqa: E712
        .order_by(Ticket.id)
    )
    return {
        "eventId": event.id,
        # The event and its dates: a code for one of these is this event's (offline, a
        # reference missing from the list is then unknown, not another event's).
        "eventIds": scope,
        "generatedAt": utcnow().isoformat(),
        "allowReentry": event.allow_reentry,
        "requirePersonalisation": event.require_personalisation,
        "admissionOpens": {
            str(event_id): _iso(opens) for event_id, opens in opening_times(scope).items()
        },
        "keys": [
            {"keyId": kid, "algorithm": "Ed25519", "publicKey": public_key_b64(key)}
            for kid, key in public_keys.items()
            if key_id(key) == kid
        ],
        "tickets": [
            [ref, version, status, f"{first} {last}".strip(), tier, owner]
            for ref, version, status, first, last, tier, owner in rows
        ],
    }


def upload(
    scanner: ScannerContext, body: Any, public_keys: Mapping[str, Ed25519PublicKey]
) -> dict[str, Any]:
    """Apply offline scans in the order they happened, idempotently (by ``nonce``)."""
    scans = body.get("scans") if isinstance(body, dict) else None
    if not isinstance(scans, list) or not scans:
        raise InvalidInput("scans must be a non-empty array", code="scans_missing")
    if len(scans) > MAX_UPLOAD:
        raise InvalidInput(
            Said("At most {limit} scans per upload", limit=MAX_UPLOAD), code="upload_too_large"
        )
    # Everything is checked before anything is applied: a bad item refuses the whole upload.
    requests = [_parse_scan(scanner, item, index) for index, item in enumerate(scans)]
    order = sorted(range(len(requests)), key=lambda i: (requests[i].device_at, i))
    results: dict[int, checkin.ScanResult] = {}
    for index in order:
        results[index] = checkin.scan(scanner, requests[index], public_keys)
    return {
        "results": [
            dict(nonce=requests[i].nonce, **scan_json(results[i])) for i in range(len(requests))
        ],
        "conflicts": [requests[i].nonce for i in range(len(requests)) if results[i].conflict],
    }


def _parse_scan(scanner: ScannerContext, item: Any, index: int) -> checkin.ScanRequest:
    where = f"scans[{index}]"
    if not isinstance(item, dict):
        raise InvalidInput(Said("scans[{index}] must be an object", index=index))
    scanned_at = optional_datetime(item, "scannedAt")
    if scanned_at is None:
        raise InvalidInput(Said("scans[{index}].scannedAt is required", index=index))
    now = utcnow()
    if not now - MAX_OFFLINE_AGE <= scanned_at <= now + CLOCK_SKEW:
        raise InvalidInput(
            Said(
                "scans[{index}].scannedAt must lie between {days} days ago and now "
                "(plus {minutes} minutes of clock skew)",
                index=index,
                days=MAX_OFFLINE_AGE.days,
                minutes=int(CLOCK_SKEW.total_seconds() // 60),
            )
        )
    direction = optional_str(item, "direction", max_len=3, label=f"{where}.direction")
    if direction not in ("", checkin.IN, checkin.OUT):
        raise InvalidInput(Said("scans[{index}].direction must be 'in' or 'out'", index=index))
    event_id = to_int(item.get("eventId"), f"{where}.eventId", minimum=1)
    if not scanner.may_scan(event_id):
        refusal = Said("This scanner may not scan event {event_id}", event_id=event_id)
        raise Forbidden(refusal, code="scanner_forbidden")
    by_hand = "ticketId" in item and "qrPayload" not in item
    return checkin.ScanRequest(
        code=""
        if by_hand
        else required_str(item, "qrPayload", max_len=400, label=f"{where}.qrPayload"),
        ticket_reference=ticket_reference(item, "ticketId", label=f"{where}.ticketId")
        if by_hand
        else None,
        event_id=event_id,
        gate=optional_str(item, "gate", max_len=100, label=f"{where}.gate"),
        device=optional_str(item, "device", max_len=100, label=f"{where}.device"),
        direction=direction or checkin.IN,
        nonce=required_str(item, "nonce", max_len=64, label=f"{where}.nonce"),
        device_at=scanned_at,
        offline=True,
    )


def scan_json(result: checkin.ScanResult) -> dict[str, Any]:
    """A scan result in the API's shape."""
    return {
        "success": result.success,
        "alreadyCheckedIn": result.already_checked_in,
        "attendeeName": result.attendee_name,
        "tierName": result.tier_name,
        "checkedInAt": _iso(result.checked_in_at),
        "firstCheckedInAt": _iso(result.first_checked_in_at),
        "firstGate": result.first_gate,
        "reason": result.reason,
        "direction": result.direction,
        "ticketId": result.ticket_reference,
        "conflict": result.conflict,
        "admissionOpensAt": _iso(result.admission_opens_at),
    }


def live(scanner: ScannerContext, event_id: int) -> dict[str, Any]:
    """Who is inside now, per tier and per gate, recent scans and who is still to come."""
    return live_figures(event_in_reach(scanner, event_id))


def live_figures(event: Event) -> dict[str, Any]:
    """The live door figures of an event the caller may see (scanner or console): four
    grouped queries, whatever the number of tickets, gates or scans."""
    scope = scope_of(event.id)
    tiers = _tier_figures(scope, personalised_only=event.require_personalisation)
    recent_counts = dict(
        tuples(
            CheckIn.select(CheckIn.result, peewee.fn.COUNT(CheckIn.id))
            .where(CheckIn.event.in_(scope), CheckIn.at >= utcnow() - RECENT)
            .group_by(CheckIn.result)
        )
    )
    return {
        "eventId": event.id,
        "at": utcnow().isoformat(),
        "inside": sum(t["inside"] for t in tiers),
        "toArrive": sum(t["toArrive"] for t in tiers),
        "valid": sum(t["valid"] for t in tiers),
        "tiers": tiers,
        "gates": _gate_figures(scope),
        "lastMinutes": {
            "minutes": int(RECENT.total_seconds() // 60),
            "admitted": recent_counts.get(checkin.OK, 0),
            "refused": sum(v for k, v in recent_counts.items() if k != checkin.OK),
        },
        "conflicts": _conflicts(scope),
    }


def _conflicts(scope: list[int]) -> list[dict[str, Any]]:
    """The newest offline admissions the service refused (the ticket was let in elsewhere
    first, or cancelled meanwhile): a person at the door decides what happens."""
    rows = tuples(
        CheckIn.select(CheckIn.code_ref, CheckIn.result, CheckIn.gate, CheckIn.device, CheckIn.at)
        .where(CheckIn.event.in_(scope), CheckIn.conflict == True)  # noqa: E712
        .order_by(CheckIn.id.desc())
        .limit(CONFLICTS_SHOWN)
    )
    return [
        {"ticketId": ref, "reason": result, "gate": gate, "device": device, "at": at.isoformat()}
        for ref, result, gate, device, at in rows
    ]


def _tier_figures(scope: list[int], *, personalised_only: bool) -> list[dict[str, Any]]:
    """Per ticket type: inside, still to arrive, and valid tickets."""
    waiting = {TicketStatus.ACTIVE} | (set() if personalised_only else {TicketStatus.CREATED})
    tiers: dict[int, dict[str, Any]] = {}
    counts = tuples(
        Ticket.select(TicketType.id, TicketType.name, Ticket.status, peewee.fn.COUNT(Ticket.id))
        .join(TicketType)
        .where(Ticket.event.in_(scope), Ticket.is_deprecated == False)  # noqa: E712
        .group_by(TicketType.id, TicketType.name, Ticket.status)
    )
    for type_id, name, status, count in counts:
        tier = tiers.setdefault(
            type_id, {"tierId": type_id, "tierName": name, "inside": 0, "toArrive": 0, "valid": 0}
        )
        if status == TicketStatus.SCANNED_IN:
            tier["inside"] += count
        if status in waiting:
            tier["toArrive"] += count
        if status != TicketStatus.CANCELLED:
            tier["valid"] += count
    return sorted(tiers.values(), key=lambda t: t["tierId"])


def _gate_figures(scope: list[int]) -> list[dict[str, Any]]:
    """Per gate: admissions in and out."""
    gates: dict[str, dict[str, Any]] = {}
    by_gate = tuples(
        CheckIn.select(CheckIn.gate, CheckIn.direction, peewee.fn.COUNT(CheckIn.id))
        .where(CheckIn.event.in_(scope), CheckIn.result == checkin.OK)
        .group_by(CheckIn.gate, CheckIn.direction)
    )
    for gate, direction, count in by_gate:
        entry = gates.setdefault(gate, {"gate": gate, "in": 0, "out": 0})
        entry[direction] = count
    return sorted(gates.values(), key=lambda g: g["gate"])


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
