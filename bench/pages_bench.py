"""Benchmark: how long the console's pages and the "my tickets" page take to render.

Run: .venv/bin/python bench/pages_bench.py [--db sqlite|postgres|both] [--orders N] [--events N]

One account with ``--events`` events (default 200; two ticket types each), ``--orders`` paid
orders spread over them (default 20,000; inserted in bulk, each with its order line and its
ticket), 200 audit entries, 5 shops with 20 sync runs
each and 500 webhook deliveries; one customer with orders for 3 events. Each page is
fetched through Flask's test client (the whole app: session check, queries, templates; no
socket), 5 times to warm up and then 30 times; the median and 90th percentile are printed.
``GET /tp-api/users/7/events`` (one partner call, JSON) is the yardstick the pages compare to.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_report  # noqa: E402

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_DB = "tp_pages_bench"
SECRET = "pages-bench-secret-key-long-enough-0123456789"
PASSWORD = "bench password 123"
WARM_UP, RUNS = 5, 30


def _postgres_url() -> str:
    conn = psycopg2.connect(POSTGRES_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")
        cur.execute(f"CREATE DATABASE {POSTGRES_DB}")
    conn.close()
    return f"postgresql://postgres@127.0.0.1:5432/{POSTGRES_DB}"


def _drop_postgres() -> None:
    conn = psycopg2.connect(POSTGRES_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")
    conn.close()


def _events(account_id: int, count: int) -> list[int]:
    from tp_api.services.events import catalogue as events

    data = [
        {
            "name": f"Bench event {i}",
            "city": "Utrecht",
            "start_date": 1785780000 + i * 86400,
            "end_date": 1785823200 + i * 86400,
            "price": "25.00",
            "stock": 100_000,
            "tickets": [
                {"name": "Regular", "stock": 50_000, "price": 25.0},
                {"name": "VIP", "stock": 500, "price": 90.0},
            ],
        }
        for i in range(count)
    ]
    # load_events takes at most MAX_EVENTS_PER_LOAD events per call (as the CLI's load does).
    step = events.MAX_EVENTS_PER_LOAD
    loaded = [events.load_events(account_id, data[i : i + step]) for i in range(0, count, step)]
    return [node.event.id for chunk in loaded for node in chunk]


def _fill_orders(account_id: int, count: int) -> None:
    """Paid orders with one line each, spread over every ticket type and the last 90 days."""
    from datetime import timedelta

    from tp_api.db import database, utcnow
    from tp_api.models import Order, TicketType

    type_rows = list(TicketType.select(TicketType.id, TicketType.event).order_by(TicketType.id))
    types = [t.id for t in type_rows]
    event_of = {t.id: t.event_id for t in type_rows}
    now = utcnow()
    with database.atomic():
        for start in range(0, count, 1000):
            batch = range(start, min(count, start + 1000))
            orders = [
                {
                    "account": account_id,
                    "status": "processing",
                    "currency": "EUR",
                    "total_cents": 2500,
                    "billing_first_name": f"First{n}",
                    "billing_last_name": f"Last{n}",
                    "billing_email": f"customer{n:07d}@example.com",
                    "wp_order_id": str(100_000 + n),
                    # Drawn at random in production (a collision is retried there); a million
                    # random draws in one batch insert would collide, so here they count up.
                    "number": 100_000_000_000 + n,
                    "created_at": now - timedelta(minutes=n * 6),
                    "updated_at": now,
                }
                for n in batch
            ]
            ids = _inserted_ids(Order.insert_many(orders).execute(), len(orders))
            _lines_and_tickets(batch, ids, types, event_of, now)
        per_type = count // len(types)
        TicketType.update(sold=TicketType.sold + per_type).execute()
    database.execute_sql("ANALYZE")


def _lines_and_tickets(
    batch: range, ids: list[int], types: list[int], event_of: dict[int, int], now: Any
) -> None:
    """Each order's one line and its ticket (active), spread over the ticket types."""
    from tp_api.models import OrderLine, Ticket

    first_line = OrderLine.insert_many(
        [
            {
                "order": order_id,
                "line_type": "ticket",
                "order_item_type": "line_item",
                "name": "Regular",
                "ticket_type": types[n % len(types)],
                "unit_price_cents": 2500,
                "quantity": 1,
            }
            for n, order_id in zip(batch, ids, strict=True)
        ]
    ).execute()
    line_ids = _inserted_ids(first_line, len(ids))
    Ticket.insert_many(
        [
            {
                "reference": f"b{n:011d}",
                "order": order_id,
                "order_line": line_id,
                "ticket_type": types[n % len(types)],
                "event": event_of[types[n % len(types)]],
                "status": 2,
                "created_at": now,
                "updated_at": now,
            }
            for n, order_id, line_id in zip(batch, ids, line_ids, strict=True)
        ]
    ).execute()


