"""Shops connected and run from the console against the fake WooCommerce on loopback: the
pasted key tested before anything is saved, our order webhooks registered with the shop's
secret, a disabled webhook set back to active, pause, resume and remove; refusals beside
their fields; private addresses only when the operator allows them."""

from __future__ import annotations

import re

import pytest

from tests.fake_woo import FakeWoo
from tests.query_counter import count_queries
from tests.tp_api.console.support import page_text, post_form, sign_in
from tests.webhooks.support import drain
from tp_api.models import AuditEntry, OutboxEntry, Shop, TicketType
from tp_api.services import audit_trail
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.shops import connections
from tp_api.services.shops.sync_requests import SYNC_SHOP_NOW
from tp_api.web.console import type_picker
from tp_api.web.parts import parts_of


@pytest.fixture
def console(hook_app, factory, seller):
    """The console of an app that may reach loopback (where the fake shop listens)."""
    client = hook_app.test_client()
    assert sign_in(client, factory.staff(seller, email="anna@example.com").email).status_code == 302
    return client


@pytest.fixture
def woo():
    with FakeWoo() as fake:
        yield fake


def _connect(console, woo, **changes):
    form = {
        "name": "Main shop",
        "url": woo.url,
        "consumer_key": "ck_test",
        "consumer_secret": "cs_test",
        **changes,
    }
    return post_form(console, "/console/shops", "/console/shops", form)


def _error(response, field: str) -> str:
    found = re.search(rf'id="{field}-error">([^<]*)<', response.get_data(as_text=True))
    assert found, field
    return found.group(1)


def test_connect_tests_the_key_and_registers_our_webhooks(console, woo, hook_app):
    answer = _connect(console, woo)
    assert answer.status_code == 200, page_text(answer)
    words = page_text(answer)
    assert "WooCommerce version: 9.4.2" in words and "may write: yes" in words
    assert "registered order.created, order.updated, order.deleted" in words
    shop = Shop.get(Shop.name == "Main shop")
    expected_url = f"http://tickets.test/shops/{shop.id}/woocommerce/webhook"
    secret = connections.connection(parts_of(hook_app).secret_box, shop).webhook_secret
    hooks = sorted(woo.webhooks.values(), key=lambda h: h["topic"])
    assert [(h["topic"], h["delivery_url"], h["secret"]) for h in hooks] == [
        ("order.created", expected_url, secret),
        ("order.deleted", expected_url, secret),
        ("order.updated", expected_url, secret),
    ]
    assert AuditEntry.get(AuditEntry.action == "shop.connected").actor_label == "anna@example.com"


def test_a_wrong_key_saves_nothing_and_says_why(console, woo):
    answer = _connect(console, woo, consumer_secret="cs_wrong")
    assert answer.status_code == 422
    assert _error(answer, "consumer_key").startswith("The shop refused this key")
    assert 'value="ck_test"' in answer.get_data(as_text=True)  # typed values kept, not the secret
    assert "cs_wrong" not in answer.get_data(as_text=True)
    assert Shop.select().count() == 0


def test_a_read_only_key_connects_but_says_it_cannot_write(console, woo):
    woo.permissions = "read"
    words = page_text(_connect(console, woo))
    assert "may read: yes" in words and "may write: no" in words
    assert "needs a key with Read/Write permissions" in words
    assert woo.webhooks == {}


def test_test_connection_sets_a_disabled_webhook_back_to_active(console, woo):
    _connect(console, woo)
    shop = Shop.get()
    hook_id = next(iter(woo.webhooks))
    woo.webhooks[hook_id]["status"] = "disabled"  # WooCommerce did, after 5 failures
    words = page_text(post_form(console, "/console/shops", f"/console/shops/{shop.id}/check", {}))
    assert "set back to active: 1" in words
    assert woo.webhooks[hook_id]["status"] == "active" and len(woo.webhooks) == 3
    entry = AuditEntry.get(AuditEntry.action == "shop.webhooks_restored")
    assert (entry.actor_label, entry.subject_id) == ("anna@example.com", shop.id)
    assert audit_trail.changes_of(entry) == {"reactivated": [None, str(hook_id)]}


