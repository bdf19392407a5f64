"""Wiring for shops: the credential box, a shop's adapter, and the shop handlers and daemon
jobs of sync.shop_handlers given this installation's settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bridge.adapters.base import ShopAdapter
from bridge.adapters.factory import adapter_for
from config.settings import Settings
from sync import shop_handlers
from sync.shop_handlers import ShopJobs
from tp_api.models import OutboxEntry, Shop
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.shops import connections


def secret_box(settings: Settings) -> SecretBox:
    """Encrypts shop credentials with TP_SECRET_KEY (older keys still decrypt)."""
    return SecretBox([settings.secret_key, *settings.old_secret_keys])


def refresh_handler(settings: Settings) -> Callable[[OutboxEntry], None]:
    """The outbox handler that refreshes one shop order (sync.shop_handlers)."""
    return shop_handlers.refresh_handler(
        lambda shop: client_for(settings, shop), settings.unpaid_hold_seconds
    )


def sync_now_handler(settings: Settings) -> Callable[[OutboxEntry], None]:
    """The outbox handler for "sync now" (sync.shop_handlers)."""
    return shop_handlers.sync_now_handler(
        lambda shop: client_for(settings, shop), settings.unpaid_hold_seconds, lock_dir(settings)
    )


def lock_dir(settings: Settings) -> str:
    """Where SQLite deployments keep the per-shop job lock files."""
    return str(Path(settings.files_dir) / "locks")


def webhook_url(settings: Settings, shop: Shop) -> str:
    """Where the shop's webhook delivers: the receiver of this service for that shop."""
    return settings.public_url.rstrip("/") + connections.webhook_path(shop)


def client_for(settings: Settings, shop: Shop) -> ShopAdapter:
    """The shop's adapter, credentials decrypted."""
    return adapter_for(connections.connection(secret_box(settings), shop))


def shop_jobs(settings: Settings) -> ShopJobs:
    """The daemon's jobs, each building the shop's adapter when it runs."""
    return shop_handlers.shop_jobs(
        lambda shop: client_for(settings, shop),
        settings.unpaid_hold_seconds,
        lambda shop: webhook_url(settings, shop),
    )
