"""A second shop platform, in memory: the proof that the sync jobs need nothing but the
ShopAdapter protocol. Its orders are its own records (not WooCommerce JSON), mapped to our
snapshots here, as a real platform's adapter would map its API's."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bridge.adapters.base import (
    ConnectionCheck,
    ShopError,
    ShopProduct,
    StockRead,
    StockUpdate,
    StockWriteResult,
)
from tp_api.services.orders.ingest import ShopOrderSnapshot, deleted_snapshot
from tp_api.services.orders.order_input import BillingInput, OrderInput, OrderLineInput


@dataclass
class Sale:
    """One order as the in-memory platform keeps it."""

    id: int
    state: str  # "draft", "open", "paid", "void"
    changed_at: datetime
    items: dict[int, int]  # product id -> units
    refunded: dict[int, int] = field(default_factory=dict)  # product id -> units
    email: str = "buyer@example.com"


_STATUS = {"draft": "checkout-draft", "open": "on-hold", "paid": "processing", "void": "cancelled"}


@dataclass
class MemoryShop:
    """Orders, stock and webhooks of one in-memory shop, behind the ShopAdapter protocol."""

    sales: dict[int, Sale] = field(default_factory=dict)
    stock: dict[tuple[int, int], int | None] = field(default_factory=dict)
    hooks: list[dict[str, Any]] = field(default_factory=list)
    down: bool = False
    writes: list[StockUpdate] = field(default_factory=list)

    def put(self, sale: Sale) -> None:
        self.sales[sale.id] = sale

    def iter_order_snapshots(
        self, since: datetime | None, mappings: Mapping[tuple[int, int], int]
    ) -> Iterator[ShopOrderSnapshot]:
        self._answer()
        for sale in sorted(self.sales.values(), key=lambda s: (s.changed_at, s.id)):
            if since is None or sale.changed_at > since:
                yield self._snapshot(sale, mappings)

    def get_order_snapshot(
        self, order_id: int, mappings: Mapping[tuple[int, int], int]
    ) -> ShopOrderSnapshot:
        self._answer()
        sale = self.sales.get(order_id)
        return deleted_snapshot(order_id) if sale is None else self._snapshot(sale, mappings)

    def get_stock(self, items: list[tuple[int, int]]) -> StockRead:
        self._answer()
        return StockRead({key: self.stock.get(key) for key in items}, {})

    def set_stock(self, updates: list[StockUpdate]) -> StockWriteResult:
        self._answer()
        for update in updates:
            self.stock[(update.product_id, update.variation_id)] = update.quantity
        self.writes.extend(updates)
        return StockWriteResult(len(updates), {})

    def list_webhooks(self) -> list[dict[str, Any]]:
        self._answer()
        return [dict(hook) for hook in self.hooks]

    def activate_webhook(self, webhook_id: int) -> None:
        self._answer()
        for hook in self.hooks:
            if hook["id"] == webhook_id:
                hook["status"] = "active"

    def create_webhook(self, topic: str, delivery_url: str, secret: str) -> int:
        self._answer()
        hook = {"id": len(self.hooks) + 1, "topic": topic, "delivery_url": delivery_url}
        self.hooks.append({**hook, "status": "active", "secret": secret})
        return int(hook["id"])

    def check_connection(self) -> ConnectionCheck:
        if self.down:
            return ConnectionCheck(None, False, False, "in-memory shop is down")
        return ConnectionCheck("memory 1", True, True)

    def list_products(self, *, search: str, page: int, per_page: int) -> list[ShopProduct]:
        self._answer()
        ids = sorted({product for product, _ in self.stock})
        rows = [ShopProduct(i, f"Product {i}", "", self.stock.get((i, 0))) for i in ids]
        rows = [r for r in rows if search.lower() in r.name.lower()]
        return rows[(page - 1) * per_page : page * per_page]

    def create_product(self, name: str, sku: str, price_cents: int, stock: int) -> ShopProduct:
        self._answer()
        product_id = max((p for p, _ in self.stock), default=100) + 1
        self.stock[(product_id, 0)] = stock
        return ShopProduct(product_id, name, sku, stock)

    def list_variations(self, product_id: int) -> list[ShopProduct]:
        self._answer()
        return [
            ShopProduct(v, f"Variation {v}", "", quantity, parent_id=product_id)
            for (p, v), quantity in sorted(self.stock.items())
            if p == product_id and v
        ]

    def _answer(self) -> None:
        if self.down:
            raise ShopError("in-memory shop is down", status=503, retryable=True)

    @staticmethod
    def _snapshot(sale: Sale, mappings: Mapping[tuple[int, int], int]) -> ShopOrderSnapshot:
        lines = tuple(
            OrderLineInput(
                name=f"product {product}",
                quantity=units,
                product_id=product,
                order_item_type="line_item",
                unit_price_cents=1000,
                ticket_type_id=mappings.get((product, 0)),
            )
            for product, units in sorted(sale.items.items())
        )
        unmapped = tuple(str(p) for p in sorted(sale.items) if (p, 0) not in mappings)
        refunded = {
            mappings[(p, 0)]: units for p, units in sale.refunded.items() if (p, 0) in mappings
        }
        paid = sale.state == "paid"
        return ShopOrderSnapshot(
            external_id=sale.id,
            status=_STATUS[sale.state],
            date_modified=sale.changed_at,
            order=OrderInput(
                wp_order_id=str(sale.id),
                currency="EUR",
                date_created=sale.changed_at,
                date_paid=sale.changed_at if paid else None,
                billing=BillingInput(email=sale.email),
                lines=lines,
            ),
            refunded=refunded,
            unmapped=unmapped,
        )