def test_test_connection_records_webhooks_registered_again_and_nothing_when_all_is_well(
    console, woo
):
    _connect(console, woo)
    shop = Shop.get()
    check = f"/console/shops/{shop.id}/check"
    assert "all there" in page_text(post_form(console, "/console/shops", check, {}))
    assert not AuditEntry.select().where(AuditEntry.action == "shop.webhooks_restored").exists()
    gone = next(i for i, hook in woo.webhooks.items() if hook["topic"] == "order.deleted")
    del woo.webhooks[gone]  # someone deleted it in WooCommerce
    assert "registered order.deleted" in page_text(post_form(console, "/console/shops", check, {}))
    [entry] = AuditEntry.select().where(AuditEntry.action == "shop.webhooks_restored")
    assert audit_trail.changes_of(entry) == {"registered": [None, "order.deleted"]}
    listed = page_text(console.get("/console/audit?action=shop"))
    assert "webhooks registered or switched on again" in listed


def test_pause_resume_and_remove(console, woo):
    _connect(console, woo)
    shop = Shop.get()
    paused = post_form(console, "/console/shops", f"/console/shops/{shop.id}/pause", {})
    assert "Sync of Main shop paused" in page_text(console.get(paused.headers["Location"]))
    assert not Shop.get_by_id(shop.id).enabled
    post_form(console, "/console/shops", f"/console/shops/{shop.id}/resume", {})
    assert Shop.get_by_id(shop.id).enabled
    post_form(console, "/console/shops", f"/console/shops/{shop.id}/remove", {})
    assert Shop.select().count() == 0
    actions = [
        e.action
        for e in AuditEntry.select()
        .where(AuditEntry.subject_type == "shop")
        .order_by(AuditEntry.id)
    ]
    assert actions == ["shop.connected", "shop.paused", "shop.resumed", "shop.removed"]


def test_a_private_address_needs_the_operators_consent(client, factory, seller, woo):
    """The suite's usual app does not allow private destinations."""
    sign_in(client, factory.staff(seller, email="bo@example.com").email)
    refused = _connect(client, woo)
    assert refused.status_code == 400
    assert "private" in _error(refused, "url") or "not public" in _error(refused, "url")
    assert Shop.select().count() == 0


def test_another_accounts_shop_cannot_be_removed(console, factory):
    other = factory.seller("Other BV")
    theirs = connections.add_shop(
        SecretBox(["x" * 32]), other.id, "Theirs", platform="woocommerce",
        base_url="https://their.example", consumer_key="ck", consumer_secret="cs",
    ).shop  # fmt: skip
    page = "/console/shops"
    assert post_form(console, page, f"/console/shops/{theirs.id}/remove", {}).status_code == 404
    assert post_form(console, page, f"/console/shops/{theirs.id}/pause", {}).status_code == 404
    assert Shop.get_by_id(theirs.id).enabled


