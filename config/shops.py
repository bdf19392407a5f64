"""Wiring for shops: the credential box and the outbox handler that refreshes one order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bridge.adapters.base import ShopError
from bridge.adapters.factory import adapter_for
from bridge.adapters.mapping import deleted_snapshot, snapshot_from_woo
from config.settings import Settings
from tp_api.models import OutboxEntry, Shop
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.delivery import outbox
from tp_api.services.orders.ingest import ingest_shop_order
from tp_api.services.shops import connections


def secret_box(settings: Settings) -> SecretBox:
    """Encrypts shop credentials with TP_SECRET_KEY (older keys still decrypt)."""
    return SecretBox([settings.secret_key, *settings.old_secret_keys])


def refresh_handler(box: SecretBox, hold_seconds: int) -> Callable[[OutboxEntry], None]:
    """Outbox handler: fetch one shop order (and its refunds) and ingest it."""

    def refresh(job: OutboxEntry) -> None:
        data = outbox.payload(job)
        shop = Shop.get_or_none(Shop.id == int(data.get("shop_id", 0)))
        if shop is None:
            raise outbox.PermanentError(f"shop {data.get('shop_id')} no longer exists")
        client = adapter_for(connections.connection(box, shop))
        order_id = int(data["order_id"])
        try:
            order = client.get_order(order_id)  # type: ignore[attr-defined]
        except ShopError as error:
            if error.status != 404:
                raise
            # Deleted for good in the shop: treated like the trash.
            ingest_shop_order(shop.id, shop.account_id, deleted_snapshot(order_id))
            return
        refunds = client.get_refunds(int(order["id"])) if order.get("refunds") else []
        ingest_shop_order(
            shop.id,
            shop.account_id,
            snapshot_from_woo(order, connections.mappings(shop.id), refunds),
            hold_seconds=hold_seconds,
        )

    return refresh


def sync_now_handler(settings: Settings) -> Callable[[OutboxEntry], None]:
    """Outbox handler for "sync now" (tp_api.services.shops.sync_requests): pull the shop's
    orders, then push stock, under the same per-shop lock as the daemon's jobs."""
    from sync.jobs import pull_orders, push_stock
    from sync.locks import job_lock

    def sync_now(job: OutboxEntry) -> None:
        data = outbox.payload(job)
        shop = Shop.get_or_none(Shop.id == int(data.get("shop_id", 0)))
        if shop is None:
            raise outbox.PermanentError(f"shop {data.get('shop_id')} no longer exists")
        with job_lock(f"tp-bridge:shop:{shop.id}", lock_dir(settings)) as got:
            if not got:
                # The daemon is syncing this shop right now: try again shortly.
                raise RuntimeError(f"shop {shop.name} is being synced; retrying")
            client = client_for(settings, shop)
            pull_orders(shop, client, hold_seconds=settings.unpaid_hold_seconds)
            push_stock(shop, client)

    return sync_now


def lock_dir(settings: Settings) -> str:
    """Where SQLite deployments keep the per-shop job lock files."""
    return str(Path(settings.files_dir) / "locks")


def webhook_url(settings: Settings, shop: Shop) -> str:
    """Where the shop's webhook delivers: the receiver of this service for that shop."""
    return f"{settings.public_url}/shops/{shop.id}/woocommerce/webhook"


def client_for(settings: Settings, shop: Shop):  # type: ignore[no-untyped-def]
    """The platform client of a shop, credentials decrypted."""
    return adapter_for(connections.connection(secret_box(settings), shop))


def shop_jobs(settings: Settings):  # type: ignore[no-untyped-def]
    """The daemon's jobs, each building the shop's client when it runs."""
    from sync.daemon import ShopJobs
    from sync.jobs import pull_orders, push_stock
    from sync.reconcile import reconcile

    return ShopJobs(
        pull_orders=lambda shop: pull_orders(
            shop, client_for(settings, shop), hold_seconds=settings.unpaid_hold_seconds
        ),
        push_stock=lambda shop: push_stock(shop, client_for(settings, shop)),
        reconcile=lambda shop: reconcile(
            shop, client_for(settings, shop), fix=True, webhook_url=webhook_url(settings, shop)
        ),
    )
