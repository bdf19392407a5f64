"""Metrics wiring: the domain's counts into Prometheus counters, the figures of the database
read at scrape time, the registry a scrape reads (gunicorn's workers summed), and the
exporters of the sync daemon and the outbox worker (a port of their own or a textfile for
node_exporter). docs/operations.md says what each metric means and why it is built so.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client import start_http_server as _start_http_server
from prometheus_client import write_to_textfile as _write_to_textfile
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from tp_api.db import database, utcnow
from tp_api.metrics import MULTIPROC_ENV, metrics, multiprocess_dir
from tp_api.services import counts, live_figures
from tp_api.services.credentials.staff_links import STAFF_MAIL
from tp_api.services.delivery.holder_mail import MAIL_HOLDER_TICKET, MAIL_TRANSFER_NOTICE
from tp_api.services.delivery.outbox import DELIVER_TICKETS, REFRESH_SHOP_ORDER
from tp_api.services.delivery.reminders import REMIND_TICKETS
from tp_api.services.queue.line import QueueLine
from tp_api.services.shops.sync_requests import SYNC_SHOP_NOW
from tp_api.services.webhooks.webhook_events import DELIVER_WEBHOOK

log = logging.getLogger(__name__)

# How often the daemon and the worker rewrite their textfile (node_exporter reads it when
# it is scraped, typically every 15 to 60 s).
TEXTFILE_EVERY_S = 15.0
# The outbox's kinds (config.workers has a handler for each): each is reported, with zeros
# when none is pending, so an alert on its age never meets a missing series.
OUTBOX_KINDS = (
    DELIVER_TICKETS,
    REFRESH_SHOP_ORDER,
    SYNC_SHOP_NOW,
    DELIVER_WEBHOOK,
    MAIL_HOLDER_TICKET,
    MAIL_TRANSFER_NOTICE,
    REMIND_TICKETS,
    STAFF_MAIL,
)


def count_into_metrics(name: str, labels: Mapping[str, str], amount: int) -> None:
    """The listener of services.counts: each count moves its Prometheus counter."""
    m = metrics()
    if name == counts.ORDER_CREATED:
        m.orders_created.inc(amount)
    elif name == counts.ORDER_PAID:
        m.orders_paid.inc(amount)
    elif name == counts.ORDER_REFUNDED:
        m.orders_refunded.inc(amount)
    elif name == counts.SCAN:
        m.scans.labels(labels.get("direction", ""), labels.get("result", "")).inc(amount)


def start_counting() -> None:
    """Count the domain's orders and scans in this process's metrics (idempotent)."""
    metrics()
    counts.listen(count_into_metrics)


class DatabaseFigures(Collector):
    """The gauges that are facts of the database, read when Prometheus scrapes (so every
    process and every server reports the same truth, and nothing is kept in step)."""

    def __init__(self, line: QueueLine | None, outbox_kinds: Iterable[str]) -> None:
        self.line = line
        self.outbox_kinds = tuple(outbox_kinds)

    def collect(self) -> Iterator[Metric]:
        """The outbox's depth and ages per kind, the stock held, the people waiting."""
        up = GaugeMetricFamily(
            "tp_database_figures_up", "1 when the database's figures could be read, else 0"
        )
        try:
            with database.connection_context():
                families = self._families()
        except Exception:  # noqa: BLE001 - a scrape reports a broken database, never raises
            log.warning("metrics: the database's figures could not be read", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self) -> list[Metric]:
        now = utcnow()
        depth = GaugeMetricFamily(
            "tp_outbox_depth", "Outbox jobs pending (due or waiting to retry)", labels=["kind"]
        )
        oldest = GaugeMetricFamily(
            "tp_outbox_oldest_age_seconds",
            "Age of the oldest pending outbox job (0: none pending)",
            labels=["kind"],
        )
        due = GaugeMetricFamily(
            "tp_outbox_oldest_due_seconds",
            "How long the longest-waiting due outbox job has waited for a worker (0: none due)",
            labels=["kind"],
        )
        for figures in live_figures.outbox_figures(now, self.outbox_kinds):
            depth.add_metric([figures.kind], figures.depth)
            oldest.add_metric([figures.kind], figures.oldest_age_s)
            due.add_metric([figures.kind], figures.oldest_due_s)
        held = GaugeMetricFamily("tp_stock_held", "Ticket units held by unpaid orders")
        held.add_metric([], live_figures.stock_held())
        families: list[Metric] = [depth, oldest, due, held]
        if self.line is not None:
            waiting = GaugeMetricFamily(
                "tp_waiting_room_waiting",
                "People in an open waiting room whose turn has not come",
                labels=["event_id"],
            )
            for event_id, people in live_figures.people_waiting(self.line, now).items():
                waiting.add_metric([str(event_id)], people)
            families.append(waiting)
        return families


