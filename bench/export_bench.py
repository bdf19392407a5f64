"""Benchmark: the customers CSV export streams in flat memory.

Run: .venv/bin/python bench/export_bench.py [--db sqlite|postgres|both]

Fills a fresh database with 10,000 and then 100,000 customers (one paid order each, plus a
second order for every tenth), runs ``customers.listing.export_customers_csv`` to the end and
reports the time and (in a second, traced run) the peak of Python memory allocated while
exporting (tracemalloc).
Flat memory means the 100,000 peak is close to the 10,000 peak, not ten times it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import psycopg2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_report  # noqa: E402

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_DB = "tp_export_bench"
SIZES = (10_000, 100_000)


def _postgres_url() -> str:
    conn = psycopg2.connect(POSTGRES_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB}")
        cur.execute(f"CREATE DATABASE {POSTGRES_DB}")
    conn.close()
    return f"postgresql://postgres@127.0.0.1:5432/{POSTGRES_DB}"


def _drop_postgres() -> None:
    conn = psycopg2.connect(POSTGRES_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB}")
    conn.close()


def _fill(account_id: int, start: int, count: int) -> None:
    from tp_api.db import database, utcnow
    from tp_api.models import Order

    now = utcnow()
    rows = []
    for n in range(start, start + count):
        row = {
            "account": account_id,
            "status": "processing",
            "currency": "EUR",
            "total_cents": 2995,
            "billing_first_name": f"First{n}",
            "billing_last_name": f"Last{n}",
            "billing_email": f"customer{n:07d}@example.com",
            "billing_phone": "+31600000000",
            "date_created": now,
            "date_paid": now,
            "created_at": now,
            "updated_at": now,
        }
        rows.append(row)
        if n % 10 == 0:
            rows.append({**row, "total_cents": 5990})
    with database.atomic():
        for i in range(0, len(rows), 1000):
            Order.insert_many(rows[i : i + 1000]).execute()
    # What autovacuum does after a bulk load; without statistics PostgreSQL may pick a plan
    # that reads every order for each batch.
    database.execute_sql("ANALYZE")


def _export(account_id: int) -> tuple[float, int, int, int]:
    """Seconds (untraced run), peak traced bytes (second run), CSV bytes and rows."""
    from tp_api.services.customers.listing import export_customers_csv

    started = time.perf_counter()
    size = lines = 0
    for chunk in export_customers_csv(account_id):
        size += len(chunk)
        lines += chunk.count("\n")
    elapsed = time.perf_counter() - started
    # tracemalloc slows Python down several times: measure memory in a run of its own.
    tracemalloc.start()
    for _chunk in export_customers_csv(account_id):
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak, size, lines - 1


def run(kind: str, workdir: Path, sizes: tuple[int, ...] = SIZES) -> list[str]:
    from tp_api import migrations
    from tp_api.db import connect
    from tp_api.services.credentials import partner_keys

    url = f"sqlite:///{workdir / 'export.sqlite3'}" if kind == "sqlite" else _postgres_url()
    db = connect(url, max_connections=2)
    try:
        migrations.upgrade(db)
        with db.connection_context():
            account = partner_keys.create_account("Export bench")
            report, filled = [], 0
            for size in sizes:
                _fill(account.id, filled, size - filled)
                filled = size
                elapsed, peak, nbytes, rows = _export(account.id)
                assert rows == size, (rows, size)
                report.append(
                    f"{kind:8} {size:>8,} customers  {elapsed:6.2f} s  "
                    f"{size / elapsed:>9,.0f} rows/s  peak {peak / 1e6:6.2f} MB  "
                    f"CSV {nbytes / 1e6:6.1f} MB"
                )
                print(report[-1], flush=True)
        db.close_all()
    finally:
        if kind == "postgres":
            _drop_postgres()
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=list(SIZES), help="customers per run (smoke: 500)"
    )
    args = parser.parse_args()
    kinds = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            run(kind, Path(tmp), tuple(args.sizes))
    return bench_report.verdict("export_bench")


if __name__ == "__main__":
    sys.exit(main())
