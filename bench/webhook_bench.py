"""Benchmark: webhook deliveries per second, and how long a 10,000-event burst takes to drain.

Run: .venv/bin/python bench/webhook_bench.py [--db sqlite|postgres|both] [--events 10000]
                                             [--workers 1,2]

Writes a burst of ``order.paid`` events for one endpoint (each in the outbox, as a change
would), then starts ``tp-bridge outbox work`` processes and times until every delivery has
succeeded at a fast receiver on loopback (a threaded HTTP server in this process that
answers 204 and counts each webhook-id). Every delivery is signed, its address re-checked,
sent over HTTP and recorded, exactly as in production.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg2

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_report  # noqa: E402
from bench_server import shipped_environ  # noqa: E402

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_DB = "tp_webhook_bench"
SECRET = "webhook-bench-secret-key-long-enough-0123456789"
TIMEOUT_S = 600


class Receiver(BaseHTTPRequestHandler):
    # Keep-alive, like a receiver behind any web server: the worker reuses its connection.
    protocol_version = "HTTP/1.1"
    seen: set[str] = set()
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.lock:
            self.seen.add(self.headers.get("webhook-id", ""))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


def _database_url(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'webhooks.sqlite3'}"
    conn = psycopg2.connect(POSTGRES_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")
        cur.execute(f"CREATE DATABASE {POSTGRES_DB}")
    conn.close()
    return f"postgresql://postgres@127.0.0.1:5432/{POSTGRES_DB}"


def _drop(kind: str) -> None:
    if kind != "postgres":
        return
    conn = psycopg2.connect(POSTGRES_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")
    conn.close()


def _burst(url: str, port: int, events: int) -> float:
    """The account, its endpoint and ``events`` events; returns seconds spent writing them."""
    from config.settings import Settings
    from config.shops import secret_box
    from tp_api import migrations
    from tp_api.db import connect, write_transaction
    from tp_api.models import OutboxEntry, WebhookDelivery, WebhookEndpoint, WebhookEvent
    from tp_api.services.credentials import partner_keys
    from tp_api.services.webhooks import webhook_endpoints, webhook_events
    from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy

    db = connect(url, max_connections=2)
    migrations.upgrade(db)
    with db.connection_context():
        # A fresh start for each run: one endpoint, no earlier events or jobs.
        for model in (OutboxEntry, WebhookDelivery, WebhookEvent, WebhookEndpoint):
            model.delete().execute()
        account = partner_keys.find_account("Webhook bench") or partner_keys.create_account(
            "Webhook bench"
        )
        webhook_endpoints.create_endpoint(
            account.id,
            secret_box(Settings(database_url=url, secret_key=SECRET)),
            EndpointPolicy(allow_private=True),
            url=f"http://127.0.0.1:{port}/hook",
            event_types=["order.paid"],
        )
        OutboxEntry.delete().execute()  # the ping: not part of the burst
        WebhookDelivery.delete().execute()
        started = time.perf_counter()
        for first in range(0, events, 500):
            with write_transaction():
                for n in range(first, min(events, first + 500)):
                    webhook_events.emit(
                        account.id, "order.paid", lambda n=n: {"id": n, "status": "processing"}
                    )
        written = time.perf_counter() - started
    db.close_all()
    return written


def _succeeded(url: str) -> int:
    from tp_api.db import connect
    from tp_api.models import WebhookDelivery

    db = connect(url, max_connections=1)
    with db.connection_context():
        return WebhookDelivery.select().where(WebhookDelivery.status == "succeeded").count()


def _drain(url: str, workers: int, events: int) -> float:
    env = {**shipped_environ(), "TP_DATABASE_URL": url, "TP_SECRET_KEY": SECRET}
    command = [str(ROOT / ".venv" / "bin" / "tp-bridge"), "outbox", "work"]
    started = time.perf_counter()
    procs = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        for _ in range(workers)
    ]
    try:
        deadline = started + TIMEOUT_S
        while _succeeded(url) < events or len(Receiver.seen) < events:
            if time.perf_counter() > deadline:
                raise RuntimeError("the backlog did not drain in time")
            time.sleep(0.2)
        return time.perf_counter() - started
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    bench_report.override(
        "TP_WEBHOOK_ALLOW_PRIVATE",
        "1",
        "the receiver is on 127.0.0.1; shipped, deliveries to private addresses are refused",
    )
    bench_report.override("TP_LOG_LEVEL", "WARNING", "an INFO line per delivery is not measured")
    kinds = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for kind in kinds:
                url = _database_url(kind, Path(tmp))
                try:
                    for workers in (int(w) for w in args.workers.split(",")):
                        Receiver.seen.clear()
                        written = _burst(url, server.server_port, args.events)
                        drained = _drain(url, workers, args.events)
                        print(
                            f"{kind:8} workers={workers}  {args.events:,} events written in "
                            f"{written:5.1f} s ({args.events / written:,.0f}/s)  drained in "
                            f"{drained:6.1f} s  ({args.events / drained:,.0f} deliveries/s)  "
                            f"distinct ids received {len(Receiver.seen):,}",
                            flush=True,
                        )
                finally:
                    _drop(kind)
    finally:
        server.shutdown()
    return bench_report.verdict("webhook_bench")


if __name__ == "__main__":
    sys.exit(main())