def scrape_registry(figures: DatabaseFigures | None) -> CollectorRegistry:
    """What a scrape of this process reads: every process's counters summed when they share a
    multiprocess directory (gunicorn's workers), else this process's; plus ``figures``."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    if figures is not None:
        combined = CollectorRegistry()
        combined.register(_Both(registry, figures))
        return combined
    return registry


class _Both(Collector):
    """A registry's metrics and the database's, without registering the database's in the
    process-wide registry (an app built twice, as the tests do, would register twice)."""

    def __init__(self, registry: CollectorRegistry, figures: DatabaseFigures) -> None:
        self.registry = registry
        self.figures = figures

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()
        yield from self.figures.collect()


def exposition(registry: CollectorRegistry) -> bytes:
    """The Prometheus text format of ``registry``."""
    return generate_latest(registry)


# --- tp-bridge serve: one directory of value files per instance -----------------------------


def prepare_multiprocess_dir() -> Callable[[], None]:
    """Point prometheus_client at a directory its gunicorn workers share; returns how to
    clean up. The operator's ``PROMETHEUS_MULTIPROC_DIR`` is used when set (emptied of the
    last run's value files, which would otherwise be counted again); otherwise a fresh
    temporary directory is made and removed when the server stops."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for old in Path(given).glob("*.db"):
            old.unlink()
        return lambda: None
    made = tempfile.mkdtemp(prefix="tp-bridge-metrics-", dir=_memory_backed_dir())
    os.environ[MULTIPROC_ENV] = made
    owner = os.getpid()

    def remove() -> None:
        # gunicorn's workers are forks that leave through the same code: only the server
        # that made the directory removes it.
        if os.getpid() == owner:
            os.environ.pop(MULTIPROC_ENV, None)
            shutil.rmtree(made, ignore_errors=True)

    return remove


def _memory_backed_dir() -> str | None:
    """The memory-backed /dev/shm where there is one to write in, else None ($TMPDIR).

    Every request writes its counts into these files' memory maps, and pages of a file on
    disk are written back by the kernel meanwhile: with them on a disk-backed /tmp, SQLite's
    orders/s through the server were 5-12 % lower than without metrics, on /dev/shm the same
    (`bench/orders_bench.py`, docs/performance.md). gunicorn advises /dev/shm for its own
    heartbeat files for the same reason.
    """
    # mkdtemp makes a directory of its own in it (mode 0700, a name nobody can guess).
    shm = Path("/dev/shm")  # noqa: S108 - see above
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


def worker_exited(pid: int) -> None:
    """gunicorn's ``child_exit``: a dead worker's live gauges stop counting (its counters
    stay in the sum, as they should)."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)


# --- the daemon and the worker --------------------------------------------------------------


def export(
    figures: DatabaseFigures | None, *, host: str, port: int | None, textfile: str | None
) -> Callable[[], None]:
    """Serve this process's metrics on ``host:port`` and/or write them to ``textfile`` every
    TEXTFILE_EVERY_S seconds. Returns what stops the textfile's writer, after one last
    write (the HTTP listener is a daemon thread: it ends with the process)."""
    registry = scrape_registry(figures)
    if port is not None:
        _start_http_server(port, addr=host, registry=registry)
        log.info("metrics on http://%s:%d/metrics", host, port)
    if not textfile:
        return lambda: None
    stop = threading.Event()
    writer = threading.Thread(
        target=_write_textfile_until, args=(registry, textfile, stop), name="metrics", daemon=True
    )
    writer.start()

    def stop_writing() -> None:
        stop.set()
        writer.join(timeout=10)

    return stop_writing


def _write_textfile_until(registry: CollectorRegistry, path: str, stop: threading.Event) -> None:
    _write_quietly(registry, path)
    while not stop.wait(TEXTFILE_EVERY_S):
        _write_quietly(registry, path)
    _write_quietly(registry, path)  # the last figures, as the process stops


def _write_quietly(registry: CollectorRegistry, path: str) -> None:
    try:
        # Written beside and renamed, so node_exporter never reads half a file.
        _write_to_textfile(path, registry)
    except OSError:
        log.warning("metrics: cannot write %s", path, exc_info=True)
