"""The console's pages, walked with a signed-in test client: what staff see and do."""

from __future__ import annotations

import re

import pytest

from config.shops import sync_now_handler
from config.tickets import scan_public_keys, ticket_tools
from tests.conftest import TEST_SECRET
from tests.fake_woo import FakeWoo, fail_times
from tests.tp_api.console.support import page_text, post_form, sign_in
from tp_api.models import Order, OutboxEntry, SyncRun, Ticket, TicketStatus, TicketType
from tp_api.services.delivery import outbox
from tp_api.services.delivery.ticket_files import ticket_code
from tp_api.services.door import scanners
from tp_api.services.door.checkin import ScanRequest, scan
from tp_api.services.shops.sync_requests import SYNC_SHOP_NOW


def test_events_show_sales_per_ticket_type(client, factory, seller):
    event = factory.event(seller, name="Harbour Jazz", ticket_stock=40)
    ticket_type = factory.ticket_type(event)
    factory.order(seller, ticket_type, quantity=3)
    factory.order(seller, ticket_type, quantity=2, paid=False)
    page = page_text(client.get("/console/events"))
    assert "Harbour Jazz" in page
    # Sold 3, reserved 2 (unpaid), left 35, revenue of the paid order only.
    assert "General Admission 3 2 35 EUR 89.85" in page


def test_another_accounts_events_and_orders_are_not_shown(client, factory, seller):
    other = factory.seller("Other")
    event = factory.event(other, name="Not Yours")
    outcome = factory.order(other, factory.ticket_type(event))
    assert "Not Yours" not in page_text(client.get("/console/events"))
    assert client.get(f"/console/events/{event.id}").status_code == 404
    assert client.get(f"/console/orders/{outcome.number}").status_code == 404
    assert client.get(f"/console/door/{event.id}/figures.json").status_code == 404


def test_event_page_charts_tickets_sold_per_day(client, factory, time_machine):
    time_machine.move_to("2026-11-20T12:00:00Z", tick=False)
    owner = factory.seller()
    event = factory.event(owner, name="Chart Fest")
    ticket_type = factory.ticket_type(event)
    factory.order(owner, ticket_type, quantity=2)
    time_machine.move_to("2026-11-25T09:00:00Z", tick=False)
    factory.order(owner, ticket_type, quantity=4)
    sign_in(client, factory.staff(owner).email)
    response = client.get(f"/console/events/{event.id}?days=7")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<title>2026-11-25: 4</title>" in html and "<title>2026-11-20: 0</title>" not in html
    month = client.get(f"/console/events/{event.id}?days=30").get_data(as_text=True)
    assert "<title>2026-11-20: 2</title>" in month and "<title>2026-11-25: 4</title>" in month
    # The busiest day is the full plot height; the table carries the same numbers.
    assert "busiest day 4 tickets" in month
    assert "2026-11-25 4 EUR 119.80" in page_text(client.get(f"/console/events/{event.id}"))


def test_orders_search_by_reference_email_and_name(client, factory, seller):
    ticket_type = factory.ticket_type(factory.event(seller))
    first = factory.order(
        seller,
        ticket_type,
        billing_information={
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.com",
        },
    )
    second = factory.order(
        seller,
        ticket_type,
        wp_order_id="wc_98765",
        billing_information={
            "first_name": "Alan",
            "last_name": "Turing",
            "email": "alan@example.com",
        },
    )
    refs = {first.reference, second.reference}
    assert refs <= set(re.findall(r"TP-\d+", page_text(client.get("/console/orders"))))
    for query, expected in (
        ("lovelace", first.reference),
        ("ALAN@example", second.reference),
        (second.reference, second.reference),
        (second.reference.lower(), second.reference),
        ("98765", second.reference),
        ("wc_98765", second.reference),
        (str(first.number), first.reference),
    ):
        found = set(
            re.findall(
                r"TP-\d+", page_text(client.get("/console/orders", query_string={"q": query}))
            )
        )
        assert found == {expected}, query
    assert "No orders match" in page_text(client.get("/console/orders?q=nobody-at-all"))
    short = client.get("/console/orders?q=ad")
    assert short.status_code == 200
    assert 'aria-invalid="true"' in short.get_data(as_text=True)
    assert "Type at least 3 characters of a name or e-mail address" in page_text(short)


