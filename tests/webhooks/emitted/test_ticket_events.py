"""Ticket changes raise ticket.personalized and ticket.reissued."""

from __future__ import annotations

import json

from tests.webhooks.emitted.support import (
    HOLDER,
    only,
    order_row,
    personalise_body,
    tickets_of,
)
from tests.webhooks.support import (
    stored_events,
)
from tp_api.services.orders import personalise
from tp_api.services.orders.personalise import AttendeeInput

# --- tickets -------------------------------------------------------------------------------------


def test_personalising_emits_one_event_per_ticket(hooked):
    number = hooked.push(quantity=2, wp_user_id=7)
    tickets = tickets_of(order_row(number).id)
    response = hooked.client.post(
        f"/tp-api/events/{hooked.event.id}/tickets/personalize?key={hooked.seller.key}&wp_user_id=7",
        data=json.dumps(personalise_body(tickets)),
        content_type="application/json",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    events = stored_events("ticket.personalized")
    rendered = hooked.order(number)["tickets"]
    assert [e["data"] for e in events] == rendered
    assert [t["status"] for t in rendered] == ["active", "active"]
    assert [t["firstName"] for t in rendered] == ["Guest0", "Guest1"]
    # Personalising again (nothing changes) raises nothing.
    hooked.client.post(
        f"/tp-api/events/{hooked.event.id}/tickets/personalize?key={hooked.seller.key}&wp_user_id=7",
        data=json.dumps(personalise_body(tickets)),
        content_type="application/json",
    )
    assert len(stored_events("ticket.personalized")) == 2


def test_the_factorys_personalisation_emits_too(hooked, factory):
    outcome = factory.order(hooked.seller, hooked.ticket_type, quantity=3)
    factory.personalise_all(hooked.seller, outcome)
    events = stored_events("ticket.personalized")
    assert [e["data"] for e in events] == hooked.order(outcome.number)["tickets"]


def test_a_transfer_emits_reissued(hooked, factory):
    outcome = factory.order(hooked.seller, hooked.ticket_type)
    factory.personalise_all(hooked.seller, outcome)
    (ticket,) = tickets_of(outcome.order_id)
    response = hooked.api.post(f"/tickets/{ticket.reference}/transfer", HOLDER)
    assert response.status_code == 200, response.get_data(as_text=True)
    reissued = only("ticket.reissued")["data"]
    assert reissued == response.get_json()
    assert (reissued["id"], reissued["version"], reissued["firstName"]) == (
        ticket.reference,
        2,
        "Sam",
    )
    assert reissued == hooked.order(outcome.number)["tickets"][0]


def test_a_reissue_emits_reissued(hooked, factory):
    outcome = factory.order(hooked.seller, hooked.ticket_type)
    (ticket,) = factory.personalise_all(hooked.seller, outcome)
    personalise.reissue_ticket(
        hooked.seller.id,
        ticket.reference,
        AttendeeInput(
            ticket_id=ticket.reference,
            first_name="Kim",
            last_name="Lee",
            email="kim@example.com",
            phone="",
        ),
    )
    reissued = only("ticket.reissued")["data"]
    assert reissued == hooked.order(outcome.number)["tickets"][0]
    assert (reissued["firstName"], reissued["version"]) == ("Kim", 2)
