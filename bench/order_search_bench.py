"""Benchmark: the order search by text (tp_api/services/orders/order_search.py) at a million
orders, on SQLite and PostgreSQL, for the texts that stress it differently.

One big account with ``--orders`` orders (buyer ``First<n> Last<n>``,
``customer<n>@example.com``, newest last) and a small account with a tenth as many, in the
same tables. Each search is ``list_orders(..., limit=50)``, the console's and the admin
API's page, timed 30 times after 5 warm-ups; medians and 90th percentiles::

    .venv/bin/python bench/order_search_bench.py [--db sqlite|postgres|both] [--orders 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_db import drop_postgres, fresh_postgres  # noqa: E402

POSTGRES_DB = "tp_order_search_bench"
WARM_UP, RUNS = 5, 30
# (what it shows, the text, which account): the big one unless "small".
SEARCHES = [
    ("rare text (one order)", "customer0012345", "big"),
    ("text every order holds", "example.com", "big"),
    ("text of 1 % of orders, all old", "last12", "big"),
    ("small account, text common in the big one", "last12", "small"),
    ("small account, rare text", "customer0012345", "small"),
]


def _fill(account_id: int, count: int, offset: int) -> None:
    from tp_api.db import database, utcnow
    from tp_api.models import Order

    now = utcnow()
    with database.atomic():
        for start in range(0, count, 2000):
            Order.insert_many(
                [
                    {
                        "account": account_id,
                        "status": "processing",
                        "currency": "EUR",
                        "total_cents": 2500,
                        "billing_first_name": f"First{n}",
                        "billing_last_name": f"Last{n}",
                        "billing_email": f"customer{n:07d}@example.com",
                        "wp_order_id": str(offset + n),
                        "number": offset + n,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n in range(start, min(count, start + 2000))
                ]
            ).execute()
    database.execute_sql("ANALYZE")


def _time(account_id: int, text: str) -> tuple[float, float, int]:
    from tp_api.services.orders.order_queries import OrderFilter, list_orders

    filters = OrderFilter(search=text)
    found = 0
    for _ in range(WARM_UP):
        found = len(list_orders(account_id, filters, limit=50, cursor=None).orders)
    runs = []
    for _ in range(RUNS):
        started = time.perf_counter()
        list_orders(account_id, filters, limit=50, cursor=None)
        runs.append((time.perf_counter() - started) * 1000)
    runs.sort()
    return statistics.median(runs), runs[int(len(runs) * 0.9) - 1], found


def run(kind: str, orders: int, keep: bool = False) -> None:
    from tp_api import migrations
    from tp_api.db import connect
    from tp_api.services.credentials import partner_keys

    work = tempfile.mkdtemp(prefix="order-search-")
    url = fresh_postgres(POSTGRES_DB) if kind == "postgres" else f"sqlite:///{work}/search.sqlite3"
    db = connect(url, max_connections=4)
    migrations.upgrade(db)
    with db.connection_context():
        big = partner_keys.create_account("Big").id
        small = partner_keys.create_account("Small").id
        started = time.perf_counter()
        _fill(big, orders, 10**11)
        _fill(small, orders // 10, 2 * 10**11)
        took = time.perf_counter() - started
        print(f"\n{kind}: {orders:,} + {orders // 10:,} orders ({took:.0f} s to fill)")
        print(f"  {'search':44} {'median':>8} {'p90':>8} {'found':>6}")
        for name, text, which in SEARCHES:
            median, p90, found = _time(big if which == "big" else small, text)
            print(f"  {name:44} {median:6.1f} ms {p90:6.1f} ms {found:6d}", flush=True)
    db.close_all()
    if kind == "postgres" and not keep:
        drop_postgres(POSTGRES_DB)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args(argv)
    for kind in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        run(kind, args.orders, args.keep)
    print("settings: the shipped defaults (no TP_* setting changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