def test_refund_part_of_an_order_puts_the_stock_back(client, factory, seller):
    event = factory.event(seller, ticket_stock=10)
    ticket_type = factory.ticket_type(event)
    outcome = factory.order(seller, ticket_type, quantity=3)
    order_page = f"/console/orders/{outcome.number}"
    assert "Left in stock" in page_text(client.get(order_page))
    line_id = int(re.search(r'name="line-(\d+)"', client.get(order_page).get_data(as_text=True))[1])
    response = post_form(
        client,
        order_page,
        f"{order_page}/refund",
        {f"line-{line_id}": "2", "reason": "Could not come", "refunds_seen": "0"},
    )
    assert response.status_code == 302
    page = page_text(client.get(order_page))
    assert "Refunded 59.90" in page
    assert "Could not come" in page
    assert TicketType.get_by_id(ticket_type.id).sold == 1
    statuses = [t.status for t in Ticket.select().where(Ticket.order == outcome.order_id)]
    assert statuses.count(TicketStatus.CANCELLED) == 2
    # The line now shows 2 refunded and 9 left in stock.
    assert "General Admission EUR 29.95 3 2 9" in page


def test_refund_the_whole_order(client, factory, seller):
    ticket_type = factory.ticket_type(factory.event(seller, ticket_stock=10))
    outcome = factory.order(seller, ticket_type, quantity=2)
    page = f"/console/orders/{outcome.number}"
    form = {"whole": "yes", "refunds_seen": "0"}
    assert post_form(client, page, f"{page}/refund", form).status_code == 302
    assert Order.get_by_id(outcome.order_id).status == "refunded"
    assert TicketType.get_by_id(ticket_type.id).sold == 0


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({}, 400, "Choose the tickets to refund"),
        ({"line-LINE": "lots"}, 400, "is not a number of tickets"),
        ({"line-LINE": "-1"}, 400, "cannot be negative"),
        ({"line-LINE": "9"}, 422, ""),
    ],
)
def test_bad_refund_forms_are_explained_on_the_page(client, factory, seller, form, status, message):
    ticket_type = factory.ticket_type(factory.event(seller))
    outcome = factory.order(seller, ticket_type, quantity=1)
    page = f"/console/orders/{outcome.number}"
    line_id = re.search(r'name="line-(\d+)"', client.get(page).get_data(as_text=True))[1]
    data = {"refunds_seen": "0", **{k.replace("LINE", line_id): v for k, v in form.items()}}
    response = post_form(client, page, f"{page}/refund", data)
    assert response.status_code == status
    assert 'role="alert"' in response.get_data(as_text=True)
    assert message in page_text(response)
    assert TicketType.get_by_id(ticket_type.id).sold == 1


def test_an_unpaid_order_offers_no_refund(client, factory, seller):
    ticket_type = factory.ticket_type(factory.event(seller))
    outcome = factory.order(seller, ticket_type, paid=False)
    page = page_text(client.get(f"/console/orders/{outcome.number}"))
    assert "Only paid orders can be refunded" in page


