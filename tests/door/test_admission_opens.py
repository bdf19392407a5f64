"""When the doors open (issue 16, "Not yet valid"): an event, or one of its dates, may set
how many minutes before its start tickets become valid at the door. A scan in before then
is refused ``not_yet_valid`` with the opening time, online, by hand and in offline uploads;
the offline pack carries the opening times so a phone decides the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.door.support import post_scan
from tp_api.db import utcnow
from tp_api.models import CheckIn, Event, Ticket, TicketStatus
from tp_api.services.delivery.ticket_files import ticket_code
from tp_api.services.door import scanners


def _headers(door):
    return {"Authorization": f"Bearer {door['key']}"}


def _opens_in(door, *, start_in: timedelta, minutes: int | None) -> datetime:
    """The event starts ``start_in`` from now and admits from ``minutes`` before; returns
    when admission opens."""
    start = (utcnow() + start_in).replace(microsecond=0)
    Event.update(start_date=start, admission_opens_minutes=minutes).where(
        Event.id == door["event"].id
    ).execute()
    return start - timedelta(minutes=minutes or 0)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def test_a_scan_before_the_doors_open_is_refused_with_the_opening_time(client, door):
    opens = _opens_in(door, start_in=timedelta(hours=2), minutes=60)
    answer = post_scan(client, door, door["codes"][0], nonce="early-1").get_json()
    assert (answer["success"], answer["reason"]) == (False, "not_yet_valid")
    assert answer["admissionOpensAt"] == _iso(opens)
    # The ticket is the account's own: the answer names its holder, as other refusals do.
    assert answer["attendeeName"] == "Attendee0 Doe"
    ticket = Ticket.get(Ticket.reference == door["tickets"][0].reference)
    assert ticket.status == TicketStatus.ACTIVE
    assert [c.result for c in CheckIn.select()] == ["not_yet_valid"]
    # A retry with the same nonce is a replay, opening time included.
    assert post_scan(client, door, door["codes"][0], nonce="early-1").get_json() == answer
    assert CheckIn.select().count() == 1


def test_once_the_doors_are_open_the_ticket_is_admitted(client, door):
    _opens_in(door, start_in=timedelta(minutes=30), minutes=60)
    answer = post_scan(client, door, door["codes"][0]).get_json()
    assert answer["success"] is True and answer["admissionOpensAt"] is None


def test_without_an_admission_time_tickets_are_valid_at_any_time(client, door):
    _opens_in(door, start_in=timedelta(days=30), minutes=None)
    assert post_scan(client, door, door["codes"][0]).get_json()["success"] is True


def test_exits_and_cancelled_tickets_are_not_told_to_wait(client, door):
    _opens_in(door, start_in=timedelta(hours=5), minutes=0)
    out = post_scan(client, door, door["codes"][1], direction="out").get_json()
    assert out["reason"] == "not_checked_in"
    Ticket.update(status=TicketStatus.CANCELLED).where(
        Ticket.reference == door["tickets"][2].reference
    ).execute()
    assert post_scan(client, door, door["codes"][2]).get_json()["reason"] == "cancelled"


def test_a_guest_admitted_by_hand_waits_for_the_doors_too(client, door):
    _opens_in(door, start_in=timedelta(hours=2), minutes=30)
    body = {"ticketId": door["tickets"][0].reference, "eventId": door["event"].id}
    answer = client.post("/api/v1/checkin/admit", json=body, headers=_headers(door)).get_json()
    assert answer["reason"] == "not_yet_valid"
    assert CheckIn.get().by_hand is True


def test_an_offline_scan_is_judged_at_the_time_it_happened(client, door):
    opens = _opens_in(door, start_in=timedelta(minutes=50), minutes=60)
    early, late = opens - timedelta(minutes=5), opens + timedelta(minutes=1)
    scans = [
        {"nonce": "o-1", "qrPayload": door["codes"][0], "eventId": door["event"].id,
         "scannedAt": _iso(early)},
        {"nonce": "o-2", "qrPayload": door["codes"][1], "eventId": door["event"].id,
         "scannedAt": _iso(late)},
    ]  # fmt: skip
    answer = client.post(
        "/api/v1/checkin/upload", json={"scans": scans}, headers=_headers(door)
    ).get_json()
    first, second = answer["results"]
    # A phone let someone in before the doors opened: a conflict for a person to settle.
    assert (first["reason"], first["conflict"]) == ("not_yet_valid", True)
    assert first["admissionOpensAt"] == _iso(opens)
    assert second["success"] is True
    assert answer["conflicts"] == ["o-1"]


def _festival(factory, door, *, event_minutes, day_minutes):
    """Harbour Jazz with a day in ten hours; the event's and the day's admission times."""
    event = factory.event(
        door["seller"],
        name="Harbour Jazz",
        children=[{"name": "Day 1", "stock": 5, "tickets": [{"name": "Day", "stock": 5}]}],
    )
    day = Event.get(Event.parent == event.id)
    start = (utcnow() + timedelta(hours=10)).replace(microsecond=0)
    Event.update(admission_opens_minutes=event_minutes).where(Event.id == event.id).execute()
    Event.update(start_date=start, admission_opens_minutes=day_minutes).where(
        Event.id == day.id
    ).execute()
    outcome = factory.order(door["seller"], factory.ticket_type(day), quantity=1)
    ticket = factory.personalise_all(door["seller"], outcome)[0]
    key = scanners.create_scanner(door["seller"].id, "Day gate", [event.id]).secret
    return event, day, start, ticket, key


def test_a_date_follows_its_events_admission_time_unless_it_sets_its_own(client, door, factory):
    event, day, start, ticket, key = _festival(factory, door, event_minutes=60, day_minutes=None)
    code = ticket_code(door["tools"], ticket)
    scan = dict(door, key=key)
    answer = post_scan(client, scan, code, event_id=event.id).get_json()
    assert answer["reason"] == "not_yet_valid"
    assert answer["admissionOpensAt"] == _iso(start - timedelta(minutes=60))
    # The day opens its doors 11 hours before its start: now.
    Event.update(admission_opens_minutes=11 * 60).where(Event.id == day.id).execute()
    assert post_scan(client, scan, code, event_id=event.id).get_json()["success"] is True


def test_the_offline_pack_says_when_each_event_and_date_opens(client, door, factory):
    event, day, start, ticket, key = _festival(factory, door, event_minutes=None, day_minutes=90)
    pack = client.get(
        f"/api/v1/checkin/events/{event.id}/offline", headers={"Authorization": f"Bearer {key}"}
    ).get_json()
    assert pack["admissionOpens"] == {
        str(event.id): None,
        str(day.id): _iso(start - timedelta(minutes=90)),
    }
    # Each ticket row names its event or date, for a guest admitted by hand offline.
    assert pack["tickets"] == [[ticket.reference, 1, 2, "Attendee0 Doe", "Day", day.id]]
