"""Benchmark: the admin API's list and availability endpoints on a large account.

Run: .venv/bin/python bench/admin_bench.py [--db sqlite|postgres|both] [--seconds 4]
     [--clients 4,16] [--workers 2] [--events 10000] [--tickets 1000000] [--keep]

For each database it seeds a database of its own (PostgreSQL: a new database next to
``TP_BENCH_POSTGRES_URL``'s, dropped at the end; SQLite: a file in a temporary directory)
with one account of 10,000 top-level events (two ticket types each, every tenth with two
dates of one ticket type each) and 1,000,000 tickets in their orders and order lines, plus a
second account whose orders are interleaved with the first one's. Rows are bulk-inserted
(COPY on PostgreSQL, executemany on SQLite) from a seeded generator, so both databases hold
the same data; the ticket types' (and shared pools') ``sold`` counters equal the tickets
inserted. PostgreSQL gets a VACUUM ANALYZE afterwards (what autovacuum does soon after such
a load); SQLite is left as the service leaves it (it never runs ANALYZE).

Then it starts ``tp-bridge serve --dev`` (gunicorn, 2 workers) with the admin rate limit off
and measures each endpoint with wrk (``Authorization: Bearer``) at 4 and 16 connections, with
``GET /livez`` on the same server as the ceiling. Finally every endpoint is requested once
in-process with peewee's query log on, and each SELECT it ran is explained (PostgreSQL:
EXPLAIN ANALYZE; SQLite: EXPLAIN QUERY PLAN and a timed run), to show where the time goes.

A Markdown table (requests/s, p50/p99, CPU per request) is printed and the figures are
written to ``bench/results/admin-<timestamp>.json``. Every server is stopped and every database
dropped at the end, error or not (``--keep`` keeps the databases for a closer look).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_cpu  # noqa: E402
import bench_report  # noqa: E402
from admin_dataset import (  # noqa: E402
    DB_TITLES,
    DEEP_PAGE,
    EVENTS,
    PAGE,
    TICKETS,
    Dataset,
    build_dataset,
)
from admin_endpoints import Endpoint, check_answers, deep_cursor, endpoints  # noqa: E402
from admin_profile import print_profile, profile  # noqa: E402
from admin_seed import check_counters, seed  # noqa: E402
from bench_load import (  # noqa: E402
    LUA_SCRIPT,
    REQUEST_TIMEOUT_S,
    LoadResult,
    find_wrk,
    wrk_json,
    wrk_version,
)
from bench_server import Server, code_state, install_cleanup, postgres_url  # noqa: E402

# --- databases -----------------------------------------------------------------------------


def _admin_sql(sql: str) -> None:
    conn = psycopg2.connect(postgres_url())
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def create_database(kind: str, workdir: Path) -> str:
    """A new, empty database of this run: a SQLite file, or a PostgreSQL database."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'admin.sqlite3'}"
    name = f"tp_admin_bench_{os.getpid()}"
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(postgres_url())._replace(path=f"/{name}"))


def drop_database(url: str) -> None:
    if url.startswith("postgres"):
        name = urlsplit(url).path.lstrip("/")
        _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_version(url: str) -> str:
    if url.startswith("sqlite"):
        return f"SQLite {sqlite3.sqlite_version}"
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW server_version")
            return f"PostgreSQL {cur.fetchone()[0]}"
    finally:
        conn.close()


# --- load ----------------------------------------------------------------------------------


def run_get(wrk: str, url: str, key: str, clients: int, seconds: int) -> LoadResult:
    """One wrk run of GETs with the admin key (bench_load.run_wrk, plus the header)."""
    cmd = [
        wrk, "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", f"{REQUEST_TIMEOUT_S}s",
        "-H", f"Authorization: Bearer {key}", "-s", str(LUA_SCRIPT), url, "--", "get", "x", "0",
    ]  # fmt: skip
    raw = wrk_json(cmd, seconds)
    bench_report.record_wrk(f"GET {url.split('//', 1)[-1].split('/', 1)[-1]} at {clients}", raw)
    sockets = {k: int(raw[k]) for k in ("connect", "read", "write", "timeout")}
    return LoadResult(
        name="",
        clients=clients,
        seconds=raw["duration_us"] / 1e6,
        requests=int(raw["requests"]),
        non200=int(raw["non200"]),
        socket_errors=sum(sockets.values()),
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        client="wrk",
        detail=sockets,
    )


