"""An event's attendee list in the console: holders, orders, admissions, filters, the CSV,
and who may see it."""

from __future__ import annotations

import csv
import io

from tests.tp_api.console.support import page_text, sign_in
from tp_api.models import StaffUser


def test_the_list_shows_holders_and_filters(client, factory, seller):
    event = factory.event(seller, name="Harbour Jazz")
    first = factory.order(seller, factory.ticket_type(event), quantity=2)
    tickets = factory.personalise_all(seller, first)
    factory.order(seller, factory.ticket_type(event), quantity=1, wp_user_id=8)
    page = page_text(client.get(f"/console/events/{event.id}/attendees"))
    assert "Attendees of Harbour Jazz" in page
    assert f"{tickets[0].first_name} Doe" in page and "not filled in yet" in page
    narrowed = page_text(
        client.get(f"/console/events/{event.id}/attendees?q={tickets[1].first_name}")
    )
    assert (
        f"{tickets[1].first_name} Doe" in narrowed
        and f"{tickets[0].first_name} Doe" not in narrowed
    )
    none = page_text(client.get(f"/console/events/{event.id}/attendees?admitted=yes"))
    assert "No tickets match." in none
    answer = client.get(f"/console/events/{event.id}/attendees.csv?status=created")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert len(rows) == 2 and rows[1][1] == "created"
    assert "Attendees" in page_text(client.get(f"/console/events/{event.id}"))
    dutch = page_text(client.get(f"/console/events/{event.id}/attendees?lang=nl"))
    assert "Bezoekers van Harbour Jazz" in dutch


def test_door_staff_do_not_see_holders(app, factory, seller):
    event = factory.event(seller)
    door = factory.staff(seller, email="door@example.com", role="door")
    client = app.test_client()
    sign_in(client, door.email)
    assert StaffUser.get_by_id(door.id).role == "door"
    refused = client.get(f"/console/events/{event.id}/attendees")
    assert refused.status_code == 403
