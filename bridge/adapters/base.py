"""What the sync daemon needs from a shop platform, in our types: order snapshots, stock
facts, webhook state. WooCommerce is one implementation (woocommerce_shop.py); another
platform is another class implementing the same protocol, and a branch in factory.py."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from tp_api.services.orders.ingest import ShopOrderSnapshot


class ShopError(Exception):
    """A shop call failed. ``retryable`` says whether trying again later may help."""

    def __init__(
        self, message: str, *, status: int | None = None, code: str = "", retryable: bool = False
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.retryable = retryable


@dataclass(frozen=True)
class StockUpdate:
    product_id: int
    variation_id: int
    quantity: int


@dataclass(frozen=True)
class StockWriteResult:
    written: int
    failed: dict[tuple[int, int], str]


@dataclass(frozen=True)
class StockRead:
    """The shop's stock of (product id, variation id) pairs (None where it does not manage
    stock), and the pairs that could not be read, with why (a deleted product, a variation
    group whose route answers 404): one product's trouble must not stop the others."""

    stock: dict[tuple[int, int], int | None]
    failed: dict[tuple[int, int], str]


@dataclass(frozen=True)
class ConnectionCheck:
    """What a shop's key may do, and the platform's version; ``problem`` says why not."""

    version: str | None
    can_read: bool
    can_write: bool
    problem: str | None = None


@dataclass(frozen=True)
class ShopProduct:
    """A product (or, with ``parent_id``, one variation) as the shop lists it."""

    id: int
    name: str
    sku: str
    stock: int | None  # None: the shop does not manage its stock
    variable: bool = False  # has variations, which are sold (and mapped) one by one
    parent_id: int = 0


def concerns_one_item(error: ShopError) -> bool:
    """Whether a failed call is about the product it named (gone, invalid), rather than the
    shop as a whole (down, credentials refused, redirected): the first kind is recorded for
    that product and the run goes on; the second stops the run."""
    return error.status in (400, 404, 410)


class ShopAdapter(Protocol):
    """A shop platform's API, in the terms the daemon uses."""

    def iter_order_snapshots(
        self, since: datetime | None, mappings: Mapping[tuple[int, int], int]
    ) -> Iterator[ShopOrderSnapshot]:
        """Every order modified after ``since`` (UTC; all with None), oldest change first,
        each once, mapped with ``mappings`` ((product id, variation id) -> ticket type id)."""
        ...

    def get_order_snapshot(
        self, order_id: int, mappings: Mapping[tuple[int, int], int]
    ) -> ShopOrderSnapshot:
        """One order as it is now; an order deleted from the shop is a deleted snapshot."""
        ...

    def get_stock(self, items: list[tuple[int, int]]) -> StockRead:
        """Current stock of (product id, variation id) pairs; None when not managed."""
        ...

    def set_stock(self, updates: list[StockUpdate]) -> StockWriteResult:
        """Set absolute stock quantities (stock managed, no backorders); an item or group the
        shop refuses is reported in ``failed`` and the others are still written."""
        ...

    def list_webhooks(self) -> list[dict[str, Any]]:
        """The shop's webhooks, with ``id``, ``status`` and ``delivery_url``."""
        ...

    def activate_webhook(self, webhook_id: int) -> None:
        """Set a webhook back to active."""
        ...

    def create_webhook(self, topic: str, delivery_url: str, secret: str) -> int:
        """Register a webhook of ``topic`` to ``delivery_url`` signed with ``secret``; its id."""
        ...

    def list_products(self, *, search: str, page: int, per_page: int) -> list[ShopProduct]:
        """One page of the shop's products by name (``search`` in name or SKU)."""
        ...

    def list_variations(self, product_id: int) -> list[ShopProduct]:
        """The variations of a variable product."""
        ...

    def create_product(self, name: str, sku: str, price_cents: int, stock: int) -> ShopProduct:
        """Make a product that sells tickets: virtual, its stock managed, no backorders."""
        ...

    def check_connection(self) -> ConnectionCheck:
        """Whether the key may read and write, and the shop's platform version; changes
        nothing in the shop."""
        ...