def test_map_and_unmap_products_read_from_the_shop(console, woo, factory, seller):
    from tp_api.models import ProductMapping

    ticket_type = factory.ticket_type(factory.event(seller, name="Harbour Jazz", ticket_stock=40))
    _stock_the_shop(woo)
    _connect(console, woo)
    shop = Shop.get()
    page = f"/console/shops/{shop.id}/products"
    listed = page_text(console.get(page))
    assert "Standing ticket SKU JAZZ-ST" in listed and "Festival pass" in listed and "Mug" in listed
    found = page_text(console.get(page, query_string={"search": "jazz"}))
    assert "Standing ticket" in found and "Mug" not in found

    mapped = post_form(
        console,
        page,
        f"{page}/map?search=jazz",
        {"product_id": "93", "variation_id": "0", "ticket_type_id": str(ticket_type.id)},
    )
    assert mapped.status_code == 302 and "search=jazz" in mapped.headers["Location"]
    assert ProductMapping.get().ticket_type_id == ticket_type.id
    after = page_text(console.get(page))
    assert "Harbour Jazz · General Admission" in after and "Unmap" in after

    variations = page_text(console.get(page, query_string={"product": 94}))
    assert "Friday" in variations and "Saturday" in variations
    post_form(
        console,
        page,
        f"{page}/map?product=94",
        {"product_id": "94", "variation_id": "942", "ticket_type_id": str(ticket_type.id)},
    )
    assert connections.mappings(shop.id) == {(93, 0): ticket_type.id, (94, 942): ticket_type.id}

    post_form(console, page, f"{page}/unmap", {"product_id": "93", "variation_id": "0"})
    assert connections.mappings(shop.id) == {(94, 942): ticket_type.id}
    actions = [
        e.action
        for e in AuditEntry.select()
        .where(AuditEntry.action.startswith("shop.product"))
        .order_by(AuditEntry.id)
    ]
    assert actions == ["shop.product_mapped", "shop.product_mapped", "shop.product_unmapped"]


def test_a_shop_that_does_not_answer_is_said_on_the_products_page(console, woo):
    _connect(console, woo)
    shop = Shop.get()
    woo.failures.append(
        lambda handler: handler._send(503, {"code": "down", "message": "down", "data": {}}) or True
    )
    words = page_text(console.get(f"/console/shops/{shop.id}/products"))
    assert "The shop did not answer" in words


def _stock_the_shop(woo) -> None:
    """A simple ticket product, a variable pass with two days, and a mug."""
    woo.products.update(
        {
            93: {
                "id": 93,
                "name": "Standing ticket",
                "sku": "JAZZ-ST",
                "type": "simple",
                "manage_stock": True,
                "stock_quantity": 12,
            },
            94: {"id": 94, "name": "Festival pass", "sku": "", "type": "variable"},
            95: {"id": 95, "name": "Mug", "sku": "MUG", "type": "simple"},
        }
    )
    woo.variations[94] = {
        941: {"id": 941, "name": "Friday", "manage_stock": True, "stock_quantity": 5},
        942: {"id": 942, "attributes": [{"name": "Day", "option": "Saturday"}]},
    }


def test_create_a_product_in_the_shop_for_a_ticket_type(console, woo, factory, seller):
    ticket_type = factory.ticket_type(factory.event(seller, name="Canal Concert", ticket_stock=30))
    _connect(console, woo)
    shop = Shop.get()
    page = f"/console/shops/{shop.id}/products"
    made = post_form(console, page, f"{page}/create", {"ticket_type_id": str(ticket_type.id)})
    assert made.status_code == 302
    [product] = woo.products.values()
    assert (product["name"], product["sku"], product["regular_price"]) == (
        "Canal Concert · General Admission",
        f"tp-{ticket_type.id}",
        "29.95",
    )
    assert (product["virtual"], product["manage_stock"], product["stock_quantity"]) == (
        True,
        True,
        30,
    )
    assert connections.mappings(shop.id) == {(product["id"], 0): ticket_type.id}
    assert "and mapped it" in page_text(console.get(made.headers["Location"]))
    refused = post_form(console, page, f"{page}/create", {"ticket_type_id": "999999"})
    assert "Choose the ticket type" in page_text(console.get(refused.headers["Location"]))
    assert len(woo.products) == 1


def _many_ticket_types(factory, seller, count: int):
    """A festival (newest) with ``count`` tiers, a festival with a day, and an older
    concert: the concert's ticket type is the last in the picker's order."""
    tiers = [{"name": f"Tier {i}", "stock": 10, "price": 10} for i in range(count)]
    factory.event(
        seller,
        name="Big Festival",
        start_date=1790000000,
        end_date=1790090000,
        tickets=tiers,
    )
    day = {"name": "Sunday", "stock": 5, "tickets": [{"name": "Day", "stock": 5}]}
    factory.event(seller, name="Canal Days", children=[day])
    old = factory.event(seller, name="Old Harbour Concert", ticket_stock=7)
    return TicketType.get(TicketType.event == old.id)