def _backend_seconds(dbname: str) -> float:
    """CPU seconds of the PostgreSQL backends serving ``dbname`` (their process title names
    the database), so that other databases' work on a shared machine is not counted."""
    if not dbname:
        return 0.0
    total = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            title = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if f" {dbname} " not in title or not title.startswith("postgres:"):
                continue
            raw = Path(entry.path, "stat").read_text()
        except (OSError, UnicodeDecodeError):
            continue
        rest = raw[raw.rindex(")") + 2 :].split()
        total += (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")
    return total


@dataclass(frozen=True)
class _Cpu:
    base: bench_cpu.CpuSnapshot
    backends: float


def _cpu(server: Server, dbname: str) -> _Cpu:
    assert server.proc is not None
    return _Cpu(bench_cpu.snapshot(server.proc.pid), _backend_seconds(dbname))


def _cpu_usage(before: _Cpu, after: _Cpu, requests: int) -> dict[str, float]:
    """Server and database CPU ms per request; ``other_pct``: the machine's CPU used by
    anything else (other databases and programs) during the step."""
    a, b = before.base, after.base
    capacity = max(b.at - a.at, 1e-9) * (os.cpu_count() or 1)
    server, client, busy = b.server - a.server, b.client - a.client, b.busy - a.busy
    database = after.backends - before.backends
    return {
        "server_ms_per_request": round(1000 * server / max(requests, 1), 3),
        "db_ms_per_request": round(1000 * database / max(requests, 1), 3),
        "machine_busy_pct": round(100 * busy / capacity, 1),
        "other_pct": round(100 * max(0.0, busy - server - database - client) / capacity, 1),
        "steal_pct": round(100 * (b.steal - a.steal) / capacity, 1),
    }


def drain(base: str, timeout_s: float = 60.0) -> None:
    """Wait until the server has worked off what a step left queued (wrk stops sending, but
    the workers still answer the requests in their queue): a /livez answered quickly."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        started = time.monotonic()
        with urllib.request.urlopen(base + "/livez", timeout=timeout_s) as response:  # noqa: S310
            response.read()
        if time.monotonic() - started < 0.02:
            return


def measure(
    wrk: str, server: Server, key: str, eps: list[Endpoint], args: argparse.Namespace, db: str
) -> list[dict[str, Any]]:
    """Each endpoint: a 1 s warm-up, then one step per concurrency, with the CPU it cost;
    every step starts on an idle server."""
    dbname = urlsplit(server.db_url).path.lstrip("/") if db == "postgres" else ""
    steps = []
    for ep in eps:
        url = server.base_url + ep.path
        drain(server.base_url)
        run_get(wrk, url, key, args.clients[0], 1)
        for clients in args.clients:
            drain(server.base_url)
            before = _cpu(server, dbname)
            result = run_get(wrk, url, key, clients, args.seconds)
            cpu = _cpu_usage(before, _cpu(server, dbname), result.requests)
            result.name = ep.name
            steps.append({**result.as_dict(), "cpu": cpu})
            print(
                f"  [{db}] {ep.name:<28} c={clients:<3} {result.ok_per_s:8.1f}/s "
                f"p50 {result.p50_ms:8.2f} ms  p99 {result.p99_ms:8.2f} ms  "
                f"errors {result.errors}  server {cpu['server_ms_per_request']} ms/req  "
                f"db {cpu['db_ms_per_request']} ms/req  other {cpu['other_pct']}%",
                file=sys.stderr,
                flush=True,
            )
    return steps


# --- the run -------------------------------------------------------------------------------


def run_database(
    db: str, data: Dataset, args: argparse.Namespace, wrk: str
) -> tuple[dict[str, Any], list[str]]:
    workdir = Path(tempfile.mkdtemp(prefix=f"tp-admin-bench-{db}-"))
    url = create_database(db, workdir)
    kept: list[str] = []
    try:
        print(f"{db}: seeding ...", file=sys.stderr, flush=True)
        seeded = seed(url, data)
        print(f"{db}: seeded in {seeded.seconds['total']:.1f} s", file=sys.stderr, flush=True)
        result: dict[str, Any] = {
            "server": server_version(url),
            "seed_seconds": {k: round(v, 2) for k, v in seeded.seconds.items()},
            "rows": seeded.rows,
            "counter_problems": check_counters(url),
        }
        with Server(url, workdir, workers=args.workers, threads=1) as server:
            page = max(2, min(DEEP_PAGE, args.events // PAGE))
            eps = endpoints(data, page, deep_cursor(server.base_url, seeded.key_a, page))
            result["answer_problems"] = check_answers(server.base_url, seeded, data, eps)
            result["steps"] = measure(wrk, server, seeded.key_a, eps, args, db)
            result["server_errors"] = server.error_lines()[:20]
        result["profile"] = profile(url, seeded.key_a, eps)
        result["paths"] = {ep.name: ep.path for ep in eps}
        if args.keep:
            kept.append(url)
        return result, kept
    finally:
        if not args.keep:
            drop_database(url)
            shutil.rmtree(workdir, ignore_errors=True)


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def markdown_table(results: dict[str, Any]) -> str:
    """One row per step; ``cpu ms/req`` is the server's CPU per request plus, on
    PostgreSQL, its backends' for this database; ``other %`` is the machine's CPU used by
    anything else during the step (other programs, other databases)."""
    lines = [
        "| database | endpoint | conns | req/s | p50 ms | p99 ms | errors | cpu ms/req "
        "| other % | ÷ livez |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for db, result in results.items():
        steps = result.get("steps", [])
        ceiling = {s["clients"]: s["ok_per_s"] for s in steps if s["name"].startswith("livez")}
        for s in steps:
            ratio = s["ok_per_s"] / ceiling[s["clients"]] if ceiling.get(s["clients"]) else 0
            cpu = s["cpu"]
            ms = cpu["server_ms_per_request"] + cpu["db_ms_per_request"]
            lines.append(
                f"| {DB_TITLES[db]} | {s['name']} | {s['clients']} | {_fmt(s['ok_per_s'], 0)} "
                f"| {_fmt(s['p50_ms'])} | {_fmt(s['p99_ms'])} | {s['errors']} | {ms:.2f} "
                f"| {cpu['other_pct']:.0f} | {ratio:.3f} |"
            )
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--seconds", type=int, default=4, help="length of each wrk step")
    parser.add_argument("--clients", default="4,16", help="connections, comma-separated")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--events", type=int, default=EVENTS, help="top-level events")
    parser.add_argument("--tickets", type=int, default=TICKETS, help="the account's tickets")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args(argv)
    args.clients = [int(x) for x in args.clients.split(",") if x.strip()]
    return args


def write_json(data: dict[str, Any]) -> Path:
    bench_report.RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = bench_report.RESULTS_DIR / f"admin-{stamp}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def report(data: dict[str, Any], dataset: Dataset) -> None:
    machine = data["machine"]
    print(f"\ncommand: {machine['command']}")
    print(f"machine: {machine['nproc']} cores, {machine['cpu']}, Python {machine['python']}")
    a_tickets = dataset.tickets(1)
    print(
        f"data: {sum(1 for e in dataset.events if e.account_id == 1 and not e.parent):,} "
        f"events of account 1 ({len(dataset.events):,} event rows in all), "
        f"{len(dataset.types):,} ticket types, {len(dataset.orders):,} orders, "
        f"{a_tickets:,} tickets of account 1 (+{dataset.tickets(2):,} of account 2); hot "
        f"event {dataset.hot.id} with {sum(t.sold for t in dataset.hot.sale_types()):,} "
        f"tickets; generated in {dataset.seconds:.1f} s"
    )
    for db, result in data["results"].items():
        if "error" in result:
            print(f"{DB_TITLES[db]}: FAILED: {result['error']}")
            continue
        print(f"\n{DB_TITLES[db]} ({result['server']}): seeding {result['seed_seconds']}")
        for key in ("counter_problems", "answer_problems", "server_errors"):
            if result.get(key):
                print(f"  {key}: {result[key]}")
        print_profile(db, result["profile"])
    print("\n" + markdown_table({k: v for k, v in data["results"].items() if "steps" in v}))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    install_cleanup()
    bench_report.override(
        "TP_RATE_LIMIT_ADMIN",
        "off",
        "this bench measures what the server can serve per endpoint; the shipped 120/minute "
        "per key (docs/admin-api.md) would cap every step at 2 requests/s",
    )
    wrk = find_wrk()
    if wrk is None:
        sys.exit("wrk is needed (apt-get install wrk)")
    dataset = build_dataset(args.events, args.tickets)
    data: dict[str, Any] = {
        "machine": bench_report.machine_info(sys.argv, argv, f"{wrk_version(wrk)}, 1 thread"),
        "code": code_state(),
        "results": {},
    }
    failed = False
    kept: list[str] = []
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        bench_report.section(db)
        try:
            data["results"][db], urls = run_database(db, dataset, args, wrk)
            kept += urls
        except Exception as error:  # noqa: BLE001 - report it and go on with the next database
            import traceback

            traceback.print_exc()
            data["results"][db] = {"error": f"{type(error).__name__}: {error}"}
            failed = True
    report(data, dataset)
    print(f"\nresults written to {write_json(data)}")
    for url in kept:
        print(f"kept: {url}")
    return (1 if failed else 0) | bench_report.verdict("admin_bench")


if __name__ == "__main__":
    sys.exit(main())
