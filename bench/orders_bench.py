"""Benchmark: ``POST /tp-api/orders/create`` through the real server, as `tp-bridge serve` runs it.

For each database (SQLite in a temporary directory, PostgreSQL at ``TP_BENCH_POSTGRES_URL``,
default postgresql://postgres@127.0.0.1:5432/test, whose ``public`` schema is dropped and
recreated: a scratch database), it

1. prepares a fresh database with the CLI (``db upgrade``, ``account create``,
   ``events load``: one ticket type with a large stock), starts ``tp-bridge serve --dev``
   (gunicorn) on a free 127.0.0.1 port, and at 1, 8 and 32 concurrent clients measures
   single-ticket paid orders (orders/s, p50/p99 latency, non-200 count) and, on the same
   server, ``GET /livez`` (the bare-JSON ceiling);
2. runs the race on another fresh database: 300 orders at once for a stock of 100.

The load comes from wrk (installed with apt-get if missing and possible), else from Python
threads. Every step is bounded in time and every server is stopped (by PID, with its process
group) at the end, error or not. A table is printed and the results are written to
``bench/results/orders-<timestamp>.json``.

    .venv/bin/python bench/orders_bench.py [--db sqlite|postgres|both] [--seconds S] [--workers N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import quote

import bench_cpu
import bench_report
from bench_load import LoadResult, Target, find_wrk, run_load, wrk_version
from bench_race import available, run_race
from bench_server import Server, code_state, fresh_database, install_cleanup, prepare

THROUGHPUT_STOCK = 10_000_000
WARMUP_CLIENTS = 8
MAX_ERROR_LINES = 50


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="length of each step (wrk: whole seconds)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    parser.add_argument(
        "--clients", default="1,8,32", help="concurrencies, comma-separated (default 1,8,32)"
    )
    parser.add_argument(
        "--warmup", type=float, default=1.0, help="warm-up seconds per endpoint (0: none)"
    )
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--race-orders", type=int, default=300)
    parser.add_argument("--race-stock", type=int, default=100)
    parser.add_argument("--no-race", action="store_true", help="skip the race scenario")
    args = parser.parse_args(argv)
    args.clients = [int(x) for x in args.clients.split(",") if x.strip()]
    return args


def choose_client(choice: str) -> tuple[str | None, str]:
    """The wrk binary (None for the Python client) and a description of it."""
    if choice == "python":
        return None, "python threads (http.client)"
    wrk = find_wrk()
    if wrk:
        return wrk, f"{wrk_version(wrk)}, 1 thread"
    if choice == "wrk":
        raise SystemExit("wrk is not installed and could not be installed")
    return None, "python threads (http.client): wrk not available"


def _progress(db: str, what: str, result: LoadResult, cpu: dict[str, float]) -> None:
    print(
        f"  [{db}] {what:<6} c={result.clients:<3} {result.ok_per_s:8.1f}/s "
        f"p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:7.2f} ms  errors {result.errors}  "
        f"cpu: busy {cpu['machine_busy_pct']}% server {cpu['server_pct']}% "
        f"postgres {cpu['postgres_pct']}% client {cpu['client_pct']}% other {cpu['other_pct']}% "
        f"steal {cpu['steal_pct']}%",
        file=sys.stderr,
        flush=True,
    )


def measure(
    db: str,
    what: str,
    server: Server,
    target: Target,
    clients: int,
    seconds: float,
    wrk: str | None,
) -> tuple[LoadResult, dict[str, Any]]:
    """One step, with the CPU it cost (see bench_cpu)."""
    assert server.proc is not None
    before = bench_cpu.snapshot(server.proc.pid)
    result = run_load(wrk, target, clients, seconds)
    cpu = bench_cpu.usage(before, bench_cpu.snapshot(server.proc.pid), result.requests)
    _progress(db, what, result, cpu)
    return result, {**result.as_dict(), "cpu": cpu}


def measure_steps(
    db: str,
    server: Server,
    key: str,
    ticket_type_id: int,
    args: argparse.Namespace,
    wrk: str | None,
) -> tuple[list[dict[str, Any]], int]:
    """Warm up, then livez and orders at each concurrency. Returns the steps and 200s sent."""
    orders_url = f"{server.base_url}/tp-api/orders/create?key={quote(key)}"
    livez = Target(server.base_url + "/livez")
    ok_sent = 0
    if args.warmup > 0:
        warm = Target(orders_url, post=True, ticket_type_id=ticket_type_id, prefix="warmup")
        ok_sent += _ok(run_load(wrk, warm, WARMUP_CLIENTS, args.warmup))
        run_load(wrk, livez, WARMUP_CLIENTS, args.warmup)
    steps = []
    for clients in args.clients:
        _, bare = measure(db, "livez", server, livez, clients, args.seconds, wrk)
        target = Target(orders_url, post=True, ticket_type_id=ticket_type_id, prefix=f"c{clients}")
        result, orders = measure(db, "orders", server, target, clients, args.seconds, wrk)
        ok_sent += _ok(result)
        steps.append({"clients": clients, "orders": orders, "livez": bare})
    return steps, ok_sent


def _ok(result: LoadResult) -> int:
    return result.requests - result.non200


def run_throughput(
    db: str, args: argparse.Namespace, workdir: Path, wrk: str | None
) -> dict[str, Any]:
    """Fresh database with a large stock, one server, every concurrency step."""
    fixture = prepare(fresh_database(db, workdir, "throughput"), workdir, THROUGHPUT_STOCK)
    with Server(fixture.url, workdir, workers=args.workers, threads=args.threads) as server:
        steps, ok_sent = measure_steps(db, server, fixture.key, fixture.ticket_type_id, args, wrk)
        left = available(server.port, fixture.key, fixture.ticket_type_id)
        errors = _server_errors(server)
    return {
        "steps": steps,
        "ok_counted": ok_sent,
        "sold_per_api": None if left is None else THROUGHPUT_STOCK - left,
        **errors,
    }


def _server_errors(server: Server) -> dict[str, Any]:
    return {
        "server_errors": server.error_lines()[:MAX_ERROR_LINES],
        "server_first_traceback": server.first_traceback(),
    }


def run_race_scenario(db: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Fresh database with a small stock; all orders released at once."""
    fixture = prepare(fresh_database(db, workdir, "race"), workdir, args.race_stock)
    with Server(fixture.url, workdir, workers=args.workers, threads=args.threads) as server:
        race = run_race(
            server.port,
            fixture.key,
            fixture.ticket_type_id,
            orders=args.race_orders,
            stock=args.race_stock,
        )
        errors = _server_errors(server)
    # 409 (sold out) is the race's expected answer; a 429 or 5xx fails the run as anywhere.
    bench_report.record_statuses(f"{db}: race, {args.race_orders} orders at once", race.statuses)
    print(f"  [{db}] {bench_report.race_line(race.as_dict()).strip()}", file=sys.stderr)
    return {**race.as_dict(), **errors}