def test_the_ticket_type_picker_finds_any_of_many_by_name(console, woo, factory, seller):
    concert = _many_ticket_types(factory, seller, type_picker.SHOWN + 10)
    _stock_the_shop(woo)
    _connect(console, woo)
    page = f"/console/shops/{Shop.get().id}/products"
    first = console.get(page).get_data(as_text=True)
    # Three pickers (the create form, products 93 and 95), each with the first SHOWN types.
    assert len(re.findall(r'<option value="\d+"', first)) == 3 * type_picker.SHOWN
    assert "Old Harbour Concert" not in first
    assert f"offer the first {type_picker.SHOWN} ticket types" in page_text(console.get(page))

    found = console.get(page, query_string={"find": "harbour"})
    options = re.findall(r'<option value="(\d+)">([^<]*)<', found.get_data(as_text=True))
    assert set(options) == {(str(concert.id), "Old Harbour Concert · General Admission")}
    assert "The lists offer 1 ticket type." in page_text(found)
    mapped = post_form(
        console,
        f"{page}?find=harbour",
        f"{page}/map?find=harbour",
        {"product_id": "93", "variation_id": "0", "ticket_type_id": str(concert.id)},
    )
    assert mapped.headers["Location"].endswith("?find=harbour")
    assert connections.mappings(Shop.get().id) == {(93, 0): concert.id}
    # Mapped beyond what the picker offers, it is still named, with what we can sell.
    words = page_text(console.get(page))
    assert "Old Harbour Concert · General Admission Unmap" in words and " 7 " in words

    festival_day = page_text(console.get(page, query_string={"find": "canal days"}))
    assert "Sunday · Day" in festival_day  # a date found by its festival's name
    none = page_text(console.get(page, query_string={"find": "100%_"}))
    assert "No ticket type matches “100%_”." in none


@pytest.mark.parametrize("size", [2, 12])
def test_the_products_page_costs_a_few_queries_whatever_is_mapped(
    console, woo, factory, seller, monkeypatch, size
):
    _connect(console, woo)
    shop = Shop.get()
    for i in range(size):
        woo.products[200 + i] = {"id": 200 + i, "name": f"Ticket {i}", "type": "simple"}
        ticket_type = factory.ticket_type(factory.event(seller, name=f"Night {i}"))
        connections.map_product(shop, product_id=200 + i, ticket_type_id=ticket_type.id)
    with count_queries(monkeypatch) as statements:
        listed = console.get(f"/console/shops/{shop.id}/products", query_string={"find": "night"})
    assert listed.status_code == 200 and page_text(listed).count("Unmap") == size
    assert len(statements) == 5, statements  # session, shop, mappings, the picker, the mapped


def test_mapping_a_product_queues_a_sync_that_sets_its_stock_in_the_shop(
    console, woo, factory, seller, outbox
):
    ticket_type = factory.ticket_type(factory.event(seller, name="Harbour Jazz", ticket_stock=40))
    _stock_the_shop(woo)
    _connect(console, woo)
    page = f"/console/shops/{Shop.get().id}/products"
    form = {"product_id": "93", "variation_id": "0", "ticket_type_id": str(ticket_type.id)}
    mapped = post_form(console, page, f"{page}/map", form)
    assert "A sync of the shop is queued" in page_text(console.get(mapped.headers["Location"]))
    [job] = OutboxEntry.select().where(OutboxEntry.kind == SYNC_SHOP_NOW)
    assert job.done_at is None and woo.products[93]["stock_quantity"] == 12  # not yet
    drain(outbox)
    assert woo.products[93]["stock_quantity"] == 40  # what we can sell
    assert OutboxEntry.get_by_id(job.id).done_at is not None
