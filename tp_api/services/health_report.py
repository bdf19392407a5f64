"""What ``GET /api/v1/health`` reports: the database, the outbox backlog, shop syncs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import peewee

from tp_api.db import database, utcnow
from tp_api.models import OutboxEntry, Shop, SyncRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    database_ok: bool
    outbox_backlog: int | None  # due, not done, not failed
    outbox_failed: int | None


@dataclass(frozen=True)
class ShopSyncState:
    shop: str
    last_run_at: datetime | None
    last_status: str | None  # "ok", "errors" or "running"


def report() -> Report:
    """Probe the database and count the outbox; a database error is reported, not raised."""
    try:
        database.execute_sql("SELECT 1")
        pending = OutboxEntry.select().where(
            OutboxEntry.done_at.is_null(),
            OutboxEntry.failed_at.is_null(),
            OutboxEntry.not_before <= utcnow(),
        )
        failed = OutboxEntry.select().where(OutboxEntry.failed_at.is_null(False))
        return Report(True, pending.count(), failed.count())
    except peewee.DatabaseError as error:
        log.warning("health: database unreachable: %s", error)
        return Report(False, None, None)


def shop_syncs(account_id: int) -> list[ShopSyncState]:
    """The newest sync run of each of the account's shops (two queries)."""
    shops = list(Shop.select().where(Shop.account == account_id).order_by(Shop.name))
    if not shops:
        return []
    newest = (
        SyncRun.select(peewee.fn.MAX(SyncRun.id))
        .where(SyncRun.shop.in_([s.id for s in shops]))
        .group_by(SyncRun.shop)
    )
    runs = {r.shop_id: r for r in SyncRun.select().where(SyncRun.id.in_(newest))}
    states = []
    for shop in shops:
        run = runs.get(shop.id)
        status = None
        if run is not None:
            status = "running" if run.finished_at is None else ("errors" if run.errors else "ok")
        states.append(ShopSyncState(shop.name, run.started_at if run else None, status))
    return states
