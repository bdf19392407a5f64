"""The Prometheus metrics every process of the service counts in (docs/operations.md lists
them): the web service's requests, the counts of the domain (services.counts), the sync
runs, the outbox's jobs, webhook deliveries and e-mails.

A leaf: it imports prometheus_client and nothing of ours, so the web surfaces and the sync
daemon (which may not import each other) both count here. The gauges that are facts of the
database (outbox depth, stock held, waiting rooms) are not here: config/metrics.py reads
them when Prometheus scrapes.

Built on first use rather than on import: under ``tp-bridge serve`` the values live in files
shared by gunicorn's workers (prometheus_client's multiprocess mode), which prometheus_client
decides from ``PROMETHEUS_MULTIPROC_DIR`` when a metric is made; the command sets it before
the workers start, which may be after this module was imported.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from prometheus_client import Counter, Gauge, Histogram, values

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Seconds. A request's: from a bare JSON answer (~1 ms) to a slow export (seconds).
REQUEST_BUCKETS = (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# A sync run's: a quiet shop answers in a second, a full pull of a big shop takes minutes.
SYNC_BUCKETS = (0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0)


@dataclass(frozen=True)
class Metrics:
    """Every counter, histogram and gauge a process of the service may move."""

    requests: Counter
    request_seconds: Histogram
    orders_created: Counter
    orders_paid: Counter
    orders_refunded: Counter
    scans: Counter
    sync_runs: Counter
    sync_seconds: Histogram
    sync_last_success: Gauge
    outbox_jobs: Counter
    webhook_deliveries: Counter
    emails: Counter


_built: list[Metrics] = []
_lock = threading.Lock()


def metrics() -> Metrics:
    """This process's metrics, made on the first call (see the module's note)."""
    if _built:
        return _built[0]
    with _lock:
        if not _built:
            _built.append(_make())
    return _built[0]


def multiprocess_dir() -> str | None:
    """The directory shared by the processes whose metrics are summed, if any."""
    return os.environ.get(MULTIPROC_ENV) or None


def _make() -> Metrics:
    if multiprocess_dir() and values.ValueClass is values.MutexValue:
        # prometheus_client chose in-memory values when it was imported, before the variable
        # was set: choose again, or each worker would count on its own and be lost.
        values.ValueClass = values.get_value_class()
    return Metrics(
        requests=Counter(
            "tp_http_requests",
            "HTTP requests answered, by endpoint class and status code",
            ["endpoint_class", "status"],
        ),
        request_seconds=Histogram(
            "tp_http_request_duration_seconds",
            "Time to answer an HTTP request (until the response is handed to the server)",
            ["endpoint_class"],
            buckets=REQUEST_BUCKETS,
        ),
        orders_created=Counter("tp_orders_created", "Orders created (committed)"),
        orders_paid=Counter("tp_orders_paid", "Orders marked paid (committed)"),
        orders_refunded=Counter(
            "tp_orders_refunded", "Refunds of orders, whole or partial (committed)"
        ),
        scans=Counter(
            "tp_scans",
            "Ticket scans decided, by direction and result (ok or the refusal's reason)",
            ["direction", "result"],
        ),
        sync_runs=Counter(
            "tp_sync_runs", "Shop sync runs, by shop, kind and result", ["shop", "kind", "result"]
        ),
        sync_seconds=Histogram(
            "tp_sync_run_duration_seconds",
            "Duration of shop sync runs",
            ["shop", "kind"],
            buckets=SYNC_BUCKETS,
        ),
        sync_last_success=Gauge(
            "tp_sync_last_success_timestamp_seconds",
            "When a shop's sync of this kind last finished without errors (Unix time)",
            ["shop", "kind"],
            multiprocess_mode="max",
        ),
        outbox_jobs=Counter(
            "tp_outbox_jobs",
            "Outbox jobs run, by kind and result (done, retry, failed)",
            ["kind", "result"],
        ),
        webhook_deliveries=Counter(
            "tp_webhook_deliveries",
            "Webhook delivery attempts, by result (succeeded, retry, failed, duplicate)",
            ["result"],
        ),
        emails=Counter("tp_emails", "E-mails handed to the relay, by result", ["result"]),
    )
