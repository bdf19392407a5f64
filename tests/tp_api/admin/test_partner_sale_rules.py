"""Sale rules set through the admin API and obeyed by the partner API's ``orders/create``:
the event's lifecycle, each ticket type's sale window and per-order limits. Orders a shop
already took (the ingest path) are recorded regardless."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.admin_api import Admin, iso
from tests.factories import order_body
from tests.tp_api.admin.events_support import order_row, partner_order, placed
from tp_api.models import Order, OrderStatus, Ticket, TicketType
from tp_api.services.orders.ingest import ShopOrderSnapshot, ingest_shop_order
from tp_api.services.orders.order_input import BillingInput, OrderInput, OrderLineInput

T0 = datetime(2031, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    """Time stands still at T0 until a test moves it."""
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def api(clock, api):
    """The shared ``api``, its key made with the clock already at T0."""
    return api


@pytest.fixture
def event(api):
    """A published event two months after T0 with two ticket types, GA and Bar."""
    return api.publish(
        api.create(
            startsAt=iso(T0 + timedelta(days=60)),
            ticketTypes=[
                {"name": "GA", "price": 2995, "quantity": 50},
                {"name": "Bar", "price": 500, "quantity": 50},
            ],
        )
    )


@pytest.fixture
def ga(event):
    return event["ticketTypes"][0]["id"]


def set_rules(api, event, type_id, **rules):
    response = api.patch(f"/events/{event['id']}/ticket-types/{type_id}", rules)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def refused(response, message):
    """The partner API's refusal: 400, the message as plain text."""
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == message


def sold(type_id):
    row = TicketType.get_by_id(type_id)
    return row.sold, row.reserved


def post(client, seller, body):
    return client.post(
        f"/tp-api/orders/create?key={seller.key}",
        data=json.dumps(body),
        content_type="application/json",
    )


# --- lifecycle ----------------------------------------------------------------------------


def test_a_published_event_sells(client, seller, ga):
    order = order_row(placed(partner_order(client, seller, ga, quantity=2)))
    assert order.status == OrderStatus.PROCESSING
    assert sold(ga) == (2, 0)
    assert Ticket.select().where(Ticket.order == order.id).count() == 2


@pytest.mark.parametrize("paid", [True, False])
def test_a_draft_does_not_sell(api, client, seller, clock, paid):
    draft = api.create(startsAt=iso(T0 + timedelta(days=60)))
    type_id = draft["ticketTypes"][0]["id"]
    refused(
        partner_order(client, seller, type_id, paid=paid),
        f"Ticket type General Admission ({type_id}) is not on sale: the event is draft",
    )
    assert Order.select().count() == 0
    assert sold(type_id) == (0, 0)


@pytest.mark.parametrize(
    ("actions", "state"),
    [
        (["complete"], "completed"),
        (["cancel"], "cancelled"),
        (["complete", "archive"], "archived"),
    ],
)
def test_a_closed_event_does_not_sell(api, client, seller, event, ga, actions, state):
    for action in actions:
        assert api.post(f"/events/{event['id']}/{action}").status_code == 200
    refused(
        partner_order(client, seller, ga),
        f"Ticket type GA ({ga}) is not on sale: the event is {state}",
    )
    assert Order.select().count() == 0
    assert sold(ga) == (0, 0)


# --- sale window --------------------------------------------------------------------------


def test_not_before_sales_start(api, client, seller, clock, event, ga):
    opens = T0 + timedelta(hours=1)
    shown = set_rules(api, event, ga, salesStart=iso(opens))
    assert shown["onSale"] is False
    message = f"Ticket type GA ({ga}) is not on sale yet: sales start at 2031-03-01T13:00:00Z"
    refused(partner_order(client, seller, ga), message)
    clock.move_to(opens - timedelta(seconds=1), tick=False)
    refused(partner_order(client, seller, ga, paid=False), message)
    assert Order.select().count() == 0
    clock.move_to(opens, tick=False)
    placed(partner_order(client, seller, ga))
    assert sold(ga) == (1, 0)
    assert api.ticket_type(event["id"], ga)["onSale"] is True


