"""A partner push is bound to its shop's order when it can be traced to a shop, so the sync
finds that order by its binding; the binding rules and the key a shop names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sync.jobs import pull_orders
from tests.factories import order_body
from tests.sync.memory_shop import MemoryShop, Sale
from tp_api.models import Order, PartnerKey, Shop, ShopOrder, TicketType
from tp_api.services.credentials import partner_keys
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.errors import Conflict, NotFound
from tp_api.services.orders.order_input import parse_partner_order
from tp_api.services.orders.submit import submit_order
from tp_api.services.shops import connections

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
PRODUCT = 93  # the factory's shop maps product 93 to its ticket type


def _key_id(seller) -> int:
    return PartnerKey.get(PartnerKey.account == seller.id).id


def _push(seller, ticket_type, wp_order_id: str, *, key_id: int | None = None, quantity=2):
    body = order_body(ticket_type.id, quantity=quantity, wp_order_id=wp_order_id)
    return submit_order(seller.id, parse_partner_order(body), partner_key_id=key_id)


def _second_shop(seller, name: str = "second") -> Shop:
    return connections.add_shop(
        SecretBox(["test-secret"]),
        seller.id,
        name,
        platform="woocommerce",
        base_url="https://second.test",
        consumer_key="ck",
        consumer_secret="cs",
    ).shop


def _bindings() -> list[tuple[int, int, int | None]]:
    rows = ShopOrder.select().order_by(ShopOrder.id)
    return [(row.shop_id, row.external_id, row.order_id) for row in rows]


def test_a_push_with_the_key_a_shop_names_is_bound_to_that_shops_order(factory):
    seller, shop, ticket_type = factory.shop()
    _second_shop(seller)
    connections.set_partner_key(seller.id, "main", _key_id(seller))
    outcome = _push(seller, ticket_type, "wc_456", key_id=_key_id(seller))
    assert _bindings() == [(shop.id, 456, outcome.order_id)]


def test_the_accounts_only_shop_takes_pushes_when_it_names_no_key(factory):
    seller, shop, ticket_type = factory.shop()
    outcome = _push(seller, ticket_type, "457", key_id=_key_id(seller))
    assert _bindings() == [(shop.id, 457, outcome.order_id)]


@pytest.mark.parametrize("case", ["two shops", "only shop names another key", "not a number"])
def test_a_push_that_names_no_shop_is_not_bound(factory, case):
    seller, _, ticket_type = factory.shop()
    wp_order_id = "458"
    if case == "two shops":
        _second_shop(seller)
    elif case == "only shop names another key":
        other = partner_keys.create_key(seller.id, label="other plugin")
        connections.set_partner_key(seller.id, "main", other.id)
    else:
        wp_order_id = "ORDER-458"
    _push(seller, ticket_type, wp_order_id, key_id=_key_id(seller))
    assert _bindings() == []
    assert Order.select().count() == 1


def test_the_sync_applies_the_shops_next_snapshot_of_a_pushed_order(factory):
    seller, shop, ticket_type = factory.shop(stock=10)
    pushed = _push(seller, ticket_type, "wc_501", key_id=_key_id(seller))
    memory = MemoryShop()
    memory.put(Sale(501, "paid", T0, {PRODUCT: 2}, refunded={PRODUCT: 1}))
    run = pull_orders(Shop.get_by_id(shop.id), memory)
    assert (run.orders_new, run.orders_changed, run.errors) == (0, 1, 0)
    binding = ShopOrder.get()
    assert (binding.order_id, binding.status) == (pushed.order_id, "processing")
    assert binding.content_hash  # the snapshot's: the next identical poll skips it
    assert Order.select().count() == 1
    assert TicketType.get_by_id(ticket_type.id).sold == 1  # the shop refunded one unit

    again = pull_orders(Shop.get_by_id(shop.id), memory)
    assert (again.orders_new, again.orders_changed, again.orders_skipped) == (0, 0, 1)


def test_a_push_after_the_shop_recorded_a_draft_binds_the_new_order(factory):
    seller, shop, ticket_type = factory.shop()
    memory = MemoryShop()
    memory.put(Sale(600, "draft", T0, {PRODUCT: 1}))
    pull_orders(shop, memory)
    assert _bindings() == [(shop.id, 600, None)]
    outcome = _push(seller, ticket_type, "600", key_id=_key_id(seller))
    assert _bindings() == [(shop.id, 600, outcome.order_id)]


def test_a_key_serves_one_shop_of_its_own_account(factory):
    seller, _, _ = factory.shop()
    _second_shop(seller)
    stranger = factory.seller()
    with pytest.raises(NotFound) as missing:
        connections.set_partner_key(seller.id, "main", _key_id(stranger))
    assert missing.value.code == "key_not_found"
    connections.set_partner_key(seller.id, "main", _key_id(seller))
    with pytest.raises(Conflict) as taken:
        connections.set_partner_key(seller.id, "second", _key_id(seller))
    assert taken.value.code == "key_serves_another_shop"
    partner_keys.revoke_key(seller.id, _key_id(seller))
    with pytest.raises(Conflict) as revoked:
        connections.set_partner_key(seller.id, "main", _key_id(seller))
    assert revoked.value.code == "key_revoked"
    assert connections.set_partner_key(seller.id, "main", None).partner_key_id is None


def test_an_order_pushed_over_the_partner_api_is_bound_with_the_key_it_came_with(factory, client):
    seller, shop, ticket_type = factory.shop()
    _second_shop(seller)  # two shops: only the key can say which one
    connections.set_partner_key(seller.id, "second", _key_id(seller))
    body = order_body(ticket_type.id, quantity=1, wp_order_id="wc_777")
    response = client.post(f"/tp-api/orders/create?key={seller.key}", json=body)
    assert (response.status_code, response.get_data(as_text=True)) == (200, "Order created")
    second = Shop.get(Shop.name == "second")
    assert _bindings() == [(second.id, 777, Order.get().id)]