def test_door_figures_per_gate(client, factory, seller, settings):
    event = factory.event(seller, name="Door Fest")
    outcome = factory.order(seller, factory.ticket_type(event), quantity=3)
    tickets = factory.personalise_all(seller, outcome)
    context = scanners.authenticate_scanner(
        scanners.create_scanner(seller.id, "Gate kit", [event.id]).secret
    )
    tools = ticket_tools(settings)
    for ticket, gate in zip(tickets[:2], ("North", "South"), strict=True):
        request = ScanRequest(ticket_code(tools, ticket), event.id, gate=gate)
        result = scan(context, request, scan_public_keys(settings))
        assert result.success
    figures = client.get(f"/console/door/{event.id}/figures.json").get_json()
    assert (figures["inside"], figures["toArrive"], figures["valid"]) == (2, 1, 3)
    assert figures["gates"] == [
        {"gate": "North", "in": 1, "out": 0},
        {"gate": "South", "in": 1, "out": 0},
    ]
    page = client.get(f"/console/door/{event.id}")
    assert 'data-source="/console/door/' in page.get_data(as_text=True)
    assert "North 1 0 South 1 0" in page_text(page)
    assert client.get("/console/door").headers["Location"] == f"/console/door/{event.id}"


def test_sync_now_runs_through_the_outbox_and_a_failure_shows_its_error(client, factory, settings):
    with FakeWoo() as woo:
        owner, shop, _ = factory.shop(url=woo.url, secret=TEST_SECRET, seller="Shop Seller")
        user = factory.staff(owner)
        sign_in(client, user.email)
        assert "No runs yet" in page_text(client.get("/console/shops"))
        response = post_form(client, "/console/shops", f"/console/shops/{shop.id}/sync", {})
        assert response.status_code == 302
        page = page_text(client.get("/console/shops"))
        assert "Sync requested" in page and "sync waiting for the worker" in page
        # A second click while it waits adds nothing.
        post_form(client, "/console/shops", f"/console/shops/{shop.id}/sync", {})
        assert "already waiting" in page_text(client.get("/console/shops"))
        assert OutboxEntry.select().where(OutboxEntry.kind == SYNC_SHOP_NOW).count() == 1
        woo.failures.append(
            fail_times(1, 401, b'{"code":"woocommerce_rest_cannot_view"}', {}, "application/json")
        )
        (job,) = outbox.claim([SYNC_SHOP_NOW])
        sync_now_handler(settings)(job)
        outbox.complete(job)
    runs = list(SyncRun.select().where(SyncRun.shop == shop.id))
    assert {r.kind for r in runs} == {"orders", "stock"}
    page = page_text(client.get("/console/shops"))
    assert "Last error" in page
    assert "GET orders: HTTP 401 woocommerce_rest_cannot_view Unauthorized" in page
    assert "sync waiting for the worker" not in page


def test_the_shop_page_names_each_failed_product_of_a_run(client, factory):
    owner, shop, _ = factory.shop(secret=TEST_SECRET)
    sign_in(client, factory.staff(owner).email)
    SyncRun.create(
        shop=shop.id,
        kind="stock",
        stock_writes=1,
        errors=2,
        error_text="product 94: not found in the shop (deleted, or in the trash?)\n"
        "product 95 variation 23: GET products/95/variations: HTTP 404 rest_no_route",
    )
    html = client.get("/console/shops").get_data(as_text=True)
    assert (
        html.count("<li>product 94: not found in the shop (deleted, or in the trash?)</li>") == 2
    )  # in the alert and in the run's row
    assert (
        "<li>product 95 variation 23: GET products/95/variations: HTTP 404 rest_no_route</li>"
        in html
    )


def test_stock_differences_show_what_the_shop_was_last_given(client, factory):
    owner, shop, ticket_type = factory.shop(secret=TEST_SECRET, stock=10)
    sign_in(client, factory.staff(owner).email)
    page = page_text(client.get("/console/shops"))
    assert "93 General Admission never set 10" in page
    factory.order(owner, ticket_type, quantity=4)
    from tp_api.models import ProductMapping

    ProductMapping.update(last_pushed_stock=10).execute()
    assert "93 General Admission 10 6" in page_text(client.get("/console/shops"))
    ProductMapping.update(last_pushed_stock=6).execute()
    assert "The shop shows the stock we have" in page_text(client.get("/console/shops"))