def test_not_from_sales_end(api, client, seller, clock, event, ga):
    closes = T0 + timedelta(hours=1)
    set_rules(api, event, ga, salesEnd=iso(closes))
    placed(partner_order(client, seller, ga))
    clock.move_to(closes - timedelta(seconds=1), tick=False)
    placed(partner_order(client, seller, ga))
    message = f"Ticket type GA ({ga}) is no longer on sale: sales ended at 2031-03-01T13:00:00Z"
    clock.move_to(closes, tick=False)
    refused(partner_order(client, seller, ga), message)
    clock.move_to(closes + timedelta(days=3), tick=False)
    refused(partner_order(client, seller, ga, quantity=3), message)
    assert sold(ga) == (2, 0)
    assert api.ticket_type(event["id"], ga)["onSale"] is False


def test_inside_a_window(api, client, seller, clock, event, ga):
    set_rules(
        api,
        event,
        ga,
        salesStart=iso(T0 - timedelta(days=1)),
        salesEnd=iso(T0 + timedelta(days=1)),
    )
    placed(partner_order(client, seller, ga, quantity=3))
    assert sold(ga) == (3, 0)


def test_a_window_set_at_creation_is_obeyed(api, client, seller, clock):
    event = api.publish(
        api.create(
            startsAt=iso(T0 + timedelta(days=60)),
            ticketTypes=[
                {
                    "name": "Presale",
                    "price": 1000,
                    "quantity": 10,
                    "salesStart": iso(T0 + timedelta(days=1)),
                    "maxPerOrder": 2,
                }
            ],
        )
    )
    type_id = event["ticketTypes"][0]["id"]
    refused(
        partner_order(client, seller, type_id),
        f"Ticket type Presale ({type_id}) is not on sale yet: sales start at 2031-03-02T12:00:00Z",
    )
    clock.move_to(T0 + timedelta(days=1), tick=False)
    refused(
        partner_order(client, seller, type_id, quantity=3),
        f"Ticket type Presale ({type_id}) is sold at most 2 per order; 3 requested",
    )
    placed(partner_order(client, seller, type_id, quantity=2))


def test_rules_are_per_ticket_type_and_per_date(api, client, seller, clock):
    event = api.publish(
        api.create(
            startsAt=iso(T0 + timedelta(days=60)),
            dates=[
                {
                    "title": "Day 1",
                    "startsAt": iso(T0 + timedelta(days=61)),
                    "ticketTypes": [{"name": "Day", "price": 1000, "quantity": 10}],
                }
            ],
        )
    )
    ga = event["ticketTypes"][0]["id"]
    day = event["dates"][0]["ticketTypes"][0]["id"]
    set_rules(api, event, day, salesEnd=iso(T0 - timedelta(minutes=1)))
    refused(
        partner_order(client, seller, day),
        f"Ticket type Day ({day}) is no longer on sale: sales ended at 2031-03-01T11:59:00Z",
    )
    placed(partner_order(client, seller, ga))
    assert (sold(ga), sold(day)) == ((1, 0), (0, 0))


def test_clearing_the_rules_reopens_sales(api, client, seller, event, ga):
    set_rules(api, event, ga, salesEnd=iso(T0 - timedelta(hours=1)), maxPerOrder=1)
    assert partner_order(client, seller, ga).status_code == 400
    cleared = set_rules(api, event, ga, salesEnd=None, maxPerOrder=None)
    assert (cleared["salesEnd"], cleared["maxPerOrder"], cleared["onSale"]) == (None, None, True)
    placed(partner_order(client, seller, ga, quantity=5))


# --- per-order limits ---------------------------------------------------------------------


def test_per_order_limits(api, client, seller, event, ga):
    shown = set_rules(api, event, ga, minPerOrder=2, maxPerOrder=4)
    assert (shown["minPerOrder"], shown["maxPerOrder"]) == (2, 4)
    refused(
        partner_order(client, seller, ga, quantity=1),
        f"Ticket type GA ({ga}) is sold at least 2 per order; 1 requested",
    )
    refused(
        partner_order(client, seller, ga, quantity=5),
        f"Ticket type GA ({ga}) is sold at most 4 per order; 5 requested",
    )
    refused(
        partner_order(client, seller, ga, quantity=5, paid=False),
        f"Ticket type GA ({ga}) is sold at most 4 per order; 5 requested",
    )
    assert Order.select().count() == 0
    placed(partner_order(client, seller, ga, quantity=2))
    placed(partner_order(client, seller, ga, quantity=4))
    assert sold(ga) == (6, 0)