def _inserted_ids(result: Any, count: int) -> list[int]:
    if not isinstance(result, int):  # PostgreSQL returns a cursor of ids
        return [row[0] for row in result]
    # SQLite: the last rowid; the batch's ids are consecutive
    return list(range(result - count + 1, result + 1))


def _audit_entries(account_id: int, event_ids: list[int]) -> None:
    from tp_api.services import audit_trail
    from tp_api.services.actors import Actor

    anna = Actor.staff(1, "bench@example.com")
    for n in range(200):
        subject = ("event", event_ids[n % len(event_ids)], f"Bench event {n}")
        audit_trail.record(
            account_id, anna, "event.updated", subject, {"title": [f"Old {n}", f"Bench event {n}"]}
        )


def _shops_and_webhooks(account_id: int, type_ids: list[int]) -> int:
    from config.settings import Settings
    from config.shops import secret_box
    from tp_api.db import utcnow
    from tp_api.models import SyncRun
    from tp_api.services.shops import connections as shops
    from tp_api.services.webhooks import webhook_endpoints, webhook_events
    from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy

    box = secret_box(Settings(secret_key=SECRET))
    for i in range(5):
        shop = shops.add_shop(
            box,
            account_id,
            f"shop {i}",
            platform="woocommerce",
            base_url=f"https://shop{i}.example.com",
            consumer_key="ck",
            consumer_secret="cs",
        ).shop
        for j in range(10):
            shops.map_product(shop, product_id=1000 * i + j, ticket_type_id=type_ids[j])
        for k in range(20):
            SyncRun.create(
                shop=shop.id,
                kind="orders" if k % 2 else "stock",
                finished_at=utcnow(),
                errors=k % 7 == 0,
                error_text="HTTP 502 from the shop" if k % 7 == 0 else None,
            )
    endpoint = webhook_endpoints.create_endpoint(
        account_id,
        box,
        EndpointPolicy(resolver=lambda host, port: ["93.184.216.34"]),
        url="https://hooks.example.com/in",
        event_types=["order.created"],
    ).endpoint
    for _ in range(500):
        webhook_events.emit_ping(account_id, endpoint)
    return int(endpoint.id)


def _customer(account_id: int, event_ids: list[int]) -> None:
    from tp_api.models import TicketType
    from tp_api.services.orders import submit as orders
    from tp_api.services.orders.order_input import parse_partner_order

    for n, event_id in enumerate(event_ids[:3]):
        type_id = TicketType.get(TicketType.event == event_id).id
        body = {
            "wp_order_id": f"wc_cust_{n}",
            "wp_user_id": 7,
            "currency": "EUR",
            "order_total": 50.0,
            "date_paid": "2026-06-01T10:01:00Z",
            "billing_information": {"first_name": "Jo", "last_name": "Bench", "email": "jo@x.nl"},
            "order_lines": [
                {
                    "tp_event_ticket_id": type_id,
                    "name": "Regular",
                    "quantity": 2,
                    "product_id": 101,
                    "order_item_type": "line_item",
                    "unit_price": 25.0,
                }
            ],
        }
        orders.submit_order(account_id, parse_partner_order(body))


def _time(client, name: str, path: str) -> tuple[float, float]:
    statuses: Counter[int] = Counter()
    for _ in range(WARM_UP):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        statuses[response.status_code] += 1
    bench_report.record_statuses(name, statuses)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1]


def _signed_in_client(settings: Any) -> Any:
    """A test client of the app for ``settings``, signed in to the console as the bench's staff."""
    from config.wsgi import create_app

    app = create_app(settings)
    client = app.test_client()
    form = client.get("/console/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    signed = client.post(
        "/console/sign-in",
        data={"email": "bench@example.com", "password": PASSWORD, "csrf_token": token},
    )
    assert signed.status_code == 302
    return client


def _time_every_page(client: Any, kind: str, order_count: int, pages: dict[str, str]) -> None:
    print(f"\n{kind}: {order_count:,} orders and tickets", flush=True)
    print(f"  {'page':46} {'median':>9} {'p90':>9}")
    for name, path in pages.items():
        median, p90 = _time(client, f"{kind}: {name}", path)
        print(f"  {name:46} {median:7.1f} ms {p90:7.1f} ms", flush=True)


