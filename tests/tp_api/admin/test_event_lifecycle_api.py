"""The admin API's event lifecycle: publish, complete, archive, cancel (with refunds), delete,
duplicate, and the sold-out state that follows sales and refunds."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from tests.admin_api import api_error, iso, later, now
from tests.factories import order_body
from tests.tp_api.admin.events_support import (
    event_row,
    field_errors,
    order_row,
    partner_order,
    placed,
)
from tp_api.models import Event, Order, Refund, Ticket, TicketStatus, TicketType


def in_state(api, client, seller, state, **fields):
    """A new event in ``state`` (sold_out: its only ticket type, of 2, sold)."""
    if state == "sold_out":
        fields.setdefault("ticketTypes", [{"name": "GA", "price": 2500, "quantity": 2}])
    event = api.create(**fields)
    if state == "draft":
        return event
    if state == "cancelled":
        assert api.post(f"/events/{event['id']}/cancel").status_code == 200
        return api.event(event["id"])
    event = api.publish(event)
    if state == "sold_out":
        placed(partner_order(client, seller, event["ticketTypes"][0]["id"], quantity=2))
    if state in ("completed", "archived"):
        assert api.post(f"/events/{event['id']}/complete").status_code == 200
    if state == "archived":
        assert api.post(f"/events/{event['id']}/archive").status_code == 200
    event = api.event(event["id"])
    assert event["status"] == state
    return event


def lifecycles(event_id):
    """The stored lifecycle of the event and of each of its dates."""
    rows = Event.select().where((Event.id == event_id) | (Event.parent == event_id))
    return {row.id: row.lifecycle for row in rows.order_by(Event.id)}


def tickets_of(order_id):
    return list(Ticket.select().where(Ticket.order == order_id).order_by(Ticket.id))


# --- publish, complete, archive -----------------------------------------------------------


def test_publish_a_draft(api):
    event = api.create(dates=[{"title": "Day 1", "startsAt": later(61)}])
    response = api.post(f"/events/{event['id']}/publish")
    assert response.status_code == 200
    published = response.get_json()
    assert published["status"] == "published"
    assert published["updatedAt"] >= event["updatedAt"]
    changing = ("status", "updatedAt", "ticketTypes")
    assert {k: v for k, v in published.items() if k not in changing} == {
        k: v for k, v in event.items() if k not in changing
    }
    # A draft's ticket types are not on sale; published, they are.
    assert [t["onSale"] for t in event["ticketTypes"]] == [False]
    assert [t["onSale"] for t in published["ticketTypes"]] == [True]
    assert [{**t, "onSale": True} for t in event["ticketTypes"]] == published["ticketTypes"]
    assert api.event(event["id"]) == published
    # Its dates go on sale with it.
    assert set(lifecycles(event["id"]).values()) == {"published"}


def test_publish_by_slug(api):
    event = api.create(slug="spring-gala")
    assert api.post("/events/spring-gala/publish").get_json()["id"] == event["id"]
    assert api.event("spring-gala")["status"] == "published"


def test_publish_needs_a_ticket_type(api):
    event = api.create(ticketTypes=[], dates=[{"title": "Day 1", "startsAt": later(61)}])
    error = api_error(api.post(f"/events/{event['id']}/publish"), 409, "event_incomplete")
    assert error["message"] == "An event needs at least one ticket type before it is published"
    assert api.event(event["id"])["status"] == "draft"
    assert set(lifecycles(event["id"]).values()) == {"draft"}
    added = api.post(f"/events/{event['id']}/ticket-types", {"name": "GA", "quantity": 5})
    assert added.status_code == 201
    assert api.publish(event)["status"] == "published"


def test_a_ticket_type_on_a_date_is_enough_to_publish(api, client, seller):
    event = api.create(
        ticketTypes=[],
        dates=[
            {
                "title": "Day 1",
                "startsAt": later(61),
                "ticketTypes": [{"name": "Day", "price": 1000, "quantity": 5}],
            }
        ],
    )
    day_type = event["dates"][0]["ticketTypes"][0]["id"]
    # A draft date does not sell...
    refused = partner_order(client, seller, day_type)
    assert refused.status_code == 400
    assert "the event is draft" in refused.get_data(as_text=True)
    api.publish(event)
    # ...a published one does.
    placed(partner_order(client, seller, day_type, quantity=2))
    assert api.event(event["id"])["dates"][0]["ticketTypes"][0]["sold"] == 2


def test_complete_then_archive(api):
    event = api.publish(api.create())
    completed = api.post(f"/events/{event['id']}/complete")
    assert completed.status_code == 200
    assert completed.get_json()["status"] == "completed"
    archived = api.post(f"/events/{event['id']}/archive")
    assert archived.status_code == 200
    assert archived.get_json()["status"] == "archived"
    assert api.event(event["id"])["status"] == "archived"
    assert api.get("/events", status="archived").get_json()["items"][0]["id"] == event["id"]


ALLOWED = [
    ("draft", "publish", "published"),
    ("draft", "cancel", "cancelled"),
    ("published", "complete", "completed"),
    ("published", "cancel", "cancelled"),
    ("sold_out", "complete", "completed"),
    ("sold_out", "cancel", "cancelled"),
    ("completed", "archive", "archived"),
    ("cancelled", "archive", "archived"),
]


@pytest.mark.parametrize(("state", "action", "result"), ALLOWED)
def test_allowed_transitions(api, client, seller, state, action, result):
    event = in_state(api, client, seller, state)
    response = api.post(f"/events/{event['id']}/{action}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == result
    assert api.event(event["id"])["status"] == result


# Stored lifecycle names each state as the message shows it (sold_out is stored published).
INVALID = [
    ("draft", "complete", "draft", "published"),
    ("draft", "archive", "draft", "completed, cancelled"),
    ("published", "publish", "published", "draft"),
    ("published", "archive", "published", "completed, cancelled"),
    ("sold_out", "publish", "published", "draft"),
    ("sold_out", "archive", "published", "completed, cancelled"),
    ("completed", "publish", "completed", "draft"),
    ("completed", "complete", "completed", "published"),
    ("completed", "cancel", "completed", "draft, published"),
    ("cancelled", "publish", "cancelled", "draft"),
    ("cancelled", "complete", "cancelled", "published"),
    ("cancelled", "cancel", "cancelled", "draft, published"),
    ("archived", "publish", "archived", "draft"),
    ("archived", "complete", "archived", "published"),
    ("archived", "archive", "archived", "completed, cancelled"),
    ("archived", "cancel", "archived", "draft, published"),
]


@pytest.mark.parametrize(("state", "action", "stored", "allowed"), INVALID)
def test_invalid_transitions_are_409(api, client, seller, state, action, stored, allowed):
    event = in_state(api, client, seller, state)
    response = api.post(f"/events/{event['id']}/{action}")
    error = api_error(response, 409, "invalid_transition")
    assert error["message"] == f"A {stored} event cannot {action}; allowed from: {allowed}"
    assert api.event(event["id"]) == event


@pytest.mark.parametrize("action", ["publish", "complete", "archive", "cancel"])
def test_lifecycle_of_an_unknown_event_is_404(api, action):
    api_error(api.post(f"/events/4040/{action}"), 404, "event_not_found")
    api_error(api.post(f"/events/no-such-event/{action}"), 404, "event_not_found")


@pytest.mark.parametrize("state", ["completed", "cancelled", "archived"])
def test_no_ticket_types_are_added_to_a_closed_event(api, client, seller, state):
    event = in_state(api, client, seller, state, dates=[{"title": "Day 1", "startsAt": later(61)}])
    body = {"name": "Late addition", "quantity": 5}
    error = api_error(api.post(f"/events/{event['id']}/ticket-types", body), 409, "event_closed")
    assert error["message"] == f"The event is {state}"
    date_path = f"/events/{event['id']}/dates/{event['dates'][0]['id']}/ticket-types"
    api_error(api.post(date_path, body), 409, "event_closed")
    assert api.event(event["id"])["ticketTypes"] == event["ticketTypes"]


# --- delete -------------------------------------------------------------------------------


def test_delete_a_draft(api, client, seller):
    event = api.create(
        slug="pop-up",
        dates=[
            {
                "title": "Day 1",
                "startsAt": later(61),
                "ticketTypes": [{"name": "Day", "price": 100, "quantity": 3}],
            }
        ],
    )
    keep = api.create(title="Keep me")
    response = api.delete(f"/events/{event['id']}")
    assert response.status_code == 204
    assert response.get_data() == b""
    api_error(api.get(f"/events/{event['id']}"), 404, "event_not_found")
    api_error(api.get("/events/pop-up"), 404, "event_not_found")
    api_error(api.get(f"/events/{event['id']}/ticket-types"), 404, "event_not_found")
    api_error(api.post(f"/events/{event['id']}/publish"), 404, "event_not_found")
    assert api.list_ids() == [keep["id"]]
    # Gone for the partner API too: its ticket types cannot be ordered.
    day_type = event["dates"][0]["ticketTypes"][0]["id"]
    refused = partner_order(client, seller, day_type)
    assert refused.status_code == 400
    assert "deleted event" in refused.get_data(as_text=True)
    # A second delete finds nothing.
    api_error(api.delete(f"/events/{event['id']}"), 404, "event_not_found")


def test_a_deleted_drafts_slug_can_be_used_again(api):
    first = api.create(slug="reuse-me")
    assert api.delete("/events/reuse-me").status_code == 204
    again = api.post("/events", {"title": "Again", "startsAt": later(40), "slug": "reuse-me"})
    assert again.status_code == 201
    assert api.event("reuse-me")["id"] == again.get_json()["id"] != first["id"]
    # And by PATCH, after the second one is deleted too.
    assert api.delete("/events/reuse-me").status_code == 204
    third = api.create()
    assert api.patch(f"/events/{third['id']}", {"slug": "reuse-me"}).status_code == 200
    assert api.event("reuse-me")["id"] == third["id"]


@pytest.mark.parametrize("state", ["published", "sold_out", "completed", "cancelled", "archived"])
def test_only_drafts_can_be_deleted(api, client, seller, state):
    event = in_state(api, client, seller, state, slug="not-a-draft")
    error = api_error(api.delete(f"/events/{event['id']}"), 409, "event_not_draft")
    stored = "published" if state == "sold_out" else state
    assert error["message"] == (
        f"Only draft events can be deleted; this one is {stored} (cancel or archive it instead)"
    )
    api_error(api.delete("/events/not-a-draft"), 409, "event_not_draft")
    assert api.event("not-a-draft") == event


# --- duplicate ----------------------------------------------------------------------------


@pytest.fixture
def source(api, client, seller):
    """A published festival with a sale window, a date and some tickets sold."""
    start = now() + timedelta(days=40)
    event = api.publish(
        api.create(
            title="Harbour Festival",
            slug="harbour-2027",
            description="By the water",
            city="Rotterdam",
            venueName="Pier 5",
            timezone="Europe/Amsterdam",
            currency="EUR",
            startsAt=iso(start),
            endsAt=iso(start + timedelta(days=2)),
            allowReentry=False,
            ticketTypes=[
                {
                    "name": "Weekend",
                    "price": 8900,
                    "quantity": 100,
                    "salesStart": iso(start - timedelta(days=60)),
                    "salesEnd": iso(start - timedelta(hours=2)),
                    "minPerOrder": 1,
                    "maxPerOrder": 6,
                },
                {"name": "Crew", "price": 0, "quantity": 10, "hidden": True},
            ],
            dates=[
                {
                    "title": "Saturday",
                    "startsAt": iso(start + timedelta(days=1)),
                    "endsAt": iso(start + timedelta(days=1, hours=10)),
                    "ticketTypes": [
                        {
                            "name": "Saturday only",
                            "price": 4900,
                            "quantity": 50,
                            "salesEnd": iso(start + timedelta(days=1)),
                        }
                    ],
                }
            ],
        )
    )
    placed(partner_order(client, seller, event["ticketTypes"][0]["id"], quantity=2))
    placed(partner_order(client, seller, event["dates"][0]["ticketTypes"][0]["id"], quantity=3))
    return api.event(event["id"])


def at(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def moved(value, shift):
    return None if value is None else iso(at(value) + shift)


@pytest.mark.parametrize("days", [365, -20])
def test_duplicate_moves_dates_and_sale_windows(api, source, days):
    shift = timedelta(days=days, hours=3)
    starts = at(source["startsAt"]) + shift
    response = api.post(f"/events/{source['id']}/duplicate", {"startsAt": iso(starts)})
    assert response.status_code == 201
    copy = response.get_json()
    assert copy["id"] not in (source["id"], source["dates"][0]["id"])
    assert (copy["status"], copy["slug"], copy["sold"]) == ("draft", None, 0)
    assert copy["startsAt"] == iso(starts)
    assert copy["endsAt"] == moved(source["endsAt"], shift)
    same = ("title", "description", "city", "venueName", "timezone", "currency", "capacity")
    assert {k: copy[k] for k in same} == {k: source[k] for k in same}
    assert copy["allowReentry"] is False
    assert copy["available"] == 160

    def copied(original, duplicate, owner_id):
        assert duplicate["id"] != original["id"]
        assert duplicate["eventId"] == owner_id
        kept = ("name", "price", "quantity", "minPerOrder", "maxPerOrder", "hidden")
        assert {k: duplicate[k] for k in kept} == {k: original[k] for k in kept}
        assert (duplicate["sold"], duplicate["reserved"]) == (0, 0)
        assert duplicate["available"] == original["quantity"]
        assert duplicate["salesStart"] == moved(original["salesStart"], shift)
        assert duplicate["salesEnd"] == moved(original["salesEnd"], shift)

    assert len(copy["ticketTypes"]) == 2
    for original, duplicate in zip(source["ticketTypes"], copy["ticketTypes"], strict=True):
        copied(original, duplicate, copy["id"])
    [date] = copy["dates"]
    [source_date] = source["dates"]
    assert date["id"] != source_date["id"]
    assert date["title"] == "Saturday"
    assert date["startsAt"] == moved(source_date["startsAt"], shift)
    assert date["endsAt"] == moved(source_date["endsAt"], shift)
    [date_type] = date["ticketTypes"]
    copied(source_date["ticketTypes"][0], date_type, date["id"])
    # Stored as answered; the source is untouched.
    assert api.event(copy["id"]) == copy
    assert api.event(source["id"]) == source
    assert set(lifecycles(copy["id"]).values()) == {"draft"}
    row = event_row(copy["id"])
    assert (row.sold, row.reserved) == (0, 0)


def test_duplicate_with_title_slug_and_end(api, source):
    starts = now() + timedelta(days=400)
    body = {
        "startsAt": iso(starts),
        "endsAt": iso(starts + timedelta(hours=6)),
        "title": "Harbour Festival 2028",
        "slug": "harbour-2028",
    }
    response = api.post("/events/harbour-2027/duplicate", body)
    assert response.status_code == 201
    copy = response.get_json()
    assert (copy["title"], copy["slug"]) == ("Harbour Festival 2028", "harbour-2028")
    assert (copy["startsAt"], copy["endsAt"]) == (body["startsAt"], body["endsAt"])
    # The date still moves by the start's offset.
    shift = starts - at(source["startsAt"])
    assert copy["dates"][0]["startsAt"] == moved(source["dates"][0]["startsAt"], shift)
    assert api.event("harbour-2028")["id"] == copy["id"]
    assert api.event("harbour-2027")["id"] == source["id"]


def test_duplicate_to_a_taken_slug_is_409(api, source):
    before = Event.select().count(), TicketType.select().count()
    body = {"startsAt": later(400), "slug": "harbour-2027"}
    api_error(api.post(f"/events/{source['id']}/duplicate", body), 409, "slug_taken")
    assert (Event.select().count(), TicketType.select().count()) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "startsAt"),
        ({"startsAt": "2028-01-01T10:00:00"}, "startsAt"),
        ({"startsAt": "2028-01-01T10:00:00Z", "endsAt": "2028-01-01T09:00:00Z"}, "body"),
        ({"startsAt": "2028-01-01T10:00:00Z", "status": "published"}, "status"),
        ({"startsAt": "2028-01-01T10:00:00Z", "title": ""}, "title"),
    ],
)
def test_duplicate_validation(api, source, body, field):
    before = Event.select().count()
    assert field in field_errors(api.post(f"/events/{source['id']}/duplicate", body))
    assert Event.select().count() == before


def test_duplicate_of_unknown_event_is_404(api):
    api_error(api.post("/events/777/duplicate", {"startsAt": later(9)}), 404, "event_not_found")


def test_a_duplicate_sells_on_its_own(api, client, seller, source):
    copy = api.post(f"/events/{source['id']}/duplicate", {"startsAt": later(100)}).get_json()
    api.publish(copy)
    # The weekend ticket's sale window moved with the dates: not on sale yet.
    weekend = copy["ticketTypes"][0]["id"]
    assert partner_order(client, seller, weekend).status_code == 400
    saturday = copy["dates"][0]["ticketTypes"][0]["id"]
    placed(partner_order(client, seller, saturday, quantity=4))
    assert api.ticket_type(copy["id"], saturday)["sold"] == 4
    source_saturday = source["dates"][0]["ticketTypes"][0]["id"]
    assert api.ticket_type(source["id"], source_saturday)["sold"] == 3
    assert api.event(source["id"])["sold"] == 5


def test_duplicate_of_a_cancelled_event_is_a_fresh_draft(api, client, seller):
    event = in_state(api, client, seller, "cancelled", capacity=30)
    copy = api.post(f"/events/{event['id']}/duplicate", {"startsAt": later(120)})
    assert copy.status_code == 201
    body = copy.get_json()
    assert (body["status"], body["capacity"], body["available"]) == ("draft", 30, 10)
    assert api.publish(body)["status"] == "published"


# --- cancel -------------------------------------------------------------------------------


@pytest.fixture
def festival(api, client, seller):
    """A published event (two types and a date) with orders, and another event."""
    event = api.publish(
        api.create(
            title="Doomed",
            ticketTypes=[
                {"name": "GA", "price": 2500, "quantity": 20},
                {"name": "VIP", "price": 9000, "quantity": 5},
            ],
            dates=[
                {
                    "title": "Day 1",
                    "startsAt": later(61),
                    "ticketTypes": [{"name": "Day", "price": 1000, "quantity": 10}],
                }
            ],
        )
    )
    other = api.publish(api.create(title="Unaffected"))
    ga, vip = (t["id"] for t in event["ticketTypes"])
    day = event["dates"][0]["ticketTypes"][0]["id"]
    other_type = other["ticketTypes"][0]["id"]
    orders = {
        "paid": placed(partner_order(client, seller, ga, quantity=2, wp_order_id="wc_101")),
        "unpaid": placed(
            partner_order(client, seller, vip, quantity=1, paid=False, wp_order_id="wc_102")
        ),
        "date": placed(partner_order(client, seller, day, quantity=3, wp_order_id="wc_103")),
        "other": placed(partner_order(client, seller, other_type, quantity=1)),
    }
    mixed = order_body(ga, quantity=1, wp_order_id="wc_105")
    mixed["order_lines"].append({**mixed["order_lines"][0], "tp_event_ticket_id": other_type})
    mixed["order_total"] = 59.90
    orders["mixed"] = placed(
        client.post(
            f"/tp-api/orders/create?key={seller.key}",
            data=json.dumps(mixed),
            content_type="application/json",
        )
    )
    # One ticket was already scanned at the door: the event is off, it is cancelled too.
    scanned = tickets_of(order_row(orders["paid"]).id)[0]
    Ticket.update(status=TicketStatus.SCANNED_IN).where(Ticket.id == scanned.id).execute()
    return {"event": event, "other": other, "orders": orders, "types": (ga, vip, day)}


def test_cancel_refunds_paid_orders_and_cancels_unpaid_ones(api, festival):
    event, orders = festival["event"], festival["orders"]
    assert api.event(event["id"])["sold"] == 6
    response = api.post(f"/events/{event['id']}/cancel", {"reason": "Storm warning"})
    assert response.status_code == 200
    cancelled = response.get_json()
    assert cancelled["status"] == "cancelled"
    # Every unit is back: nothing sold, nothing reserved.
    assert cancelled["sold"] == 0
    types = cancelled["ticketTypes"] + cancelled["dates"][0]["ticketTypes"]
    assert [(t["name"], t["sold"], t["reserved"], t["available"]) for t in types] == [
        ("GA", 0, 0, 20),
        ("VIP", 0, 0, 5),
        ("Day", 0, 0, 10),
    ]
    assert set(lifecycles(event["id"]).values()) == {"cancelled"}
    # Every ticket of the event, scanned one included, is cancelled.
    scope = [event["id"], event["dates"][0]["id"]]
    statuses = {t.status for t in Ticket.select().where(Ticket.event.in_(scope))}
    assert statuses == {TicketStatus.CANCELLED}

    paid = api.order(orders["paid"])
    assert (paid["status"], paid["total"], paid["refunded"]) == ("refunded", 5990, 5990)
    [refund] = paid["refunds"]
    assert (refund["amount"], refund["reason"]) == (5990, "Storm warning")
    assert refund["lines"] == [{"lineId": paid["lines"][0]["id"], "quantity": 2, "amount": 5990}]
    assert [line["refundedQuantity"] for line in paid["lines"]] == [2]
    assert {t["status"] for t in paid["tickets"]} == {"cancelled"}

    on_date = api.order(orders["date"])
    assert (on_date["status"], on_date["refunded"]) == ("refunded", 8985)
    assert len(on_date["tickets"]) == 3
    assert {t["status"] for t in on_date["tickets"]} == {"cancelled"}

    unpaid = api.order(orders["unpaid"])
    assert (unpaid["status"], unpaid["refunded"], unpaid["refunds"]) == ("cancelled", 0, [])


def test_cancel_refunds_a_mixed_order_only_for_this_event(api, festival):
    event, other, orders = festival["event"], festival["other"], festival["orders"]
    assert api.post(f"/events/{event['id']}/cancel", {}).status_code == 200
    mixed = api.order(orders["mixed"])
    assert (mixed["status"], mixed["total"], mixed["refunded"]) == ("processing", 5990, 2995)
    [refund] = mixed["refunds"]
    assert (refund["amount"], refund["reason"]) == (2995, "event cancelled")
    this_line, other_line = mixed["lines"]
    assert refund["lines"] == [{"lineId": this_line["id"], "quantity": 1, "amount": 2995}]
    assert (this_line["refundedQuantity"], other_line["refundedQuantity"]) == (1, 0)
    by_event = {t["eventId"]: t["status"] for t in mixed["tickets"]}
    assert by_event == {event["id"]: "cancelled", other["id"]: "created"}
    # The other event keeps its sales and its status.
    untouched = api.event(other["id"])
    assert (untouched["status"], untouched["sold"]) == ("published", 2)
    alone = api.order(orders["other"])
    assert (alone["status"], alone["refunded"], alone["refunds"]) == ("processing", 0, [])
    assert {t["status"] for t in alone["tickets"]} == {"created"}


def test_cancel_leaves_already_refunded_orders_alone(api, festival):
    event, orders = festival["event"], festival["orders"]
    assert (
        api.post(f"/orders/{orders['date']}/refund", {"reason": "changed plans"}).status_code == 200
    )
    assert api.post(f"/events/{event['id']}/cancel").status_code == 200
    on_date = api.order(orders["date"])
    assert on_date["refunded"] == 8985
    assert [r["reason"] for r in on_date["refunds"]] == ["changed plans"]
    assert Refund.select().where(Refund.order == order_row(orders["date"]).id).count() == 1


def test_cancel_releases_a_shared_pool(api, client, seller):
    event = api.publish(
        api.create(
            capacity=6,
            ticketTypes=[
                {"name": "A", "price": 100, "quantity": 5},
                {"name": "B", "price": 100, "quantity": 5},
            ],
        )
    )
    a, b = (t["id"] for t in event["ticketTypes"])
    placed(partner_order(client, seller, a, quantity=3))
    placed(partner_order(client, seller, b, quantity=2, paid=False))
    row = event_row(event["id"])
    assert (row.sold, row.reserved) == (3, 2)
    cancelled = api.post(f"/events/{event['id']}/cancel").get_json()
    assert (cancelled["status"], cancelled["sold"], cancelled["available"]) == ("cancelled", 0, 6)
    row = event_row(event["id"])
    assert (row.sold, row.reserved) == (0, 0)
    assert [(t.sold, t.reserved) for t in TicketType.select().order_by(TicketType.id)] == [
        (0, 0),
        (0, 0),
    ]


def test_cancel_a_draft_without_orders(api):
    api.create(slug="never-happened")
    response = api.post("/events/never-happened/cancel", {"reason": "No venue"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    assert Refund.select().count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({"reason": 5}, "reason"), ({"reason": "x" * 501}, "reason"), ({"refund": False}, "refund")],
)
def test_cancel_validation(api, festival, body, field):
    event = festival["event"]
    assert field in field_errors(api.post(f"/events/{event['id']}/cancel", body))
    assert api.event(event["id"])["status"] == "published"
    assert order_row(festival["orders"]["paid"]).status == "processing"


def test_partner_orders_are_refused_after_cancel(api, client, seller, festival):
    event = festival["event"]
    assert api.post(f"/events/{event['id']}/cancel").status_code == 200
    ga = festival["types"][0]
    refused = partner_order(client, seller, ga)
    assert refused.status_code == 400
    assert refused.mimetype == "text/plain"
    assert refused.get_data(as_text=True) == (
        f"Ticket type GA ({ga}) is not on sale: the event is cancelled"
    )


# --- sold out -----------------------------------------------------------------------------


def test_sold_out_when_every_ticket_is_sold_and_back_after_a_refund(api, client, seller):
    event = api.publish(api.create(ticketTypes=[{"name": "GA", "price": 2500, "quantity": 3}]))
    type_id = event["ticketTypes"][0]["id"]
    first = placed(partner_order(client, seller, type_id, quantity=1))
    assert api.event(event["id"])["status"] == "published"
    last = placed(partner_order(client, seller, type_id, quantity=2))
    shown = api.event(event["id"])
    assert (shown["status"], shown["sold"], shown["available"]) == ("sold_out", 3, 0)
    assert api.list_ids(status="sold_out") == [event["id"]]
    assert api.list_ids(status="published") == []
    availability = api.get(f"/events/{event['id']}/availability").get_json()
    assert (availability["status"], availability["available"]) == ("sold_out", 0)
    assert [(t["available"], t["onSale"], t["soldOut"]) for t in availability["ticketTypes"]] == [
        (0, False, True)
    ]
    # The next order is refused.
    assert partner_order(client, seller, type_id).status_code == 409
    # A full refund ({}) frees the seats: published again.
    refunded = api.post(f"/orders/{last}/refund", {})
    assert refunded.status_code == 200
    assert (refunded.get_json()["status"], refunded.get_json()["refunded"]) == ("refunded", 5990)
    shown = api.event(event["id"])
    assert (shown["status"], shown["sold"], shown["available"]) == ("published", 1, 2)
    assert api.list_ids(status="published") == [event["id"]]
    assert api.list_ids(status="sold_out") == []
    assert api.get(f"/events/{event['id']}/availability").get_json()["status"] == "published"
    placed(partner_order(client, seller, type_id, quantity=2))
    assert api.event(event["id"])["status"] == "sold_out"
    assert api.order(first)["status"] == "processing"


def test_sold_out_counts_reservations_and_ignores_hidden_types(api, client, seller):
    event = api.publish(
        api.create(
            ticketTypes=[
                {"name": "GA", "price": 2500, "quantity": 2},
                {"name": "Guest list", "price": 0, "quantity": 40, "hidden": True},
            ],
            dates=[
                {
                    "title": "Day 1",
                    "startsAt": later(61),
                    "ticketTypes": [{"name": "Day", "price": 1000, "quantity": 1}],
                }
            ],
        )
    )
    ga = event["ticketTypes"][0]["id"]
    day = event["dates"][0]["ticketTypes"][0]["id"]
    placed(partner_order(client, seller, ga, quantity=2, paid=False))
    # The date still has a ticket: not sold out.
    assert api.event(event["id"])["status"] == "published"
    placed(partner_order(client, seller, day, quantity=1))
    assert api.event(event["id"])["status"] == "sold_out"
    assert api.list_ids(status="sold_out") == [event["id"]]


def test_a_full_shared_pool_is_sold_out(api, client, seller):
    event = api.publish(
        api.create(
            capacity=2,
            ticketTypes=[
                {"name": "A", "price": 100, "quantity": 5},
                {"name": "B", "price": 100, "quantity": 5},
            ],
        )
    )
    a, b = (t["id"] for t in event["ticketTypes"])
    number = placed(partner_order(client, seller, a, quantity=2))
    shown = api.event(event["id"])
    assert (shown["status"], shown["available"]) == ("sold_out", 0)
    assert [t["available"] for t in shown["ticketTypes"]] == [3, 5]
    assert api.list_ids(status="sold_out") == [event["id"]]
    # The pool refuses the other type too.
    assert partner_order(client, seller, b).status_code == 409
    # A partial refund (one unit) frees one seat.
    line = api.order(number)["lines"][0]["id"]
    partial = api.post(f"/orders/{number}/refund", {"lines": [{"lineId": line, "quantity": 1}]})
    assert partial.status_code == 200
    shown = api.event(event["id"])
    assert (shown["status"], shown["available"], shown["sold"]) == ("published", 1, 1)
    assert api.list_ids(status="published") == [event["id"]]


def test_a_sold_out_event_can_be_cancelled_and_everything_is_released(api, client, seller):
    event = in_state(api, client, seller, "sold_out")
    response = api.post(f"/events/{event['id']}/cancel")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["sold"], body["available"]) == ("cancelled", 0, 2)
    assert {o.status for o in Order.select()} == {"refunded"}


def test_live_only_leaves_out_events_past_their_end(api, client, seller):
    ended = api.publish(api.create(startsAt=later(-2), endsAt=later(0, seconds=-1)))
    running = api.publish(api.create(startsAt=later(-2), endsAt=later(0, hours=1)))
    assert api.list_ids(liveOnly="true") == [running["id"]]
    assert api.post(f"/events/{running['id']}/complete").status_code == 200
    assert api.list_ids(liveOnly="true") == []
    assert api.event(ended["id"])["status"] == "published"


def test_cancel_refunds_an_order_for_this_event_only_in_full_fees_included(
    api, client, festival, seller
):
    event = festival["event"]
    ga = festival["types"][0]
    body = order_body(ga, quantity=1, wp_order_id="wc_fee")
    body["order_lines"].append(
        {
            "name": "Booking fee",
            "quantity": 1,
            "product_id": 900,
            "order_item_type": "fee",
            "unit_price": 2.50,
        }
    )
    body["order_total"] = 32.45
    with_fee = placed(
        client.post(
            f"/tp-api/orders/create?key={seller.key}",
            data=json.dumps(body),
            content_type="application/json",
        )
    )
    assert api.post(f"/events/{event['id']}/cancel", {}).status_code == 200
    order = api.order(with_fee)
    assert (order["status"], order["total"], order["refunded"]) == ("refunded", 3245, 3245)
    assert [line["refundedQuantity"] for line in order["lines"]] == [1, 1]