def test_limits_count_every_line_of_the_type(api, client, seller, event, ga):
    set_rules(api, event, ga, minPerOrder=2, maxPerOrder=4)
    body = order_body(ga, quantity=3)
    body["order_lines"].append(dict(body["order_lines"][0]))
    refused(
        post(client, seller, body),
        f"Ticket type GA ({ga}) is sold at most 4 per order; 6 requested",
    )
    # Two lines of one each make the minimum together.
    body = order_body(ga, quantity=1)
    body["order_lines"].append(dict(body["order_lines"][0]))
    placed(post(client, seller, body))
    assert sold(ga) == (2, 0)


def test_one_refused_line_refuses_the_whole_order(api, client, seller, event, ga):
    bar = event["ticketTypes"][1]["id"]
    set_rules(api, event, bar, maxPerOrder=1)
    body = order_body(ga, quantity=2)
    body["order_lines"].append({**body["order_lines"][0], "tp_event_ticket_id": bar})
    refused(
        post(client, seller, body),
        f"Ticket type Bar ({bar}) is sold at most 1 per order; 2 requested",
    )
    assert Order.select().count() == 0
    assert (sold(ga), sold(bar)) == ((0, 0), (0, 0))


def test_a_hidden_type_is_still_sold_by_id(api, client, seller, event, ga):
    set_rules(api, event, ga, hidden=True)
    placed(partner_order(client, seller, ga))
    assert sold(ga) == (1, 0)


# --- orders that are not checkouts --------------------------------------------------------


def test_paying_an_order_after_sales_closed_is_accepted(api, client, seller, clock, event, ga):
    set_rules(api, event, ga, salesEnd=iso(T0 + timedelta(hours=1)), maxPerOrder=2)
    number = placed(partner_order(client, seller, ga, quantity=2, paid=False, wp_order_id="wc_77"))
    order_id = order_row(number).id
    assert Order.get_by_id(order_id).status == OrderStatus.PENDING
    clock.move_to(T0 + timedelta(hours=2), tick=False)
    # The shop pushes the same order again once it is paid: an update, not a new checkout.
    again = partner_order(client, seller, ga, quantity=2, wp_order_id="wc_77")
    assert placed(again) == number
    assert Order.get_by_id(order_id).status == OrderStatus.PROCESSING
    assert Ticket.select().where(Ticket.order == order_id).count() == 2
    assert sold(ga) == (2, 0)
    # A new order is still refused.
    assert partner_order(client, seller, ga, wp_order_id="wc_78").status_code == 400


def shop_snapshot(type_id, quantity, external_id=501):
    return ShopOrderSnapshot(
        external_id=external_id,
        status="processing",
        date_modified=T0,
        order=OrderInput(
            wp_order_id=str(external_id),
            currency="EUR",
            total_cents=2995 * quantity,
            date_paid=T0,
            billing=BillingInput(first_name="Jane", last_name="Doe", email="jane@example.com"),
            lines=(
                OrderLineInput(
                    name="General Admission",
                    quantity=quantity,
                    product_id=93,
                    order_item_type="line_item",
                    unit_price_cents=2995,
                    ticket_type_id=type_id,
                ),
            ),
        ),
    )


def test_shop_orders_are_recorded_whatever_the_rules(client, factory, clock):
    owner, shop, ticket_type = factory.shop(stock=10)
    api = Admin(client, factory.api_key(owner))
    event_id = ticket_type.event_id
    rules = {"salesEnd": iso(T0 - timedelta(days=1)), "minPerOrder": 1, "maxPerOrder": 2}
    response = api.patch(f"/events/{event_id}/ticket-types/{ticket_type.id}", rules)
    assert response.status_code == 200
    # A checkout is refused...
    assert partner_order(client, owner, ticket_type.id, quantity=3).status_code == 400
    # ...an order the shop already took is recorded, over the limit and after the window
    # (an event that cannot be sold at all is another matter: tests/sync/test_unsellable.py).
    outcome = ingest_shop_order(shop.id, shop.account_id, shop_snapshot(ticket_type.id, 3))
    assert (outcome.action, outcome.problems) == ("new", [])
    order = Order.get_by_id(outcome.order_id)
    assert order.status == OrderStatus.PROCESSING
    assert Ticket.select().where(Ticket.order == order.id).count() == 3
    assert sold(ticket_type.id) == (3, 0)
    # Stock still cannot go below zero.
    over = ingest_shop_order(shop.id, shop.account_id, shop_snapshot(ticket_type.id, 8, 502))
    assert over.order_id is None
    assert any("Not enough tickets left" in p for p in over.problems), over.problems
    assert sold(ticket_type.id) == (3, 0)
