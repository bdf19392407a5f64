""" "Sync now": a seller asks for a shop's orders and stock to be synced at once.

The request is an outbox job, so the web process never talks to the shop itself: the outbox
worker (in the sync daemon or beside the web server) runs it under the shop's job lock, and
its outcome is an ordinary sync run, shown like any other.
"""

from __future__ import annotations

import secrets

from tp_api.db import write_transaction
from tp_api.models import OutboxEntry, Shop
from tp_api.services.delivery import outbox
from tp_api.services.errors import NotFound

SYNC_SHOP_NOW = "sync_shop_now"


def _key_prefix(shop_id: int) -> str:
    return f"sync-now:{shop_id}:"


def request_sync_now(account_id: int, shop_id: int) -> bool:
    """Queue a sync of the account's shop. Returns False when one is already waiting (a
    second click adds nothing)."""
    with write_transaction():
        shop = Shop.get_or_none((Shop.id == shop_id) & (Shop.account == account_id))
        if shop is None:
            raise NotFound("Shop not found", code="shop_not_found")
        waiting = (
            OutboxEntry.select(OutboxEntry.id)
            .where(
                OutboxEntry.kind == SYNC_SHOP_NOW,
                OutboxEntry.dedupe_key.startswith(_key_prefix(shop.id)),
                OutboxEntry.done_at.is_null(),
                OutboxEntry.failed_at.is_null(),
            )
            .exists()
        )
        if waiting:
            return False
        return outbox.enqueue(
            SYNC_SHOP_NOW,
            {"shop_id": shop.id},
            account_id=account_id,
            dedupe_key=_key_prefix(shop.id) + secrets.token_hex(8),
        )


def is_sync_requested(dedupe_key: str | None, shop_id: int) -> bool:
    """Whether an outbox job's dedupe key is a "sync now" request for this shop."""
    return bool(dedupe_key) and str(dedupe_key).startswith(_key_prefix(shop_id))
