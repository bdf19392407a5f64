"""Benchmark: the waiting room (an event's queue) through the real server.

Run: .venv/bin/python bench/queue_bench.py [--store database|redis|all] [--db sqlite|postgres|both]
         [--customers 50000] [--rate 500] [--seconds 5]

For each store (the line in the database, or in Redis with ``TP_REDIS_URL``) and database:
a fresh database with one published event and one ticket type (the CLI, as bench_server
prepares it), an admin key, and `tp-bridge serve` (gunicorn, 2 workers). The bench switches
the waiting room on (``PUT /api/v1/events/{id}/queue``: ``--rate`` a minute, starting now),
then:

1. joins ``--customers`` distinct customers over HTTP (``POST /api/v1/queue/join``, 16 client
   threads with keep-alive connections): joins/s (the median of the run's whole seconds, and
   overall) and the latency percentiles;
2. polls the places with the tokens the joins returned (``GET /api/v1/queue/{token}``, wrk,
   every place in turn) at 16 and 64 connections: the sustained polls/s with p50/p99,
   against ``GET /livez`` on the same server (the ceiling);
3. checks the line from the data (the service's own line object, in-process): every place
   exists once, numbered 1..N, each the customer that was told so; turns follow the order of
   joining and replay exactly through ``schedule.next_turn``; no minute from the start lets
   more than the rate through; and the number admitted at chosen moments, in-process and
   through ``GET /api/v1/events/{id}/queue``, is exactly what the schedule says.

One setting differs from the shipped defaults, declared (bench_report.override) and printed:
``TP_TRUSTED_PROXIES=1``, as behind a reverse proxy, so each customer's polls come from their
own address (X-Forwarded-For) and the shipped per-address limit applies as in a real sale.
Joins are in the checkout class (5,000/second per key), so one key joins everyone. Redis
runs use DB 11 of the local server (``--redis-url``), flushed before and after. Exits
non-zero if any check fails or any request was answered 429 or 5xx.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_report  # noqa: E402
from bench_db import drop_postgres, fresh_postgres  # noqa: E402
from bench_load import find_wrk, wrk_version  # noqa: E402
from bench_server import (  # noqa: E402
    ACCOUNT_NAME,
    Server,
    _cli,
    code_state,
    install_cleanup,
    prepare,
)
from queue_checks import REDIS_URL, REQUEST_TIMEOUT_S, check_line  # noqa: E402
from queue_load import (  # noqa: E402
    JOIN_CLIENTS,
    POSTGRES_NAME,
    CpuMeter,
    join_all,
    join_figures,
    poll_steps,
)
from queue_report import report  # noqa: E402

# --- one configuration ---------------------------------------------------------------------


def _redis_flush() -> None:
    """Empty DB 11 (this bench's own database on the local Redis)."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def _put_queue(base: str, key: str, event_id: int, rate: int) -> datetime:
    """Switch the waiting room on, starting now (whole seconds, as a seller would type it)."""
    starts = datetime.now(UTC).replace(microsecond=0)
    body = json.dumps(
        {"queueEnabled": True, "ratePerMinute": rate, "startsAt": starts.isoformat()}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{base}/api/v1/events/{event_id}/queue",
        data=body,
        method="PUT",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:  # noqa: S310
        bench_report.record_statuses("PUT /api/v1/events/{id}/queue", {response.status: 1})
        answer = json.loads(response.read())
    if not answer["queueEnabled"] or answer["ratePerMinute"] != rate:
        raise RuntimeError(f"the waiting room did not switch on: {answer}")
    return starts


def run_one(store: str, db: str, args: argparse.Namespace, wrk: str) -> dict[str, Any]:
    """Prepare, serve, join, poll and check one store on one database."""
    workdir = Path(tempfile.mkdtemp(prefix=f"tp-queue-bench-{store}-{db}-"))
    if db == "sqlite":
        url = f"sqlite:///{workdir / 'queue.sqlite3'}"
    else:
        url = fresh_postgres(POSTGRES_NAME)
    if store == "redis":
        _redis_flush()
        os.environ["TP_REDIS_URL"] = REDIS_URL
    try:
        fixture = prepare(url, workdir, stock=args.customers * 2)
        admin = json.loads(_cli(url, "key", "create", "--account", ACCOUNT_NAME, "--admin"))
        key = admin["key"]
        result: dict[str, Any] = {"store": store, "db": db}
        with Server(url, workdir, workers=args.workers, threads=1) as server:
            base = server.base_url
            starts = _put_queue(base, key, fixture.event_id, args.rate)
            print(f"  [{store}/{db}] joining {args.customers:,} ...", file=sys.stderr, flush=True)
            meter = CpuMeter(server)
            joined = join_all(base, key, fixture.event_id, fixture.ticket_type_id, args.customers)
            result["joins"] = join_figures(joined)
            result["joins"]["cpu"] = meter.usage(len(joined.latencies))
            j = result["joins"]
            print(
                f"    joins: {j['per_s_median']:.0f}/s median ({j['per_s_overall']:.0f} overall)"
                f" p50 {j['p50_ms']:.1f} ms p99 {j['p99_ms']:.1f} ms {j['statuses']} "
                f"server {j['cpu']['server_ms_per_request']} ms/join",
                file=sys.stderr,
                flush=True,
            )
            tokens = workdir / "tokens.txt"
            shuffled = list(joined.tokens.values())
            random.Random(1).shuffle(shuffled)
            tokens.write_text("\n".join(shuffled) + "\n")
            result["polls"] = poll_steps(wrk, server, tokens, args.seconds, len(shuffled))
            result["checks"] = check_line(store, url, fixture.event_id, joined, base, key)
            result["checks"]["starts_at_put"] = starts.isoformat()
            result["join_problems"] = joined.problems[:5]
            result["server_errors"] = server.error_lines()[:10]
        for problem in result["checks"]["problems"]:
            print(f"    CHECK FAILED: {problem}", file=sys.stderr)
        return result
    finally:
        os.environ.pop("TP_REDIS_URL", None)
        if store == "redis":
            _redis_flush()
        if db == "postgres":
            drop_postgres(POSTGRES_NAME)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=["database", "redis", "all"], default="all")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--rate", type=int, default=500, help="admissions per minute")
    parser.add_argument("--seconds", type=int, default=5, help="per poll step")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args(argv)
    install_cleanup()
    bench_report.override(
        "TP_TRUSTED_PROXIES",
        "1",
        "as behind the reverse proxy a production install runs behind: each customer's polls "
        "carry their own address in X-Forwarded-For (10.x.y.z by place), so the public "
        "class's shipped 300/minute per address counts them as 50,000 customers, not one",
    )
    os.environ.pop("TP_REDIS_URL", None)  # the database store runs as shipped
    wrk = find_wrk()
    if wrk is None:
        sys.exit("wrk is needed (apt-get install wrk)")
    stores = ["database", "redis"] if args.store == "all" else [args.store]
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    data: dict[str, Any] = {
        "machine": bench_report.machine_info(
            sys.argv, argv, f"{wrk_version(wrk)}, 1 thread (polls); {JOIN_CLIENTS} Python threads"
        ),
        "code": code_state(),
        "customers": args.customers,
        "rate": args.rate,
        "workers": args.workers,
        "results": {},
    }
    for store in stores:
        for db in dbs:
            name = f"{store}/{db}"
            bench_report.section(name)
            print(f"{name} ...", file=sys.stderr, flush=True)
            try:
                data["results"][name] = run_one(store, db, args, wrk)
            except Exception as error:  # noqa: BLE001 - report it and go on with the next
                import traceback

                traceback.print_exc()
                data["results"][name] = {"error": f"{type(error).__name__}: {error}"}
    data["code_at_end"] = code_state()
    failures = report(data)
    bench_report.RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = bench_report.RESULTS_DIR / f"queue-{stamp}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    print(f"results written to {path}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return (1 if failures else 0) | bench_report.verdict("queue_bench")


if __name__ == "__main__":
    sys.exit(main())
