"""The sync daemon: APScheduler 3 jobs per enabled shop, plus the outbox worker.

Every job coalesces missed runs, runs one instance at a time, and is never silently skipped
for being late (``misfire_grace_time=None``; APScheduler 3's default of one second drops
late runs). Each job takes a per-shop lock, so several daemons can run side by side.
Signal handlers only set a flag; the main loop stops the scheduler and waits for running
jobs and the worker to finish.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from sync.locks import job_lock
from sync.outbox_worker import OutboxWorker, OutboxWorkers
from sync.shop_handlers import ShopJobs
from tp_api.db import database, tuples, utcnow
from tp_api.models import Event, ProductMapping, Shop, SyncRun, TicketType
from tp_api.services.delivery import reminders
from tp_api.services.orders import holds
from tp_api.services.queue import notices
from tp_api.services.queue.waiting_room import WaitingRooms

log = logging.getLogger(__name__)


# Jobs running at once; the database pool (config) is sized for these plus the outbox worker.
JOB_THREADS = 6
STOCK_WATCH_S = 10
QUEUE_NOTICE_S = 5
# Reminders are due hours ahead: a look every five minutes sends them at most that late.
REMINDER_S = 300
# Several daemons each fire a shop's interval jobs; the lock only keeps two runs apart, so
# without more each daemon would pull every interval. A scheduled run is skipped when the
# same job of the shop started less than its interval ago anywhere, less this share of it
# for the scheduler's jitter (a run a moment early must not push the next to 2x later).
INTERVAL_SLACK = 0.1


class SyncDaemon:
    def __init__(
        self,
        jobs: ShopJobs,
        worker: OutboxWorker | OutboxWorkers | None,
        *,
        lock_dir: str,
        waiting_rooms: WaitingRooms | None = None,
        reminder_hours: int = 0,
    ) -> None:
        self.jobs = jobs
        self.worker = worker
        self.lock_dir = lock_dir
        self.waiting_rooms = waiting_rooms
        self.reminder_hours = reminder_hours
        self.stop_requested = threading.Event()
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(JOB_THREADS)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone="UTC",
        )
        self._worker_thread: threading.Thread | None = None
        self._fingerprints: dict[int, tuple[tuple[Any, ...], ...]] = {}

    def start(self) -> None:
        with database.connection_context():
            shops = list(Shop.select().where(Shop.enabled == True))  # noqa: E712
        for shop in shops:
            self._schedule(shop)
        # Reservations release lapsed holds themselves; this keeps the counters (and so the
        # stock pushed to shops and the figures shown) true when nobody is ordering.
        self.scheduler.add_job(
            self._sweep_holds, "interval", seconds=STOCK_WATCH_S, id="hold-sweep"
        )
        if self.waiting_rooms is not None:
            # A turn comes with time, not with a request: someone has to say so.
            self.scheduler.add_job(
                self._queue_notices, "interval", seconds=QUEUE_NOTICE_S, id="queue-notices"
            )
        if self.reminder_hours > 0:
            # Each ticket is claimed in the database, so daemons side by side remind it once.
            self.scheduler.add_job(
                self._queue_reminders,
                "interval",
                seconds=REMINDER_S,
                id="reminders",
                next_run_time=utcnow(),
            )
        self.scheduler.start()
        if self.worker is not None:
            self._worker_thread = threading.Thread(
                target=self.worker.run, args=(self.stop_requested,), name="outbox", daemon=True
            )
            self._worker_thread.start()
        log.info("sync daemon started: %d shop(s)", len(shops))

    def _schedule(self, shop: Shop) -> None:
        every = max(30, shop.interval_s)
        self.scheduler.add_job(
            self._run,
            "interval",
            seconds=every,
            args=("orders", self.jobs.pull_orders, shop.id, every),
            id=f"orders-{shop.id}",
            next_run_time=utcnow(),
        )
        self.scheduler.add_job(
            self._run,
            "interval",
            seconds=every,
            args=("stock", self.jobs.push_stock, shop.id, every),
            id=f"stock-{shop.id}",
        )
        # Between full pushes, a cheap look every few seconds: if the shop's mapped ticket
        # types sold or released anything, push now rather than at the next interval.
        self.scheduler.add_job(
            self._push_if_changed,
            "interval",
            seconds=STOCK_WATCH_S,
            args=(shop.id,),
            id=f"stock-watch-{shop.id}",
        )
        self.scheduler.add_job(
            self._run,
            "cron",
            hour=3,
            minute=shop.id % 60,
            args=("reconcile", self.jobs.reconcile, shop.id),
            id=f"reconcile-{shop.id}",
        )

    def _run(
        self, kind: str, job: Callable[[Shop], object], shop_id: int, every: int | None = None
    ) -> None:
        """Run ``job`` (named ``kind`` in the log) for the shop, under the shop's lock; a job
        scheduled ``every`` seconds only when no daemon ran it within that interval."""
        if self.stop_requested.is_set():
            return
        with database.connection_context():
            shop = Shop.get_or_none(Shop.id == shop_id)
            if shop is None or not shop.enabled:
                return
            # One lock per shop for all its jobs: the nightly reconcile ingests and pushes
            # stock too, and must not run beside the same shop's pull or push.
            with job_lock(f"tp-bridge:shop:{shop_id}", self.lock_dir) as got:
                if not got:
                    log.info("sync %s shop=%s: another daemon is running it", kind, shop.name)
                    return
                if every is not None and started_within(shop_id, kind, every):
                    log.info("sync %s shop=%s: ran within its interval already", kind, shop.name)
                    return
                try:
                    job(shop)
                except Exception:  # noqa: BLE001 - one failing run must not stop the daemon
                    log.exception("sync %s shop=%s failed", kind, shop.name)

    def _push_if_changed(self, shop_id: int) -> None:
        with database.connection_context():
            fingerprint = stock_fingerprint(shop_id)
        if self._fingerprints.get(shop_id) == fingerprint:
            return
        self._run("stock", self.jobs.push_stock, shop_id)
        self._fingerprints[shop_id] = fingerprint

    def _sweep_holds(self) -> None:
        if self.stop_requested.is_set():
            return
        try:
            with database.connection_context():
                released = holds.sweep()
        except Exception:  # noqa: BLE001 - one failing sweep must not stop the daemon
            log.exception("hold sweep failed")
            return
        if released:
            log.info("released the stock of %d expired unpaid order(s)", released)

    def _queue_notices(self) -> None:
        if self.stop_requested.is_set() or self.waiting_rooms is None:
            return
        try:
            with database.connection_context():
                raised = notices.raise_notices(self.waiting_rooms)
        except Exception:  # noqa: BLE001 - one failing run must not stop the daemon
            log.exception("waiting-room notices failed")
            return
        if raised:
            log.info("raised %d waiting-room notice(s)", raised)

    def _queue_reminders(self) -> None:
        if self.stop_requested.is_set():
            return
        try:
            with database.connection_context():
                claimed = reminders.queue_reminders(self.reminder_hours)
        except Exception:  # noqa: BLE001 - one failing run must not stop the daemon
            log.exception("queueing reminders failed")
            return
        if claimed:
            log.info("queued the reminders of %d ticket(s)", claimed)

    def stop(self) -> None:
        """Stop scheduling, wait for running jobs and the worker's current job."""
        self.stop_requested.set()
        self.scheduler.shutdown(wait=True)
        if self._worker_thread is not None:
            self._worker_thread.join(timeout=60)
        log.info("sync daemon stopped")


