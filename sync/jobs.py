"""The sync jobs: pull a shop's orders into our store, push our stock to the shop.

Plan from saved state, then act (vdirsyncer's rule): the orders cursor is the newest
shop-side modified time seen in *committed* data, read back with an overlap window, and
moved forward only after the orders up to it were committed. Killing a run at any moment
and running again ends in the same state: ingestion is exactly-once per (shop, order).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TypeVar

from bridge.adapters.base import ShopAdapter, ShopError, StockUpdate
from tp_api.db import tuples, utcnow, write_transaction
from tp_api.metrics import metrics
from tp_api.models import Event, ProductMapping, Shop, ShopOrder, SyncRun, TicketType
from tp_api.services.orders import holds
from tp_api.services.orders.availability import units_left
from tp_api.services.orders.ingest import ingest_shop_order
from tp_api.services.shops import connections

log = logging.getLogger(__name__)

# WooCommerce saves modified times before its transaction commits, webhooks and cron lag,
# and clocks differ: re-read this much before the cursor every time (FACTS.md §5.2).
CURSOR_OVERLAP = timedelta(minutes=10)
CURSOR_SAVE_EVERY = 100
# What a run keeps of its problems (shown by `sync status` and the console's shop page).
ERROR_TEXT_MAX = 2000

Progress = Callable[[int], None]
T = TypeVar("T")


def pull_orders(
    shop: Shop,
    client: ShopAdapter,
    *,
    full: bool = False,
    progress: Progress | None = None,
    hold_seconds: int = holds.DEFAULT_UNPAID_HOLD_SECONDS,
) -> SyncRun:
    """Ingest every order the shop changed since the cursor (all of them with ``full``);
    unpaid ones hold their units for ``hold_seconds``."""
    run = SyncRun.create(shop=shop.id, kind="orders")
    since = None if full or shop.order_cursor is None else shop.order_cursor - CURSOR_OVERLAP
    mappings = connections.mappings(shop.id)
    newest = shop.order_cursor
    seen = 0
    problems: list[str] = []
    try:
        for batch in _batches(client.iter_order_snapshots(since, mappings), CURSOR_SAVE_EVERY):
            known = _known_hashes(shop.id, [snapshot.external_id for snapshot in batch])
            for snapshot in batch:
                if known.get(snapshot.external_id) == snapshot.content_hash():
                    # Re-read in the overlap window, unchanged: no transaction needed.
                    _count(run, "skipped", False)
                else:
                    outcome = ingest_shop_order(
                        shop.id, shop.account_id, snapshot, hold_seconds=hold_seconds
                    )
                    _count(run, outcome.action, bool(outcome.problems))
                    if outcome.problems:
                        problems.append(
                            f"order {snapshot.external_id}: {'; '.join(outcome.problems)}"
                        )
                if snapshot.date_modified and (newest is None or snapshot.date_modified > newest):
                    newest = snapshot.date_modified
                seen += 1
                if progress:
                    progress(seen)
            _save_cursor(shop, newest)
    except ShopError as error:
        run.errors += 1
        problems.insert(0, f"order pull stopped: {error}")
        log.warning("shop %s: order pull stopped: %s", shop.name, error)
    except Exception as error:
        _crashed(run, problems, "order pull", error)
        raise
    finally:
        _save_cursor(shop, newest)
        _finish(run, problems, shop.name)
    return run


def push_stock(shop: Shop, client: ShopAdapter) -> SyncRun:
    """Set each mapped product's stock in the shop to what we have left; write only changes.

    A value that differs from what we last pushed was edited in the shop by hand (or sold
    there): it is corrected, and the correction is logged. A product or variation group the
    shop refuses (deleted, a route answering 404) is recorded on the run by name and reason,
    and the others are still pushed; a shop that is down or refuses our credentials stops
    the run.
    """
    holds.settle_lapsed()  # a lapsed unpaid hold is stock the shop may sell again
    run = SyncRun.create(shop=shop.id, kind="stock")
    failed: dict[tuple[int, int], str] = {}
    problems: list[str] = []
    try:
        maps = list(ProductMapping.select().where(ProductMapping.shop == shop.id))
        wanted = {(m.product_id, m.variation_id): available(m.ticket_type_id) for m in maps}
        read = client.get_stock(sorted(wanted))
        failed.update(read.failed)
        current = read.stock
        updates = [
            StockUpdate(p, v, q)
            for (p, v), q in sorted(wanted.items())
            if (p, v) not in failed and current.get((p, v)) != q
        ]
        last_pushed = {(m.product_id, m.variation_id): m.last_pushed_stock for m in maps}
        for update in updates:
            key = (update.product_id, update.variation_id)
            if last_pushed.get(key) is not None and current.get(key) != last_pushed[key]:
                log.info(
                    "shop %s: stock of %s was %s in the shop (we set %s); now %s",
                    shop.name,
                    item_label(*key),
                    current.get(key),
                    last_pushed[key],
                    update.quantity,
                )
        if updates:
            result = client.set_stock(updates)
            run.stock_writes = result.written
            failed.update(result.failed)
        _save_pushed(shop.id, {k: q for k, q in wanted.items() if k not in failed})
    except ShopError as error:
        run.errors += 1
        problems.append(f"stock push stopped: {error}")
        log.warning("shop %s: stock push stopped: %s", shop.name, error)
    except Exception as error:
        _crashed(run, problems, "stock push", error)
        raise
    finally:
        run.errors += len(failed)
        problems[:0] = [f"{item_label(*k)}: {why}" for k, why in sorted(failed.items())]
        _finish(run, problems, shop.name)
    return run


def item_label(product_id: int, variation_id: int) -> str:
    """How a run names a shop item: ``product 93`` or ``product 95 variation 23``."""
    if variation_id:
        return f"product {product_id} variation {variation_id}"
    return f"product {product_id}"


def _save_pushed(shop_id: int, pushed: dict[tuple[int, int], int]) -> None:
    with write_transaction():
        for (product_id, variation_id), quantity in pushed.items():
            (
                ProductMapping.update(last_pushed_stock=quantity)
                .where(
                    ProductMapping.shop == shop_id,
                    ProductMapping.product_id == product_id,
                    ProductMapping.variation_id == variation_id,
                )
                .execute()
            )


def available(ticket_type_id: int) -> int:
    """Units of a ticket type the shop may offer: 0 when it or its event cannot be sold
    (tp_api.services.orders.sellable), else what is left (a shared event pool limits it too)."""
    ticket_type = (
        TicketType.select(TicketType, Event)
        .join(Event)
        .where(TicketType.id == ticket_type_id)
        .get()
    )
    return units_left(ticket_type, ticket_type.event)


def _batches(items: Iterator[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _known_hashes(shop_id: int, external_ids: list[int]) -> dict[int, str]:
    rows = tuples(
        ShopOrder.select(ShopOrder.external_id, ShopOrder.content_hash).where(
            ShopOrder.shop == shop_id, ShopOrder.external_id.in_(external_ids)
        )
    )
    return dict(rows)


def _count(run: SyncRun, action: str, problem: bool) -> None:
    if action == "new":
        run.orders_new += 1
    elif action == "changed":
        run.orders_changed += 1
    else:
        run.orders_skipped += 1
    if problem:
        run.errors += 1


def _save_cursor(shop: Shop, newest: datetime | None) -> None:
    if newest is not None and newest != shop.order_cursor:
        with write_transaction():
            Shop.update(order_cursor=newest).where(Shop.id == shop.id).execute()
        shop.order_cursor = newest


def error_text(problems: list[str]) -> str | None:
    """A run's problems, one a line, within ERROR_TEXT_MAX characters (then a count of the
    lines left out), or None for a clean run."""
    kept: list[str] = []
    size = 0
    for line in problems:
        line = " ".join(line.split())  # one problem, one line, whatever the shop answered
        if size + len(line) + 1 > ERROR_TEXT_MAX - 40:
            kept.append(f"... and {len(problems) - len(kept)} more")
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept) or None


def _crashed(run: SyncRun, problems: list[str], what: str, error: Exception) -> None:
    """An error no shop answer explains (our database, a bug): the run is recorded as
    failed, not as clean, before the error goes on to whoever ran it."""
    run.errors += 1
    problems.append(f"{what} crashed: {type(error).__name__}: {error}")


def _finish(run: SyncRun, problems: list[str], shop_name: str) -> None:
    run.finished_at = utcnow()
    run.error_text = error_text(problems)
    with write_transaction():
        run.save()
    _measure(run, shop_name)
    if run.errors:
        log.warning(
            "sync %s shop=%s: %d errors: %s",
            run.kind,
            run.shop_id,
            run.errors,
            (run.error_text or "").replace("\n", "; "),
        )
    log.info(
        "sync %s shop=%s new=%d changed=%d skipped=%d stock_writes=%d errors=%d",
        run.kind,
        run.shop_id,
        run.orders_new,
        run.orders_changed,
        run.orders_skipped,
        run.stock_writes,
        run.errors,
    )


def _measure(run: SyncRun, shop_name: str) -> None:
    """The run in the metrics: its result by shop and kind, its duration, and when the shop
    last synced without errors (what an alert on a failing shop compares with now)."""
    m = metrics()
    result = "failed" if run.errors else "ok"
    m.sync_runs.labels(shop_name, run.kind, result).inc()
    if run.finished_at is not None and run.started_at is not None:
        seconds = (run.finished_at - run.started_at).total_seconds()
        m.sync_seconds.labels(shop_name, run.kind).observe(max(0.0, seconds))
    if not run.errors and run.finished_at is not None:
        m.sync_last_success.labels(shop_name, run.kind).set(run.finished_at.timestamp())
