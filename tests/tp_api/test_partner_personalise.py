"""POST /tp-api/events/{eventId}/tickets/personalize."""

from __future__ import annotations

import json

import pytest

from tp_api.models import OutboxEntry, Ticket, TicketStatus
from tp_api.services.delivery.outbox import DELIVER_TICKETS


def attendee(ref, **changes):
    data = {
        "ticket_id": ref,
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane@example.com",
        "tel": "+31612345678",
    }
    data.update(changes)
    return data


def personalise(client, key, event_id, body, wp_user_id="7"):
    query = f"key={key}" + (f"&wp_user_id={wp_user_id}" if wp_user_id is not None else "")
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        f"/tp-api/events/{event_id}/tickets/personalize?{query}",
        data=raw,
        content_type="application/json",
    )


@pytest.fixture
def bought(factory):
    seller = factory.seller()
    event = factory.event(seller)
    outcome = factory.order(seller, factory.ticket_type(event), quantity=2, wp_user_id=7)
    refs = [
        t.reference
        for t in Ticket.select().where(Ticket.order == outcome.order_id).order_by(Ticket.id)
    ]
    return seller, event, outcome, refs


def test_personalising_all_tickets_queues_delivery_once(client, bought):
    seller, event, outcome, refs = bought
    first = personalise(client, seller.key, event.id, {"tickets": [attendee(refs[0])]})
    assert first.status_code == 200
    assert first.get_json() == {"tickets": [attendee(refs[0])], "all_personalized": False}
    assert OutboxEntry.select().count() == 0
    body = {
        "tickets": [
            attendee(refs[0], first_name="Changed"),
            attendee(refs[1], first_name="John", tel="+3161111"),
        ]
    }
    second = personalise(client, seller.key, event.id, body)
    assert second.get_json() == {"tickets": body["tickets"], "all_personalized": True}
    tickets = {t.reference: t for t in Ticket.select()}
    # Status 2 tickets are skipped: the first keeps its attendee.
    assert tickets[refs[0]].first_name == "Jane"
    assert (tickets[refs[1]].first_name, tickets[refs[1]].phone) == ("John", "+3161111")
    assert {t.status for t in tickets.values()} == {TicketStatus.ACTIVE}
    [entry] = OutboxEntry.select()
    assert entry.kind == DELIVER_TICKETS
    assert json.loads(entry.payload) == {"order_id": outcome.order_id, "event_id": event.id}
    # Re-submitting the full list changes nothing and queues nothing more.
    again = personalise(client, seller.key, event.id, body)
    assert again.get_json()["all_personalized"] is True
    assert OutboxEntry.select().count() == 1


def test_unknown_event(client, bought):
    seller, _, _, refs = bought
    for event_id in ("999999", "abc"):
        response = personalise(client, seller.key, event_id, {"tickets": [attendee(refs[0])]})
        assert response.status_code == 404
        assert response.get_data(as_text=True) == f"Event not found ({event_id})"


def test_missing_wp_user(client, bought):
    seller, event, _, refs = bought
    response = personalise(
        client, seller.key, event.id, {"tickets": [attendee(refs[0])]}, wp_user_id=None
    )
    assert (response.status_code, response.get_data(as_text=True)) == (
        400,
        "Wordpress user not specified",
    )


@pytest.mark.parametrize(
    "body",
    ["", "nonsense", "[]", "{}", '{"tickets": []}', '{"tickets": "a3f9b"}', '{"tickets": null}'],
)
def test_missing_tickets(client, bought, body):
    seller, event, _, _ = bought
    response = personalise(client, seller.key, event.id, body)
    assert (response.status_code, response.get_data(as_text=True)) == (400, "Tickets not specified")


def test_ticket_of_another_account(client, factory, bought):
    _, _, _, refs = bought
    intruder = factory.seller()
    event = factory.event(intruder)
    response = personalise(client, intruder.key, event.id, {"tickets": [attendee(refs[0])]})
    assert (response.status_code, response.get_data(as_text=True)) == (
        400,
        "User unauthorized for ticket",
    )
    assert Ticket.get(Ticket.reference == refs[0]).status == TicketStatus.CREATED


def test_ticket_of_another_wp_user(client, bought):
    seller, event, _, refs = bought
    response = personalise(
        client, seller.key, event.id, {"tickets": [attendee(refs[0])]}, wp_user_id="8"
    )
    assert (response.status_code, response.get_data(as_text=True)) == (
        400,
        "Wordpress user unauthorized for ticket",
    )


