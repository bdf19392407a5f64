"""GET /api/v1/customers and the streamed CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from tests.admin_api import api_error
from tests.tp_api.admin_orders.helpers import (
    UNIT,
    auth,
    line_number,
    make_shop,
    numbers_newest_first,
)
from tp_api.models import Order, OrderLine
from tp_api.services.customers import listing

HEADER = [
    "email",
    "first_name",
    "last_name",
    "phone",
    "orders_count",
    "total_spent_cents",
    "first_order_at",
    "last_order_at",
]


def billing(email, first="Jane", last="Doe", phone=""):
    return {
        "billing_information": {
            "email": email,
            "first_name": first,
            "last_name": last,
            "phone": phone,
        }
    }


def customers(client, key, **query):
    response = client.get("/api/v1/customers", query_string=query, headers=auth(key))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def export(client, key):
    response = client.get("/api/v1/customers/export", headers=auth(key))
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="customers.csv"'
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_customers_aggregate_orders_by_email(client, factory, shop):
    first = shop.order(factory, quantity=2, **billing("jane@example.com", "Janet"))
    refunded = shop.order(factory, quantity=3, **billing("jane@example.com"))
    pending = shop.order(factory, paid=False, **billing("jane@example.com"))
    latest = shop.order(factory, **billing("jane@example.com", "Jane", "Roe", "+3161"))
    bob = shop.order(factory, **billing("bob@example.com", "Bob", "B"))
    for outcome, month in ((first, 1), (refunded, 2), (pending, 3), (latest, 4), (bob, 5)):
        Order.update(created_at=datetime(2026, month, 1, tzinfo=UTC)).where(
            Order.id == outcome.order_id
        ).execute()
    line = OrderLine.get(OrderLine.order == refunded.order_id)
    refund = client.post(
        f"/api/v1/orders/{refunded.number}/refund",
        json={"lines": [{"lineId": line_number(line), "quantity": 1}]},
        headers=auth(shop.key),
    )
    assert refund.status_code == 200, refund.get_data(as_text=True)
    body = customers(client, shop.key)
    assert body["nextCursor"] is None
    assert [c["email"] for c in body["items"]] == ["bob@example.com", "jane@example.com"]
    jane = body["items"][1]
    assert jane["ordersCount"] == 4
    # Paid orders count what is left after refunds; the pending one counts nothing.
    assert jane["totalSpent"] == 2 * UNIT + 2 * UNIT + UNIT
    assert (jane["firstName"], jane["lastName"], jane["phone"]) == ("Jane", "Roe", "+3161")
    assert jane["firstOrderAt"].startswith("2026-01-01T00:00:00")
    assert jane["lastOrderAt"].startswith("2026-04-01T00:00:00")
    assert [o["id"] for o in jane["orders"]] == [
        latest.number,
        pending.number,
        refunded.number,
        first.number,
    ]
    assert jane["orders"][1] == {
        "id": pending.number,
        "reference": pending.reference,
        "status": "pending",
        "total": UNIT,
        "currency": "EUR",
        "createdAt": jane["orders"][1]["createdAt"],
    }
    assert body["items"][0]["ordersCount"] == 1 and body["items"][0]["totalSpent"] == UNIT


def test_refunded_and_cancelled_orders_add_nothing_to_total_spent(client, factory, shop):
    kept = shop.order(factory, quantity=2)
    gone = shop.order(factory, quantity=5)
    cancelled = shop.order(factory, quantity=7)
    Order.update(status="cancelled").where(Order.id == cancelled.order_id).execute()
    client.post(f"/api/v1/orders/{gone.number}/refund", json={}, headers=auth(shop.key))
    (jane,) = customers(client, shop.key)["items"]
    assert (jane["ordersCount"], jane["totalSpent"]) == (3, 2 * UNIT)
    assert [o["status"] for o in jane["orders"]] == ["cancelled", "refunded", "processing"]
    assert kept.number == jane["orders"][2]["id"]


def test_history_keeps_the_ten_newest_orders(client, factory, shop):
    placed = [shop.order(factory) for _ in range(12)]
    (jane,) = customers(client, shop.key)["items"]
    assert jane["ordersCount"] == 12
    assert [o["id"] for o in jane["orders"]] == numbers_newest_first(placed)[:10]


def test_orders_without_an_email_are_not_customers(client, factory, shop):
    shop.order(factory, billing_information={"first_name": "Anon"})
    shop.order(factory)
    assert [c["email"] for c in customers(client, shop.key)["items"]] == ["jane@example.com"]


def test_customers_page_by_email_without_gaps_or_duplicates(client, factory, shop):
    emails = [f"c{i}@example.com" for i in range(5)]
    for email in reversed(emails):
        shop.order(factory, **billing(email))
        shop.order(factory, **billing(email))
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = customers(client, shop.key, **query)
        seen += [c["email"] for c in body["items"]]
        assert all(c["ordersCount"] == 2 for c in body["items"])
        pages += 1
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert (pages, seen) == (3, emails)


def test_customers_search_matches_email_or_name(client, factory, shop):
    shop.order(factory, **billing("anna@example.com", "Anna", "Berg"))
    shop.order(factory, **billing("carl@sample.org", "Carl", "Lindberg"))
    shop.order(factory, **billing("dora@example.com", "Dora", "Smith"))

    def found(term):
        return [c["email"] for c in customers(client, shop.key, search=term)["items"]]

    assert found("sample.org") == ["carl@sample.org"]
    assert found("berg") == ["anna@example.com", "carl@sample.org"]
    assert found("%") == [] and found("_") == []
    assert found("Dora") == ["dora@example.com"]
    assert found("nobody") == []


def test_search_finds_customers_but_does_not_change_their_figures(client, factory, shop):
    shop.order(factory, quantity=2, **billing("jane@example.com", "Janet"))
    shop.order(factory, **billing("jane@example.com", "Jane"))
    shop.order(factory, **billing("jane@example.com", "Jane"))
    (everyone,) = customers(client, shop.key)["items"]
    assert (everyone["ordersCount"], everyone["totalSpent"]) == (3, 4 * UNIT)
    (by_email,) = customers(client, shop.key, search="jane@")["items"]
    assert by_email == everyone


def test_a_name_search_returns_the_whole_customer(client, factory, shop):
    shop.order(factory, quantity=2, **billing("jane@example.com", "Janet"))
    shop.order(factory, **billing("jane@example.com", "Jane"))
    shop.order(factory, **billing("jane@example.com", "Jane"))
    (everyone,) = customers(client, shop.key)["items"]
    (found,) = customers(client, shop.key, search="Janet")["items"]
    assert found["email"] == "jane@example.com"
    assert len(found["orders"]) == 3
    assert (found["ordersCount"], found["totalSpent"]) == (3, 4 * UNIT)
    assert found == everyone


def test_bad_customer_queries_are_400(client, shop):
    for query in ("limit=0", "limit=101", "cursor=!!", "sort=email"):
        response = client.get(f"/api/v1/customers?{query}", headers=auth(shop.key))
        assert response.status_code == 400, query


def test_export_streams_a_header_and_one_row_per_customer(client, factory, shop):
    shop.order(factory, quantity=2, **billing("zoe@example.com", "Zoe", "Z", "0612"))
    shop.order(factory, **billing("amy@example.com", "Amy", "A"))
    shop.order(factory, **billing("amy@example.com", "Amy", "Adams"))
    first = Order.select().where(Order.billing_email == "amy@example.com").order_by(Order.id).get()
    Order.update(created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)).where(
        Order.id == first.id
    ).execute()
    rows = export(client, shop.key)
    assert rows[0] == HEADER
    assert len(rows) == 3
    amy, zoe = rows[1], rows[2]
    assert amy[:6] == ["amy@example.com", "Amy", "Adams", "", "2", str(2 * UNIT)]
    assert amy[6] == "2026-01-02T03:04:05Z"
    assert amy[7].endswith("Z") and amy[7] > amy[6]
    assert zoe[:6] == ["zoe@example.com", "Zoe", "Z", "0612", "1", str(2 * UNIT)]


def test_export_of_an_account_without_customers_is_just_the_header(client, shop):
    assert export(client, shop.key) == [HEADER]


def test_export_neutralises_formula_cells(client, factory, shop):
    first = shop.order(factory, **billing("first@evil.example", "=1+2", "+SUM(A1)", "-1"))
    second = shop.order(factory, **billing("second@evil.example", "@SUM(1)", "Plain", "+31600"))
    # The partner API refuses such addresses; a shop order is recorded with whatever the shop
    # took, so the export must still be safe with them.
    for outcome, bad in ((first, "=HYPERLINK(1)@evil.example"), (second, "@cmd@evil.example")):
        Order.update(billing_email=bad).where(Order.id == outcome.order_id).execute()
    rows = export(client, shop.key)[1:]
    by_email = {row[0]: row for row in rows}
    assert by_email["'=HYPERLINK(1)@evil.example"][1:4] == ["'=1+2", "'+SUM(A1)", "'-1"]
    assert by_email["'@cmd@evil.example"][1:4] == ["'@SUM(1)", "Plain", "'+31600"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row[:4])


def test_export_pages_through_batches_without_gaps_or_duplicates(
    client, factory, shop, monkeypatch
):
    monkeypatch.setattr(listing, "EXPORT_BATCH", 2)
    emails = sorted(f"p{i}@example.com" for i in range(5))
    for email in emails:
        shop.order(factory, **billing(email))
    response = client.get("/api/v1/customers/export", headers=auth(shop.key))
    chunks = list(response.response)
    assert len(chunks) >= 4  # the header, then one chunk per batch
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks).decode()
            )
        )
    )
    assert [row[0] for row in rows[1:]] == emails


def test_export_and_list_show_only_the_callers_customers(client, factory, shop):
    other = make_shop(factory)
    shop.order(factory, **billing("mine@example.com"))
    shop.order(factory, **billing("shared@example.com"))
    other.order(factory, **billing("theirs@example.com"))
    other.order(factory, quantity=4, **billing("shared@example.com"))
    other.order(factory, **billing("shared@example.com"))
    mine = customers(client, shop.key)["items"]
    assert [c["email"] for c in mine] == ["mine@example.com", "shared@example.com"]
    shared = mine[1]
    assert (shared["ordersCount"], shared["totalSpent"], len(shared["orders"])) == (1, UNIT, 1)
    rows = export(client, shop.key)[1:]
    assert [r[0] for r in rows] == ["mine@example.com", "shared@example.com"]
    assert rows[1][4:6] == ["1", str(UNIT)]
    theirs = export(client, other.key)[1:]
    assert [r[0] for r in theirs] == ["shared@example.com", "theirs@example.com"]
    assert theirs[0][4:6] == ["2", str(5 * UNIT)]
    assert [c["email"] for c in customers(client, other.key, search="mine")["items"]] == []


def test_export_needs_a_key(client):
    api_error(client.get("/api/v1/customers/export"), 401, "unauthorized")