def _pages(
    partner_key: str,
    event_count: int,
    event_ids: list[int],
    newest_order: int,
    endpoint_id: int,
    my_tickets: str,
    transfer: str,
) -> dict[str, str]:
    """What is timed: a name for each path."""
    return {
        "partner API: GET /tp-api/users/7/events": f"/tp-api/users/7/events?key={partner_key}",
        f"console: events (50 of {event_count}, sales per type)": "/console/events",
        "console: one event with 30-day chart": f"/console/events/{event_ids[0]}",
        "console: orders, newest 50": "/console/orders",
        "console: orders, search in e-mail and names": "/console/orders?q=customer0012345",
        # Every order holds it; then a name held by 1 in 100 orders, all of them old ones.
        "console: orders, search text every order holds": "/console/orders?q=example.com",
        "console: orders, search text of 1 % (old orders)": "/console/orders?q=last12",
        "console: orders, search by reference": f"/console/orders?q=TP-{newest_order}",
        "console: orders, search by shop number": "/console/orders?q=112345",
        "console: one order": f"/console/orders/{newest_order}",
        "console: door figures (JSON)": f"/console/door/{event_ids[0]}/figures.json",
        "console: shops (5, runs, differences)": "/console/shops",
        "console: webhook log (50 of 500)": f"/console/webhooks/{endpoint_id}",
        "console: new event form": "/console/events/new",
        "console: edit an event": f"/console/events/{event_ids[0]}/edit",
        "console: cancel confirmation": f"/console/events/{event_ids[0]}/cancel",
        "console: audit trail, newest 50": "/console/audit",
        "console: audit trail, one event's history": (
            f"/console/audit?subject_type=event&subject_id={event_ids[0]}"
        ),
        "console: keys": "/console/keys",
        "console: scanners": "/console/scanners",
        "console: staff": "/console/staff",
        "console: attendees of an event (50)": f"/console/events/{event_ids[0]}/attendees",
        "console: attendees, narrowed by name": (
            f"/console/events/{event_ids[0]}/attendees?q=First12345"
        ),
        "console: questions of an event": f"/console/events/{event_ids[0]}/questions",
        "console: waiting room of an event": f"/console/events/{event_ids[0]}/queue",
        "console: affiliates (the account has none)": "/console/affiliates",
        "console: fraud review (nothing held)": "/console/fraud",
        "console: test mode": "/console/test-mode",
        "console: transfer a ticket (form)": transfer,
        "my tickets: 3 events (4 partner calls)": my_tickets,
    }


def run(kind: str, workdir: Path, order_count: int, event_count: int) -> None:
    from config.settings import Settings
    from config.tickets import my_tickets_url
    from tp_api import migrations
    from tp_api.db import connect
    from tp_api.models import Order, Ticket, TicketType
    from tp_api.services.credentials import partner_keys, staff_auth

    url = f"sqlite:///{workdir / 'pages.sqlite3'}" if kind == "sqlite" else _postgres_url()
    try:
        db = connect(url, max_connections=4)
        migrations.upgrade(db)
        with db.connection_context():
            account = partner_keys.create_account("Pages bench")
            partner_key = partner_keys.create_key(account.id, label="bench").secret
            staff_auth.create_staff(account.id, "bench@example.com", PASSWORD)
            event_ids = _events(account.id, event_count)
            _fill_orders(account.id, order_count)
            _audit_entries(account.id, event_ids)
            type_ids = [t.id for t in TicketType.select(TicketType.id).order_by(TicketType.id)]
            endpoint_id = _shops_and_webhooks(account.id, type_ids)
            _customer(account.id, event_ids)
            newest = Order.select(Order.id, Order.number).order_by(Order.id.desc()).first()
            newest_order = newest.number
            ticket = Ticket.select(Ticket.reference).where(Ticket.order == newest.id).first()
            transfer = f"/console/orders/{newest_order}/tickets/{ticket.reference}/transfer"
        db.close_all()
        settings = Settings(
            database_url=url,
            secret_key=SECRET,
            public_url="http://bench.test",
            files_dir=str(workdir / "files"),
        )
        client = _signed_in_client(settings)
        page = my_tickets_url(settings, account.id, 7, "nl").removeprefix("http://bench.test")
        pages = _pages(
            partner_key, event_count, event_ids, newest_order, endpoint_id, page, transfer
        )
        _time_every_page(client, kind, order_count, pages)
        db.close_all()
    finally:
        if kind == "postgres":
            connect(url).close_all()
            _drop_postgres()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()
    kinds = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            run(kind, Path(tmp), args.orders, args.events)
    return bench_report.verdict("pages_bench")


if __name__ == "__main__":
    sys.exit(main())
