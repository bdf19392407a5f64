"""A WooCommerce shop behind the ShopAdapter protocol: the REST client's calls, with orders
mapped to our snapshots. Everything WooCommerce-shaped stays in this package."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from bridge.adapters import woo_wire
from bridge.adapters.base import (
    ConnectionCheck,
    ShopError,
    ShopProduct,
    StockRead,
    StockUpdate,
    StockWriteResult,
)
from bridge.adapters.mapping import snapshot_from_woo
from bridge.adapters.woocommerce import WooClient
from tp_api.services.orders.ingest import ShopOrderSnapshot, deleted_snapshot


class WooCommerceShop:
    """The sync daemon's view of one WooCommerce shop."""

    def __init__(self, client: WooClient) -> None:
        self.client = client

    def __repr__(self) -> str:
        return f"WooCommerceShop({self.client!r})"

    def iter_order_snapshots(
        self, since: datetime | None, mappings: Mapping[tuple[int, int], int]
    ) -> Iterator[ShopOrderSnapshot]:
        for order in self.client.iter_orders_modified_since(since):
            yield self._snapshot(order, mappings)

    def get_order_snapshot(
        self, order_id: int, mappings: Mapping[tuple[int, int], int]
    ) -> ShopOrderSnapshot:
        try:
            order = self.client.get_order(order_id)
        except ShopError as error:
            if error.status != 404:
                raise
            return deleted_snapshot(order_id)  # deleted for good: like the trash
        return self._snapshot(order, mappings)

    def get_stock(self, items: list[tuple[int, int]]) -> StockRead:
        return self.client.get_stock(items)

    def set_stock(self, updates: list[StockUpdate]) -> StockWriteResult:
        return self.client.set_stock(updates)

    def list_webhooks(self) -> list[dict[str, Any]]:
        return self.client.list_webhooks()

    def activate_webhook(self, webhook_id: int) -> None:
        self.client.activate_webhook(webhook_id)

    def create_webhook(self, topic: str, delivery_url: str, secret: str) -> int:
        return self.client.create_webhook(topic, delivery_url, secret)

    def check_connection(self) -> ConnectionCheck:
        return self.client.check_connection()

    def list_products(self, *, search: str, page: int, per_page: int) -> list[ShopProduct]:
        params = {"search": search, "page": page, "per_page": per_page, "orderby": "title"}
        rows = self.client.get_list("products", {k: v for k, v in params.items() if v})
        return [_product(row) for row in rows]

    def create_product(self, name: str, sku: str, price_cents: int, stock: int) -> ShopProduct:
        body = {
            "name": name,
            "type": "simple",
            "status": "publish",
            "virtual": True,
            "sku": sku,
            "regular_price": f"{price_cents // 100}.{price_cents % 100:02d}",
            "manage_stock": True,
            "stock_quantity": stock,
            "backorders": "no",
        }
        return _product(self.client.create("products", body))

    def list_variations(self, product_id: int) -> list[ShopProduct]:
        rows = self.client.get_list(f"products/{int(product_id)}/variations", {"per_page": 100})
        return [_product(row, parent_id=product_id) for row in rows]

    def _snapshot(
        self, order: dict[str, Any], mappings: Mapping[tuple[int, int], int]
    ) -> ShopOrderSnapshot:
        # The refund records say which units were refunded; only orders with refunds cost
        # the extra call.
        refunds = self.client.get_refunds(int(order["id"])) if order.get("refunds") else []
        return snapshot_from_woo(order, dict(mappings), refunds)


def _product(row: dict[str, Any], *, parent_id: int = 0) -> ShopProduct:
    name = str(row.get("name") or "")
    if not name and parent_id:
        # Older stores name a variation only by its attributes ("Friday, Balcony").
        options = [
            str(a.get("option", "")) for a in row.get("attributes") or [] if isinstance(a, dict)
        ]
        name = ", ".join(o for o in options if o) or f"Variation {row.get('id')}"
    return ShopProduct(
        id=int(row["id"]),
        name=name,
        sku=str(row.get("sku") or ""),
        stock=woo_wire.managed_quantity(row),
        variable=row.get("type") == "variable",
        parent_id=parent_id,
    )
