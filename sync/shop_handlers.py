"""The shop work the outbox and the daemon run: refresh one order, "sync now", and the
daemon's three jobs per shop. They receive plain values and a way to reach a shop's
adapter; config wires them (config/shops.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bridge.adapters.base import ShopAdapter
from sync.jobs import pull_orders, push_stock
from sync.locks import job_lock
from sync.reconcile import reconcile
from tp_api.models import OutboxEntry, Shop
from tp_api.services.delivery import outbox
from tp_api.services.orders.ingest import ingest_shop_order
from tp_api.services.shops import connections

AdapterFor = Callable[[Shop], ShopAdapter]
ShopJob = Callable[[Shop], object]


@dataclass
class ShopJobs:
    """What the daemon runs for each shop."""

    pull_orders: ShopJob
    push_stock: ShopJob
    reconcile: ShopJob


def _shop_of(job: OutboxEntry) -> Shop:
    data = outbox.payload(job)
    shop = Shop.get_or_none(Shop.id == int(data.get("shop_id", 0)))
    if shop is None:
        raise outbox.PermanentError(f"shop {data.get('shop_id')} no longer exists")
    return shop


def refresh_handler(adapter_for: AdapterFor, hold_seconds: int) -> Callable[[OutboxEntry], None]:
    """Outbox handler: read one shop order as it is now and ingest it (an order deleted
    from the shop is ingested like the trash)."""

    def refresh(job: OutboxEntry) -> None:
        shop = _shop_of(job)
        order_id = int(outbox.payload(job)["order_id"])
        snapshot = adapter_for(shop).get_order_snapshot(order_id, connections.mappings(shop.id))
        ingest_shop_order(shop.id, shop.account_id, snapshot, hold_seconds=hold_seconds)

    return refresh


def sync_now_handler(
    adapter_for: AdapterFor, hold_seconds: int, lock_dir: str
) -> Callable[[OutboxEntry], None]:
    """Outbox handler for "sync now" (tp_api.services.shops.sync_requests): pull the
    shop's orders, then push stock, under the same per-shop lock as the daemon's jobs."""

    def sync_now(job: OutboxEntry) -> None:
        shop = _shop_of(job)
        with job_lock(f"tp-bridge:shop:{shop.id}", lock_dir) as got:
            if not got:
                # The daemon is syncing this shop right now: try again shortly.
                raise RuntimeError(f"shop {shop.name} is being synced; retrying")
            adapter = adapter_for(shop)
            pull_orders(shop, adapter, hold_seconds=hold_seconds)
            push_stock(shop, adapter)

    return sync_now


def shop_jobs(
    adapter_for: AdapterFor, hold_seconds: int, webhook_url_for: Callable[[Shop], str]
) -> ShopJobs:
    """The daemon's jobs, each reaching the shop's adapter when it runs."""
    return ShopJobs(
        pull_orders=lambda shop: pull_orders(shop, adapter_for(shop), hold_seconds=hold_seconds),
        push_stock=lambda shop: push_stock(shop, adapter_for(shop)),
        reconcile=lambda shop: reconcile(
            shop, adapter_for(shop), fix=True, webhook_url=webhook_url_for(shop)
        ),
    )
