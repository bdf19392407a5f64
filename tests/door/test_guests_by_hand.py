"""Guests without a code: found by name, ticket or order reference among the event's
tickets, and admitted by hand through the same decision as a scan (recorded as by hand);
online, and offline through the upload."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.door.support import post_scan
from tp_api.models import CheckIn, Order
from tp_api.services.door import scanners


def _headers(door):
    return {"Authorization": f"Bearer {door['key']}"}


def _guests(client, door, q, event_id=None):
    event = event_id or door["event"].id
    return client.get(
        f"/api/v1/checkin/events/{event}/guests", query_string={"q": q}, headers=_headers(door)
    )


def _admit(client, door, ticket_id, **extra):
    body = {"ticketId": ticket_id, "eventId": door["event"].id, "gate": "Desk", **extra}
    return client.post("/api/v1/checkin/admit", json=body, headers=_headers(door))


def test_find_guests_by_name_ticket_and_order_reference(client, door):
    tickets = door["tickets"]
    by_name = _guests(client, door, "attendee1 d").get_json()["items"]
    assert [g["ticketId"] for g in by_name] == [tickets[1].reference]
    assert by_name[0]["attendeeName"] == "Attendee1 Doe" and by_name[0]["status"] == 2
    assert "email" not in str(by_name).lower()
    by_ticket = _guests(client, door, tickets[2].reference.upper()).get_json()["items"]
    assert [g["ticketId"] for g in by_ticket] == [tickets[2].reference]
    order = Order.get_by_id(tickets[0].order_id)
    by_order = _guests(client, door, order.reference).get_json()["items"]
    assert {g["ticketId"] for g in by_order} == {t.reference for t in tickets}
    assert _guests(client, door, "nobody here").get_json() == {"items": []}
    short = _guests(client, door, "a")
    assert short.status_code == 400 and short.get_json()["error"]["code"] == "q_too_short"


def test_admit_by_hand_then_already_in_with_when_and_where(client, door):
    ticket = door["tickets"][0]
    first = _admit(client, door, ticket.reference, nonce="hand-1").get_json()
    assert first["success"] is True and first["attendeeName"] == "Attendee0 Doe"
    assert CheckIn.get(CheckIn.nonce == "hand-1").by_hand is True
    # The same admission again (a retry) changes nothing; a scan of its code is then refused.
    assert _admit(client, door, ticket.reference, nonce="hand-1").get_json() == first
    scanned = post_scan(client, door, door["codes"][0], gate="North").get_json()
    assert scanned["reason"] == "already_checked_in" and scanned["firstGate"] == "Desk"
    found = _guests(client, door, ticket.reference).get_json()["items"][0]
    assert found["status"] == 3 and found["firstCheckedInAt"] is not None
    out = _admit(client, door, ticket.reference, direction="out").get_json()
    assert out["success"] is True and out["direction"] == "out"


def test_by_hand_refusals_say_nothing_about_other_tickets(client, door, factory):
    unknown = _admit(client, door, "nosuchticket").get_json()
    assert (unknown["success"], unknown["reason"], unknown["attendeeName"]) == (
        False,
        "unknown_ticket",
        None,
    )
    other = factory.seller("Other")
    event = factory.event(other, ticket_stock=5)
    (theirs,) = factory.personalise_all(
        other, factory.order(other, factory.ticket_type(event), quantity=1)
    )
    refused = _admit(client, door, theirs.reference).get_json()
    assert refused["reason"] == "wrong_event" and refused["attendeeName"] is None
    forbidden = _guests(client, door, "attendee", event_id=event.id)
    assert forbidden.status_code == 403


def test_offline_admissions_by_hand_are_uploaded(client, door):
    ticket = door["tickets"][1]
    scan = {
        "nonce": "off-hand-1",
        "ticketId": ticket.reference,
        "eventId": door["event"].id,
        "gate": "Desk",
        "scannedAt": datetime.now(UTC).isoformat(),
    }
    answer = client.post("/api/v1/checkin/upload", json={"scans": [scan]}, headers=_headers(door))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    (result,) = answer.get_json()["results"]
    assert result["success"] is True and result["nonce"] == "off-hand-1"
    row = CheckIn.get(CheckIn.nonce == "off-hand-1")
    assert (row.by_hand, row.offline) == (True, True)


def test_a_scanner_of_another_event_cannot_admit_by_hand(client, door, factory):
    elsewhere = factory.event(door["seller"], ticket_stock=5)
    other_key = scanners.create_scanner(door["seller"].id, "Other", [elsewhere.id]).secret
    body = {"ticketId": door["tickets"][0].reference, "eventId": door["event"].id}
    refused = client.post(
        "/api/v1/checkin/admit", json=body, headers={"Authorization": f"Bearer {other_key}"}
    )
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "scanner_forbidden"