def started_within(shop_id: int, kind: str, every: int) -> bool:
    """Whether a ``kind`` run of the shop started within its interval of ``every`` seconds
    (less INTERVAL_SLACK of it), by this daemon or any other."""
    since = utcnow() - timedelta(seconds=every * (1 - INTERVAL_SLACK))
    return bool(
        SyncRun.select(SyncRun.id)
        .where(SyncRun.shop == shop_id, SyncRun.kind == kind, SyncRun.started_at > since)
        .exists()
    )


def stock_fingerprint(shop_id: int) -> tuple[tuple[Any, ...], ...]:
    """The counters behind a shop's mapped stock, in one query: equal means nothing to push.

    What decides whether a type can be sold at all (tp_api.services.orders.sellable) is part of it,
    so cancelling an event or disabling a type is pushed (as 0) as promptly as a sale."""
    rows = tuples(
        TicketType.select(
            TicketType.id,
            TicketType.stock,
            TicketType.sold + TicketType.reserved,
            Event.sold + Event.reserved,
            Event.lifecycle,
            Event.deleted_at,
            TicketType.enabled,
            TicketType.status,
        )
        .join(Event)
        .switch(TicketType)
        .join(ProductMapping)
        .where(ProductMapping.shop == shop_id)
        .order_by(TicketType.id)
    )
    return tuple(rows)