def run_database(db: str, args: argparse.Namespace, wrk: str | None, client: str) -> dict[str, Any]:
    config = {
        "workers": args.workers,
        "threads": args.threads,
        "seconds": args.seconds,
        "clients": args.clients,
        "client": client,
    }
    with tempfile.TemporaryDirectory(prefix=f"tp-bench-{db}-") as tmp:
        workdir = Path(tmp)
        result = {"config": config, **run_throughput(db, args, workdir, wrk)}
        result["race"] = None if args.no_race else run_race_scenario(db, args, workdir)
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    install_cleanup()
    wrk, client = choose_client(args.client)
    data: dict[str, Any] = {
        "machine": bench_report.machine_info(sys.argv, argv, client),
        "code": code_state(),
        "results": {},
    }
    failed = False
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        print(f"{db}: running ...", file=sys.stderr, flush=True)
        bench_report.section(db)
        try:
            data["results"][db] = run_database(db, args, wrk, client)
        except Exception as error:  # noqa: BLE001 - report it and go on with the next database
            traceback.print_exc()
            data["results"][db] = {"error": f"{type(error).__name__}: {error}"}
            failed = True
    data["code_at_end"] = code_state()
    print(bench_report.report(data))
    print(f"results written to {bench_report.write_json(data)}")
    return (1 if failed else 0) | bench_report.verdict("orders_bench")


if __name__ == "__main__":
    sys.exit(main())