def test_another_accounts_shop_cannot_be_synced(client, factory, seller):
    _, shop, _ = factory.shop(secret=TEST_SECRET, seller="Someone Else")
    response = post_form(client, "/console/shops", f"/console/shops/{shop.id}/sync", {})
    assert response.status_code == 404
    assert OutboxEntry.select().where(OutboxEntry.kind == SYNC_SHOP_NOW).count() == 0


def test_events_come_fifty_to_a_page(client, factory, seller, monkeypatch):
    from tp_api.web.console import queries as console_queries

    monkeypatch.setattr(console_queries, "EVENTS_PER_PAGE", 2)
    monkeypatch.setattr(
        console_queries.events_with_sales, "__kwdefaults__", {"offset": 0, "limit": 2}
    )
    for day in range(3):
        factory.event(seller, name=f"Night {day}", start_date=1785780000 + day * 86400)
    first = page_text(client.get("/console/events"))
    assert "Night 2" in first and "Night 1" in first and "Night 0" not in first
    assert "Earlier events" in first
    second = page_text(client.get("/console/events?offset=2"))
    assert "Night 0" in second and "Night 2" not in second
    assert "Earlier events" not in second
    assert "No more events" in page_text(client.get("/console/events?offset=999"))
    assert "Night 2" in page_text(client.get("/console/events?offset=-5"))


def test_a_refund_form_sent_twice_refunds_once(client, factory, seller):
    ticket_type = factory.ticket_type(factory.event(seller, ticket_stock=10))
    outcome = factory.order(seller, ticket_type, quantity=3)
    page = f"/console/orders/{outcome.number}"
    html = client.get(page).get_data(as_text=True)
    line_id = re.search(r'name="line-(\d+)"', html)[1]
    seen = re.search(r'name="refunds_seen" value="(\d+)"', html)[1]
    form = {f"line-{line_id}": "1", "refunds_seen": seen}
    assert post_form(client, page, f"{page}/refund", form).status_code == 302
    again = post_form(client, page, f"{page}/refund", form)
    assert again.status_code == 409
    assert "was refunded meanwhile" in page_text(again)
    assert TicketType.get_by_id(ticket_type.id).sold == 2


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/console/orders?q=%00", None),
        ("REFUND", {"reason": "oops\x00", "whole": "yes", "refunds_seen": "0"}),
        ("REFUND", {"whole": "yes"}),
    ],
)
def test_bad_input_is_a_400_page_not_a_server_error(client, factory, seller, path, form):
    outcome = factory.order(seller, factory.ticket_type(factory.event(seller)))
    order_page = f"/console/orders/{outcome.number}"
    if form is None:
        response = client.get(path)
    else:
        response = post_form(client, order_page, f"{order_page}/refund", form)
    assert response.status_code == 400
    assert response.mimetype == "text/html"


def test_cancel_an_unpaid_order_gives_its_hold_back(client, factory, seller):
    ticket_type = factory.ticket_type(factory.event(seller, ticket_stock=10))
    outcome = factory.order(seller, ticket_type, quantity=3, paid=False)
    page = f"/console/orders/{outcome.number}"
    assert TicketType.get_by_id(ticket_type.id).reserved == 3
    assert "Cancel order" in page_text(client.get(page))

    assert post_form(client, page, f"{page}/cancel", {}).status_code == 302

    assert Order.get_by_id(outcome.order_id).status == "cancelled"
    assert TicketType.get_by_id(ticket_type.id).reserved == 0
    shown = page_text(client.get(page))
    assert "The order is cancelled" in shown
    assert "Cancel order" not in shown


def test_a_paid_order_has_no_cancel_button_and_refuses_a_forged_cancel(client, factory, seller):
    ticket_type = factory.ticket_type(factory.event(seller, ticket_stock=10))
    outcome = factory.order(seller, ticket_type, quantity=1)
    page = f"/console/orders/{outcome.number}"
    assert "Cancel order" not in page_text(client.get(page))

    response = post_form(client, page, f"{page}/cancel", {})

    assert response.status_code == 409
    assert "refund it instead of cancelling" in page_text(response)
    assert Order.get_by_id(outcome.order_id).is_paid
