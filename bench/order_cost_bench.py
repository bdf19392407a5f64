"""Benchmark: the in-process cost of one paid partner order, without a server or a network.

Runs ``POST /tp-api/orders/create`` (single-ticket, paid, each with its own ``wp_order_id``)
through Flask's test client on a fresh SQLite file: authentication, validation, stock,
inserts and commit, as in production but without gunicorn and HTTP. It isolates the code's
cost per order from the machine's HTTP ceiling, so two commits can be compared on one
machine by running this file from each checkout in turn (``--repeat`` rounds each; report
the medians)::

    .venv/bin/python bench/order_cost_bench.py [--orders 1500] [--repeat 3] [--db postgres]
    cd ../other-checkout && PYTHONPATH=. /path/to/.venv/bin/python bench/order_cost_bench.py
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_db import drop_postgres, fresh_postgres  # noqa: E402

WARMUP_ORDERS = 200
# --db postgres: a database of its own, made afresh and dropped after the run.
POSTGRES_DB = "tp_order_cost_bench"


def prepare(url: str, files: str) -> tuple[object, str, int]:
    """A migrated database with one seller, a ticket type with ample stock, and the app."""
    from config.settings import Settings
    from config.wsgi import create_app
    from tp_api import migrations
    from tp_api.db import connect
    from tp_api.services.credentials import partner_keys
    from tp_api.services.events import catalogue as events

    db = connect(url, max_connections=4)
    migrations.upgrade(db)
    db.connect(reuse_if_open=True)
    seller = partner_keys.create_account("Order cost bench")
    key = partner_keys.create_key(seller.id, label="bench").secret
    node = events.load_events(
        seller.id,
        [{"name": "Fest", "stock": 10**7, "tickets": [{"name": "GA", "stock": 10**7}]}],
    )[0]
    db.close()
    app = create_app(
        Settings(
            database_url=url, secret_key="b" * 48, public_url="http://bench.test", files_dir=files
        )
    )
    return app.test_client(), key, node.ticket_types[0].id


def body(ticket_type_id: int, n: int) -> str:
    return json.dumps(
        {
            "wp_order_id": f"wc_{n}",
            "wp_user_id": 7,
            "date_paid": "2026-06-01T10:01:00Z",
            "billing_information": {
                "first_name": "Jane",
                "last_name": "Doe",
                "email": "jane@example.com",
            },
            "order_lines": [
                {
                    "tp_event_ticket_id": ticket_type_id,
                    "name": "GA",
                    "quantity": 1,
                    "product_id": 101,
                    "order_item_type": "line_item",
                    "unit_price": 29.95,
                }
            ],
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1500, help="orders per round")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (the median is reported)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args(argv)
    work = tempfile.mkdtemp(prefix="order-cost-")
    url = (
        fresh_postgres(POSTGRES_DB) if args.db == "postgres" else f"sqlite:///{work}/bench.sqlite3"
    )
    client, key, type_id = prepare(url, f"{work}/files")
    path = f"/tp-api/orders/create?key={key}"
    n = 0

    def round_ms(count: int) -> float:
        nonlocal n
        started = time.perf_counter()
        for _ in range(count):
            n += 1
            answer = client.post(path, data=body(type_id, n), content_type="application/json")
            if answer.status_code != 200:
                raise SystemExit(f"order {n}: {answer.status_code} {answer.get_data(as_text=True)}")
        return (time.perf_counter() - started) / count * 1000

    round_ms(WARMUP_ORDERS)
    rounds = [round_ms(args.orders) for _ in range(args.repeat)]
    import tp_api

    print(
        f"code: {Path(tp_api.__file__).parent.parent} | {args.db} | {args.repeat} rounds of "
        f"{args.orders} orders | ms/order median {statistics.median(rounds):.3f} "
        f"(rounds {', '.join(f'{r:.3f}' for r in rounds)})"
    )
    # Every answer was checked to be 200 above: no 429 or 5xx can pass unnoticed.
    print("settings: the shipped defaults (no TP_* setting changed)")
    if args.db == "postgres":
        drop_postgres(POSTGRES_DB)  # WITH (FORCE) ends the app's pooled connections
    return 0


if __name__ == "__main__":
    sys.exit(main())
