"""Dates of an event in the console: add one with a first ticket type, change it, sell it,
and remove only a date nothing was sold for; problems beside their fields; in Dutch too."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.tp_api.console.support import page_text, post_form
from tp_api.models import AuditEntry, Event, TicketType

NEW_DATE = {
    "title": "Saturday",
    "startsAt": "2027-07-03T12:00",
    "endsAt": "2027-07-03T23:00",
    "capacity": "",
    "ticketTypes.0.name": "Saturday pass",
    "ticketTypes.0.price": "35",
    "ticketTypes.0.quantity": "200",
    "ticketTypes.0.minPerOrder": "1",
}


def _event(factory, seller):
    event = factory.event(seller, ticket_stock=100)
    Event.update(timezone="Europe/Amsterdam").where(Event.id == event.id).execute()
    return event


def _add(client, event, **changes: str):
    path = f"/console/events/{event.id}/dates/new"
    return post_form(client, path, path, {**NEW_DATE, **changes})


def _field_error(response, name: str) -> str:
    html = response.get_data(as_text=True)
    found = re.search(rf'id="{re.escape(name.replace(".", "-"))}-error">([^<]*)<', html)
    assert found, f"no error slot for {name}"
    return found.group(1)


def test_add_a_date_with_its_first_ticket_type_in_the_events_zone(client, factory, seller):
    event = _event(factory, seller)
    edit = client.get(f"/console/events/{event.id}/edit")
    assert "This event has no dates of its own." in page_text(edit)
    response = _add(client, event)
    assert response.status_code == 302, page_text(response)
    date = Event.get(Event.parent == event.id)
    assert response.headers["Location"].endswith(f"/console/events/{event.id}/dates/{date.id}")
    # 12:00 in Amsterdam in July is 10:00 UTC.
    assert (date.name, date.start_date) == ("Saturday", datetime(2027, 7, 3, 10, tzinfo=UTC))
    (pass_,) = TicketType.select().where(TicketType.event == date.id)
    assert (pass_.name, pass_.price_cents, pass_.stock) == ("Saturday pass", 3500, 200)
    page = client.get(response.headers["Location"])
    assert "Date added: Saturday." in page_text(page)
    assert "Saturday pass" in page_text(page)
    assert "Saturday" in page_text(client.get(f"/console/events/{event.id}/edit"))
    assert AuditEntry.select().where(AuditEntry.action == "event.date_added").exists()


def test_a_refused_date_keeps_what_was_typed(client, factory, seller):
    event = _event(factory, seller)
    response = _add(client, event, title="", startsAt="", capacity="many")
    assert response.status_code == 422
    assert _field_error(response, "title") == "Fill this in."
    assert _field_error(response, "startsAt") == "Enter when the date starts."
    assert _field_error(response, "capacity") == "Enter a whole number."
    assert 'value="Saturday pass"' in response.get_data(as_text=True)
    assert not Event.select().where(Event.parent == event.id).exists()


def test_change_a_date_and_its_ticket_types(client, factory, seller):
    event = _event(factory, seller)
    _add(client, event)
    date = Event.get(Event.parent == event.id)
    page = f"/console/events/{event.id}/dates/{date.id}"
    saved = post_form(
        client, page, page, {"title": "Sat", "startsAt": "2027-07-03T13:00", "capacity": "150"}
    )
    assert saved.status_code == 302, page_text(saved)
    date = Event.get_by_id(date.id)
    assert (date.name, date.stock, date.manage_stock_per_ticket) == ("Sat", 150, False)
    backwards = post_form(
        client,
        page,
        page,
        {"title": "Sat", "startsAt": "2027-07-03T13:00", "endsAt": "2027-07-02T13:00"},
    )
    assert backwards.status_code == 422
    assert _field_error(backwards, "endsAt")
    added = post_form(
        client,
        page,
        f"{page}/ticket-types",
        {"name": "Family", "price": "80", "quantity": "20", "minPerOrder": "1"},
    )
    assert added.headers["Location"].endswith(page)
    family = TicketType.get(TicketType.name == "Family")
    assert family.event_id == date.id
    removed = post_form(client, page, f"{page}/ticket-types/{family.id}/remove", {})
    assert removed.headers["Location"].endswith(page)
    assert not TicketType.select().where(TicketType.name == "Family").exists()


def test_a_date_with_tickets_sold_stays(client, factory, seller):
    event = _event(factory, seller)
    _add(client, event)
    date = Event.get(Event.parent == event.id)
    factory.order(seller, TicketType.get(TicketType.event == date.id), quantity=1)
    page = f"/console/events/{event.id}/dates/{date.id}"
    kept = post_form(client, page, f"{page}/remove", {})
    assert kept.status_code == 409
    assert "tickets sold or reserved, so it stays" in page_text(kept)
    assert Event.get_by_id(date.id).deleted_at is None


def test_remove_an_empty_date(client, factory, seller):
    event = _event(factory, seller)
    _add(
        client,
        event,
        **{"ticketTypes.0.name": "", "ticketTypes.0.price": "", "ticketTypes.0.quantity": ""},
    )
    date = Event.get(Event.parent == event.id)
    page = f"/console/events/{event.id}/dates/{date.id}"
    gone = post_form(client, page, f"{page}/remove", {})
    assert gone.headers["Location"].endswith(f"/console/events/{event.id}/edit")
    assert Event.get_by_id(date.id).deleted_at is not None
    assert client.get(page).status_code == 404


def test_the_date_pages_in_dutch(client, factory, seller):
    event = _event(factory, seller)
    new = client.get(f"/console/events/{event.id}/dates/new?lang=nl")
    assert "Een datum toevoegen aan" in page_text(new)
    assert "Datum toevoegen" in page_text(new)
    refused = _add(client, event, title="")
    assert _field_error(refused, "title") == "Vul dit in."


def test_another_accounts_dates_are_not_found(client, factory, seller):
    other = factory.seller("Other")
    event = _event(factory, other)
    assert client.get(f"/console/events/{event.id}/dates/new").status_code == 404
