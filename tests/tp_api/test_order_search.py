"""The order search by a piece of the buyer's e-mail address or name (order_search): the
same answers whichever plan the text takes (indexed lookup, newest-first reading), on both
stores."""

from __future__ import annotations

import pytest

from tp_api.db import database, is_postgres
from tp_api.models import Order
from tp_api.services.errors import InvalidInput
from tp_api.services.orders import order_search
from tp_api.services.orders.order_queries import OrderFilter, list_orders

BUYERS = [
    ("Ada", "Lovelace", "ada@example.com"),
    ("Alan", "Turing", "alan@example.com"),
    ("Jan", "Jansen", "jan_jansen@voorbeeld.nl"),
    ("Janx", "Xjansen", "janxjansen@voorbeeld.nl"),
    ("Grace", 'Hopper "Amazing"', "grace+100%@navy.example"),
    ("Ömer", "Özdemir", "omer@voorbeeld.nl"),
]


@pytest.fixture
def orders(factory):
    seller = factory.seller("Search")
    ticket_type = factory.ticket_type(factory.event(seller, ticket_stock=100))
    made = {}
    for first, last, email in BUYERS:
        outcome = factory.order(
            seller,
            ticket_type,
            billing_information={"first_name": first, "last_name": last, "email": email},
        )
        made[last] = outcome.number
    stranger = factory.seller("Other")
    other_type = factory.ticket_type(factory.event(stranger, ticket_stock=10))
    factory.order(
        stranger,
        other_type,
        billing_information={"first_name": "Ada", "last_name": "Lovelace", "email": "x@y.z"},
    )
    return seller, made


def found(seller, text: str) -> set[int]:
    page = list_orders(seller.id, OrderFilter(search=text), limit=50, cursor=None)
    return {order.number for order in page.orders}


CASES = [
    ("lovelace", ["Lovelace"]),
    ("LOVE", ["Lovelace"]),
    ("ada lovelace", ["Lovelace"]),  # first and last name together
    ("@example.com", ["Lovelace", "Turing"]),
    ("jan_jansen", ["Jansen"]),  # an underscore is itself, not "any character"
    ("100%@", ['Hopper "Amazing"']),  # so is a per cent sign
    ('"amazing"', ['Hopper "Amazing"']),  # quotes do not break the index's query syntax
    ("özdemir", ["Özdemir"]),  # the index folds case beyond ASCII
    ("nobody at all", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_text_finds_the_buyers_that_hold_it(db, orders, text, expected):
    seller, made = orders
    assert found(seller, text) == {made[name] for name in expected}


@pytest.mark.parametrize("text", ["an", "Öz", "x"])
def test_text_under_three_characters_asks_for_more(db, orders, text):
    seller, _ = orders
    with pytest.raises(InvalidInput) as refused:
        found(seller, text)
    assert refused.value.code == "search_too_short"


def test_a_short_number_is_still_an_order_number(db, orders):
    seller, made = orders
    assert found(seller, str(made["Lovelace"])) == {made["Lovelace"]}


def test_the_index_is_read_in_batches_past_other_accounts_orders(db, orders, monkeypatch):
    seller, made = orders
    monkeypatch.setattr(order_search, "BATCH", 1)  # one order id per look at the index
    assert found(seller, "example.com") == {made["Lovelace"], made["Turing"]}
    # The newest "lovelace" is another account's: the search reads on past it.
    assert found(seller, "lovelace") == {made["Lovelace"]}


def test_postgres_asks_the_index_for_what_the_newest_orders_lack(db, orders, monkeypatch):
    seller, made = orders
    monkeypatch.setattr(order_search, "RECENT", 1)  # only the newest order is looked through
    assert found(seller, "example.com") == {made["Lovelace"], made["Turing"]}
    assert found(seller, "lovelace") == {made["Lovelace"]}
    assert found(seller, "nobody at all") == set()


def test_after_a_few_batches_the_accounts_own_orders_are_read(db, orders, monkeypatch):
    seller, made = orders
    monkeypatch.setattr(order_search, "BATCH", 1)
    monkeypatch.setattr(order_search, "MOST_BATCHES", 1)  # only the stranger's newest order
    assert found(seller, "lovelace") == {made["Lovelace"]}


def test_pages_of_a_search_follow_each_other_without_a_gap(db, orders, monkeypatch):
    seller, made = orders
    monkeypatch.setattr(order_search, "BATCH", 1)
    monkeypatch.setattr(order_search, "RECENT", 1)
    seen, cursor = [], None
    while True:
        page = list_orders(seller.id, OrderFilter(search="jansen"), limit=1, cursor=cursor)
        seen += [order.number for order in page.orders]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [made["Xjansen"], made["Jansen"]]


def test_a_changed_name_is_found_by_its_new_words_only(db, orders):
    seller, made = orders
    Order.update(billing_last_name="Byron").where(Order.number == made["Lovelace"]).execute()
    assert found(seller, "byron") == {made["Lovelace"]}
    assert found(seller, "lovelace") == set()
    Order.delete().where(Order.number == made["Turing"]).execute()
    assert found(seller, "turing") == set()


def test_postgres_answers_from_the_trigram_index(db, orders):
    if not is_postgres():
        pytest.skip("the trigram index of PostgreSQL")
    seller, _ = orders
    # The words alone: at this size the planner would rightly read the account's few rows.
    query = Order.select(Order.id).where(order_search.text_match("lovelace"))
    sql, params = query.sql()
    with database.atomic():
        database.execute_sql("SET LOCAL enable_seqscan = off")
        plan = "\n".join(row[0] for row in database.execute_sql("EXPLAIN " + sql, params))
    assert "order_search_words" in plan, plan