def test_unknown_ticket_and_ticket_of_another_event(client, factory, bought):
    seller, event, _, refs = bought
    response = personalise(client, seller.key, event.id, {"tickets": [attendee("zzzzzzzz")]})
    assert (response.status_code, response.get_data(as_text=True)) == (
        400,
        "Ticket not found (zzzzzzzz)",
    )
    other = factory.event(seller)
    response = personalise(client, seller.key, other.id, {"tickets": [attendee(refs[0])]})
    assert response.status_code == 400
    assert response.get_data(as_text=True) == f"Ticket {refs[0]} is not for event {other.id}"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"first_name": ""}, "first_name of ticket {ref} is required"),
        ({"last_name": None}, "last_name of ticket {ref} is required"),
        ({"email": "not-an-email"}, "email of ticket {ref} is not an e-mail address"),
        ({"tel": 12.5}, "tel of ticket {ref} must be a string"),
        ({"first_name": "x" * 201}, "first_name of ticket {ref} is longer than 200 characters"),
    ],
)
def test_invalid_attendee_changes_nothing(client, bought, changes, message):
    seller, event, _, refs = bought
    body = {"tickets": [attendee(refs[1]), attendee(refs[0], **changes)]}
    response = personalise(client, seller.key, event.id, body)
    assert response.status_code == 400
    assert response.get_data(as_text=True) == message.format(ref=refs[0])
    assert {t.status for t in Ticket.select()} == {TicketStatus.CREATED}


def test_one_bad_ticket_rolls_back_the_whole_request(client, factory, bought):
    seller, event, _, refs = bought
    stranger = factory.order(seller, factory.ticket_type(event), wp_user_id=99)
    foreign = Ticket.get(Ticket.order == stranger.order_id).reference
    body = {"tickets": [attendee(refs[0]), attendee(foreign)]}
    response = personalise(client, seller.key, event.id, body)
    assert response.get_data(as_text=True) == "Wordpress user unauthorized for ticket"
    assert Ticket.get(Ticket.reference == refs[0]).status == TicketStatus.CREATED


def test_cancelled_tickets_are_skipped(client, bought):
    seller, event, _, refs = bought
    Ticket.update(status=TicketStatus.CANCELLED).where(Ticket.reference == refs[1]).execute()
    body = {"tickets": [attendee(refs[0]), attendee(refs[1])]}
    response = personalise(client, seller.key, event.id, body)
    assert response.get_json()["all_personalized"] is True
    assert Ticket.get(Ticket.reference == refs[1]).status == TicketStatus.CANCELLED
    assert OutboxEntry.select().count() == 1


def test_personalised_tickets_show_up_in_the_ticket_list(client, bought):
    seller, event, _, refs = bought
    personalise(client, seller.key, event.id, {"tickets": [attendee(refs[0])]})
    tickets = client.get(f"/tp-api/events/{event.id}/tickets?key={seller.key}&wp_user_id=7")
    first = next(t for t in tickets.get_json() if t["id"] == refs[0])
    assert (first["first_name"], first["last_name"], first["email"], first["phone"]) == (
        "Jane",
        "Doe",
        "jane@example.com",
        "+31612345678",
    )
    assert first["status"] == 2


def test_the_event_is_checked_before_the_user(client, bought):
    seller, _, _, refs = bought
    response = personalise(
        client, seller.key, "99999", {"tickets": [attendee(refs[0])]}, wp_user_id="abc"
    )
    assert (response.status_code, response.get_data(as_text=True)) == (
        404,
        "Event not found (99999)",
    )


def test_nan_is_not_json(client, bought):
    seller, event, _, refs = bought
    raw = '{"tickets": [{"ticket_id": "' + refs[0] + '", "first_name": NaN}]}'
    response = personalise(client, seller.key, event.id, raw)
    assert (response.status_code, response.get_data(as_text=True)) == (400, "Tickets not specified")


def test_concurrent_requests_for_the_last_tickets_queue_the_delivery(bought):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from tp_api.db import database
    from tp_api.services.orders import personalise as service

    seller, event, _, refs = bought
    start = threading.Barrier(2)

    def one(ref: str) -> bool:
        start.wait(timeout=30)
        with database.connection_context():
            outcome = service.personalise_tickets(
                seller.id, event.id, wp_user_id=7, body={"tickets": [attendee(ref)]}
            )
        return outcome.all_personalised

    for _ in range(3):
        with ThreadPoolExecutor(max_workers=2) as pool:
            done = list(pool.map(one, refs))
        if OutboxEntry.select().count():
            break
    assert OutboxEntry.select().count() == 1
    assert True in done
    assert {t.status for t in Ticket.select()} == {TicketStatus.ACTIVE}
