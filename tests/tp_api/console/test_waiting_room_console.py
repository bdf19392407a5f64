"""The waiting room of an event in the console: switched on, checked, audited, figures."""

from __future__ import annotations

from tests.tp_api.console.support import page_text, post_form
from tp_api.models import AuditEntry, WaitingRoom


def _event(factory, seller):
    return factory.event(seller, name="Drop Night", timezone="Europe/Amsterdam")


def test_the_event_page_leads_to_the_waiting_room(client, factory, seller):
    event = _event(factory, seller)
    page = client.get(f"/console/events/{event.id}")
    assert f'href="/console/events/{event.id}/queue"' in page.get_data(as_text=True)
    room = client.get(f"/console/events/{event.id}/queue")
    text = page_text(room)
    assert room.status_code == 200
    assert "Waiting room of Drop Night" in text and "0 joined" in text
    assert f"/queue/{event.id}?customer=" in text


def test_switching_the_room_on_saves_and_is_audited(client, factory, seller):
    event = _event(factory, seller)
    ticket_type = factory.ticket_type(event)
    path = f"/console/events/{event.id}/queue"
    response = post_form(
        client,
        path,
        path,
        {
            "queueEnabled": "on",
            "ratePerMinute": "250",
            "startsAt": "2031-05-01T10:00",
            "returnUrl": "https://shop.test/p/ga",
            "ticketTypeIds": str(ticket_type.id),
        },
    )
    assert response.status_code == 302
    room = WaitingRoom.get(WaitingRoom.event == event.id)
    assert room.enabled and room.rate_per_minute == 250
    assert room.starts_at.isoformat() == "2031-05-01T08:00:00+00:00"  # 10:00 in Amsterdam
    assert room.ticket_type_ids == str(ticket_type.id)
    assert AuditEntry.get(AuditEntry.action == "event.queue_changed").actor_kind == "staff"
    again = page_text(client.get(path))
    assert "Waiting room saved." in again
    audit = page_text(client.get("/console/audit?action=event"))
    assert "Waiting room changed" in audit


def test_problems_are_shown_beside_their_fields_with_what_was_typed(client, factory, seller):
    event = _event(factory, seller)
    path = f"/console/events/{event.id}/queue"
    response = post_form(
        client, path, path, {"queueEnabled": "on", "ratePerMinute": "0", "returnUrl": "ftp://x"}
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="ratePerMinute-error">Enter a whole number from 1 to 100000.' in body
    response = post_form(
        client, path, path, {"queueEnabled": "on", "ratePerMinute": "5", "returnUrl": "ftp://x"}
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'id="returnUrl-error">returnUrl must be an http:// or https:// address' in body
    assert 'value="ftp://x"' in body
    assert not WaitingRoom.select().where(WaitingRoom.enabled == True).exists()  # noqa: E712
