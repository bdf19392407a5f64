"""Benchmark: a first full sync of N shop orders over loopback, then an incremental run.

Run: .venv/bin/python bench/sync_bench.py [--orders 10000] [--db sqlite|postgres]

The shop is the test suite's fake WooCommerce (tests/fake_woo.py) running in a child
process on 127.0.0.1, so its memory is not counted. The sync runs in this process exactly
as `tp-bridge sync run` does it (pull_orders, then push_stock). Peak memory is the growth of
this process's peak RSS during the run; running 2,000 and 10,000 orders shows whether it
grows with the number of orders.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_report  # noqa: E402

PG_URL = os.environ.get("TP_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def serve_shop(orders: int, ready: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    from tests.fake_woo import EPOCH, FakeWoo, woo_order

    with FakeWoo() as woo:
        for i in range(1, orders + 1):
            woo.put(woo_order(i, modified=EPOCH + timedelta(seconds=i // 5)))
        woo.products[93] = {"id": 93, "manage_stock": True, "stock_quantity": 0}
        ready.put(woo.url)
        stop.wait(3600)


def fresh_database(kind: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='tp-sync-bench-')}/bench.sqlite3"
    import psycopg2

    conn = psycopg2.connect(PG_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    conn.close()
    return PG_URL


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _bench_shop(url: str, orders: int) -> Any:
    """An account selling ``orders`` tickets of one type through a shop mapped at ``url``."""
    from tp_api.services.credentials import partner_keys
    from tp_api.services.credentials.secret_box import SecretBox
    from tp_api.services.events import catalogue as events
    from tp_api.services.shops import connections as shops

    seller = partner_keys.create_account("Bench")
    node = events.load_events(
        seller.id,
        [{"name": "Fest", "stock": orders, "tickets": [{"name": "GA", "stock": orders}]}],
    )[0]
    shop = shops.add_shop(
        SecretBox(["bench"]),
        seller.id,
        "bench",
        platform="woocommerce",
        base_url=url,
        consumer_key="ck_test",
        consumer_secret="cs_test",
    ).shop
    shops.map_product(shop, product_id=93, ticket_type_id=node.ticket_types[0].id)
    return shop


def run(orders: int, kind: str, trace: bool = False) -> dict[str, float]:
    from bridge.adapters.woocommerce import WooClient
    from bridge.adapters.woocommerce_shop import WooCommerceShop
    from sync.jobs import pull_orders, push_stock
    from tp_api import migrations
    from tp_api.db import connect
    from tp_api.models import Order, Shop

    ready: multiprocessing.Queue = multiprocessing.Queue()
    stop = multiprocessing.Event()
    shop_process = multiprocessing.Process(target=serve_shop, args=(orders, ready, stop))
    shop_process.start()
    try:
        url = ready.get(timeout=120)
        db = connect(fresh_database(kind))
        migrations.upgrade(db)
        shop = _bench_shop(url, orders)
        client = WooCommerceShop(WooClient(url, "ck_test", "cs_test"))
        if trace:
            tracemalloc.start()
        before = rss_mb()
        start = time.perf_counter()
        first = pull_orders(shop, client)
        push_stock(shop, client)
        full_s = time.perf_counter() - start
        peak = rss_mb() - before
        heap_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else 0.0
        tracemalloc.stop()
        assert first.orders_new == orders and Order.select().count() == orders, first.error_text
        start = time.perf_counter()
        again = pull_orders(Shop.get_by_id(shop.id), client)
        push_stock(Shop.get_by_id(shop.id), client)
        incremental_s = time.perf_counter() - start
        db.close_all()
        return {
            "orders": orders,
            "full_sync_s": full_s,
            "orders_per_s": orders / full_s,
            "peak_rss_growth_mb": peak,
            "python_heap_peak_mb": heap_peak,
            "incremental_s": incremental_s,
            "incremental_rechecked": again.orders_skipped,
        }
    finally:
        stop.set()
        shop_process.join(timeout=10)
        if shop_process.is_alive():
            shop_process.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--memory",
        action="store_true",
        help="also trace the Python heap's peak (slows the run: times are off)",
    )
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run(args.one, args.db, args.memory)))
        return 0
    print(
        f"command: {' '.join(sys.argv)} | cores {os.cpu_count()} | Python {sys.version.split()[0]}"
    )
    for count in args.orders:
        # Each size in a fresh process, so peak RSS is measured from the same start.
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(count), "--db", args.db]
            + (["--memory"] if args.memory else []),
            capture_output=True,
            text=True,
            check=True,
            timeout=1800,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"  {args.db:8s} {result['orders']:6d} orders: full sync "
            f"{result['full_sync_s']:6.1f} s ({result['orders_per_s']:5.0f}/s), peak RSS "
            f"+{result['peak_rss_growth_mb']:5.1f} MB"
            + (f" (Python heap peak {result['python_heap_peak_mb']:.2f} MB)" if args.memory else "")
            + ", incremental "
            f"{result['incremental_s']:5.2f} s ({result['incremental_rechecked']} re-read "
            "in the overlap window)"
        )
    return bench_report.verdict("sync_bench")


if __name__ == "__main__":
    sys.exit(main())
