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
import bisect
import io
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_cpu  # noqa: E402
import bench_report  # noqa: E402
from bench_load import LUA_SCRIPT, REQUEST_TIMEOUT_S, LoadResult, find_wrk, wrk_version  # noqa: E402
from bench_server import Server, code_state, install_cleanup, postgres_url  # noqa: E402

SEED = 20261202
EVENTS = 10_000
TICKETS = 1_000_000
HOT_SHARE = 0.05  # of the account's tickets, all for one event
OTHER_SHARE = 0.05  # of the orders, for the second account
OTHER_EVENTS = 20
SEARCH_TERM = "paradiso"  # the venue of one event in 300
DEEP_PAGE = 50
PAGE = 100
COPY_CHUNK = 50_000
SLOW_QUERY_MS = 10.0
DB_TITLES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}

GENRES = (
    "Jazz", "Rock", "Techno", "Folk", "Comedy", "Opera", "Blues", "Hip-hop", "Classical",
    "Indie", "Metal", "Reggae",
)  # fmt: skip
KINDS = ("Festival", "Night", "Tour", "Live", "Weekend", "Sessions")
CITIES = (
    "Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Groningen", "Tilburg",
    "Almere", "Breda", "Nijmegen", "Arnhem", "Haarlem", "Enschede", "Maastricht", "Leiden",
    "Zwolle", "Antwerpen", "Gent", "Brussel", "Leuven",
)  # fmt: skip
VENUES = (
    "Ziggo Dome", "AFAS Live", "Melkweg", "TivoliVredenburg", "Ahoy", "013", "Doornroosje",
    "Effenaar", "Oosterpoort", "Vera", "Patronaat", "Gebouw-T", "Mezz", "Luxor Live",
    "Hedon", "Metropool", "De Pul", "Poppodium Boerderij", "Het Depot", "Vooruit",
    "Ancienne Belgique", "Trix", "Lotto Arena", "Botanique", "De Oude Zaal",
)  # fmt: skip
FIRST_NAMES = ("Anna", "Bram", "Daan", "Emma", "Fleur", "Jan", "Lotte", "Noah", "Sem", "Tess")
LAST_NAMES = ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos")
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # tp_api.services.orders.references


# --- the data ------------------------------------------------------------------------------


@dataclass
class TypeSpec:
    """One ticket type; ``sold`` counts the tickets the generator issued for it."""

    id: int
    event: EventSpec  # the event (or date) it belongs to
    root: EventSpec  # the top-level event
    name: str
    price: int
    hidden: bool
    weight: int
    sold: int = 0
    stock: int = 0


@dataclass
class EventSpec:
    id: int
    account_id: int
    parent: EventSpec | None
    index: int
    name: str
    city: str
    venue: str
    slug: str | None
    start: datetime
    lifecycle: str = "published"
    pool: bool = False  # one stock pool shared by its ticket types
    pool_full: bool = False
    sold_out: bool = False  # every visible ticket type sold out
    types: list[TypeSpec] = field(default_factory=list)
    children: list[EventSpec] = field(default_factory=list)
    stock: int = 0
    sold: int = 0  # only for shared pools, as services.stock keeps it

    def sale_types(self) -> list[TypeSpec]:
        return [t for e in (self, *self.children) for t in e.types]


@dataclass
class Dataset:
    account_a: int
    account_b: int
    events: list[EventSpec]  # in id order, dates right after their event
    types: list[TypeSpec]
    # (account id, ((ticket type, quantity), ...)) per order, in id order.
    orders: list[tuple[int, tuple[tuple[TypeSpec, int], ...]]]
    hot: EventSpec
    typical: EventSpec
    seconds: float = 0.0

    def tickets(self, account_id: int) -> int:
        return sum(q for a, lines in self.orders if a == account_id for _, q in lines)

    def expected_sold_out(self) -> int:
        return sum(
            1
            for e in self.events
            if e.account_id == self.account_a and e.parent is None and e.lifecycle == "published"
            if e.pool_full or e.sold_out
        )

    def expected_matches(self) -> int:
        return sum(
            1
            for e in self.events
            if e.account_id == self.account_a and e.parent is None
            if SEARCH_TERM in f"{e.name} {e.city} {e.venue}".lower()
        )


class _Ids:
    def __init__(self) -> None:
        self.event = 0
        self.type = 0

    def next_event(self) -> int:
        self.event += 1
        return self.event

    def next_type(self) -> int:
        self.type += 1
        return self.type


def _lifecycle(i: int, start: datetime, now: datetime) -> str:
    if start < now:
        if i % 13 == 0:
            return "archived"
        return "published" if i % 7 == 0 else "completed"
    return "draft" if i % 50 == 17 else "published"


def _top_event(rng: Random, ids: _Ids, account_id: int, i: int, start: datetime) -> EventSpec:
    genre, kind = rng.choice(GENRES), rng.choice(KINDS)
    venue = "Paradiso" if i % 300 == 150 else rng.choice(VENUES)
    slug = f"{genre.lower()}-{kind.lower()}-{i + 1}"
    if account_id != 1:
        slug = f"partner-{slug}"
    event = EventSpec(
        ids.next_event(), account_id, None, i, f"{genre} {kind} {i + 1}", rng.choice(CITIES),
        venue, slug, start,
    )  # fmt: skip
    price = rng.randrange(15, 80) * 100
    event.types.append(TypeSpec(ids.next_type(), event, event, "Regular", price, False, 6))
    vip = TypeSpec(ids.next_type(), event, event, "VIP", price * 2, i % 40 == 9, 2)
    event.types.append(vip)
    return event


def _add_dates(ids: _Ids, event: EventSpec) -> list[EventSpec]:
    for day in (1, 2):
        date = EventSpec(
            ids.next_event(), event.account_id, event, event.index, f"{event.name} - day {day}",
            event.city, event.venue, None, event.start + timedelta(days=day - 1),
            event.lifecycle,
        )  # fmt: skip
        price = event.types[0].price // 2
        date.types.append(TypeSpec(ids.next_type(), date, event, "Day ticket", price, False, 1))
        event.children.append(date)
    return event.children


def build_catalogue(rng: Random, n_events: int, now: datetime) -> tuple[list[EventSpec], int]:
    """Account 1's events (with dates) and account 2's, interleaved in id order."""
    ids = _Ids()
    events: list[EventSpec] = []
    first = now - timedelta(days=365)
    step = timedelta(days=730) / n_events
    every = max(1, n_events // OTHER_EVENTS)
    for i in range(n_events):
        start = first + step * i
        if i % every == every // 2:
            other = _top_event(rng, ids, 2, i, start + timedelta(days=400))
            events.append(other)
        event = _top_event(rng, ids, 1, i, start)
        event.lifecycle = _lifecycle(i, start, now)
        event.pool = i % 20 == 11
        event.pool_full = i % 100 == 11
        event.sold_out = i % 25 == 7
        events.append(event)
        if i % 10 == 3:
            events.extend(_add_dates(ids, event))
    return events, ids.type


class _Picker:
    """Weighted choice of a top-level event."""

    def __init__(self, rng: Random, roots: list[EventSpec], weights: list[float]) -> None:
        self.rng = rng
        self.roots = roots
        self.cumulative: list[float] = []
        total = 0.0
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def pick(self) -> EventSpec:
        at = self.rng.random() * self.cumulative[-1]
        return self.roots[min(bisect.bisect_right(self.cumulative, at), len(self.roots) - 1)]


def _order_lines(rng: Random, root: EventSpec, cap: int) -> tuple[tuple[TypeSpec, int], ...]:
    types = root.sale_types()
    weights = [t.weight for t in types]
    first = rng.choices(types, weights)[0]
    lines = [(first, min(cap, rng.choice((1, 1, 2, 2, 2, 3, 4))))]
    left = cap - lines[0][1]
    if left > 0 and len(types) > 1 and rng.random() < 0.1:
        second = rng.choice([t for t in types if t is not first])
        lines.append((second, min(left, rng.choice((1, 2)))))
    for ticket_type, quantity in lines:
        ticket_type.sold += quantity
        if ticket_type.event.pool:
            ticket_type.event.sold += quantity
    return tuple(lines)


def build_orders(
    rng: Random, events: list[EventSpec], tickets: int
) -> tuple[list[tuple[int, tuple[tuple[TypeSpec, int], ...]]], EventSpec]:
    """Orders until account 1 has exactly ``tickets`` tickets; one hot event gets
    HOT_SHARE of them. Drafts sell nothing."""
    roots = [e for e in events if e.parent is None and e.account_id == 1 and e.lifecycle != "draft"]
    later = max(e.index for e in roots) * 0.6  # on sale, in the future
    hot = next(
        e
        for e in roots
        if e.children and e.lifecycle == "published" and not e.sold_out and e.index > later
    )
    weights = [rng.uniform(0.2, 1.8) for _ in roots]
    others = sum(w for e, w in zip(roots, weights, strict=True) if e is not hot)
    weights[roots.index(hot)] = others * HOT_SHARE / (1 - HOT_SHARE)
    picker = _Picker(rng, roots, weights)
    partner = [e for e in events if e.account_id == 2]
    orders = []
    sold = 0
    while sold < tickets:
        if rng.random() < OTHER_SHARE:
            orders.append((2, _order_lines(rng, rng.choice(partner), 6)))
            continue
        lines = _order_lines(rng, picker.pick(), tickets - sold)
        sold += sum(q for _, q in lines)
        orders.append((1, lines))
    return orders, hot


def set_stock(rng: Random, types: Iterable[TypeSpec], events: Iterable[EventSpec]) -> None:
    """Capacities: sold-out events' visible types (and full pools) have nothing left."""
    for ticket_type in types:
        full = ticket_type.root.sold_out and not ticket_type.hidden
        ticket_type.stock = ticket_type.sold + (0 if full else rng.randrange(20, 400))
    for event in events:
        if event.pool:
            event.stock = event.sold + (0 if event.pool_full else rng.randrange(50, 500))


def build_dataset(n_events: int, tickets: int) -> Dataset:
    started = time.perf_counter()
    rng = Random(SEED)
    now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    events, _ = build_catalogue(rng, n_events, now)
    types = [t for e in events for t in e.types]
    orders, hot = build_orders(rng, events, tickets)
    set_stock(rng, types, events)
    typical = next(
        e
        for e in events
        if e.account_id == 1 and e.parent is None and e.index > n_events // 2 and e.sale_types()
        if 20 <= sum(t.sold for t in e.sale_types()) <= 200 and not e.children
    )
    data = Dataset(1, 2, events, types, orders, hot, typical)
    data.seconds = time.perf_counter() - started
    return data


# --- rows ----------------------------------------------------------------------------------


def _ts(moment: datetime) -> str:
    """A naive-UTC timestamp as both databases store UtcDateTimeField."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def event_rows(data: Dataset) -> Iterator[dict[str, Any]]:
    for e in data.events:
        yield {
            "id": e.id,
            "account": e.account_id,
            "parent": e.parent.id if e.parent else None,
            "name": e.name,
            "city": e.city,
            "location": e.venue,
            "start_date": _ts(e.start),
            "end_date": _ts(e.start + timedelta(hours=5)),
            "timezone": "Europe/Amsterdam",
            "price_cents": e.types[0].price,
            "stock": e.stock,
            "sold": e.sold,
            "manage_stock_per_ticket": not e.pool,
            "slug": e.slug,
            "lifecycle": e.lifecycle,
            "description": f"{e.name} at {e.venue}, {e.city}.",
        }


def type_rows(data: Dataset) -> Iterator[dict[str, Any]]:
    for t in data.types:
        yield {
            "id": t.id,
            "event": t.event.id,
            "name": t.name,
            "price_cents": t.price,
            "stock": t.stock,
            "sold": t.sold,
            "hidden": t.hidden,
            "max_per_order": 10,
        }


@dataclass
class _Clock:
    """Order creation times: one year up to now, in id order."""

    first: datetime
    step: timedelta

    def at(self, order_id: int) -> str:
        return _ts(self.first + self.step * order_id)


def sales_rows(data: Dataset) -> tuple[Iterator[dict[str, Any]], ...]:
    """Orders, order lines and tickets: three generators over one pass of the orders.

    They must be consumed in that order (lines after orders, tickets after lines): each
    reads what the previous one noted. Deterministic: a seeded generator of its own.
    """
    rng = Random(SEED + 1)
    now = datetime.now(UTC).replace(microsecond=0)
    clock = _Clock(now - timedelta(days=365), timedelta(days=365) / max(1, len(data.orders)))
    line_plan: list[tuple[int, TypeSpec, int, str]] = []  # order id, type, quantity, created

    def orders() -> Iterator[dict[str, Any]]:
        for n, (account_id, lines) in enumerate(data.orders, start=1):
            created = clock.at(n)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            line_plan.extend((n, t, q, created) for t, q in lines)
            yield {
                "id": n,
                # As migration 0012 numbers the orders it finds (new ones draw random numbers).
                "number": n,
                "account": account_id,
                "wp_order_id": str(100_000 + n),
                "wp_user_id": rng.randrange(1, 200_000) if rng.random() < 0.6 else None,
                "status": "completed" if n % 10 < 7 else "processing",
                "payment_method": "mollie_ideal",
                "payment_method_title": "iDEAL",
                "total_cents": sum(t.price * q for t, q in lines),
                "billing_first_name": first,
                "billing_last_name": last,
                "billing_city": rng.choice(CITIES),
                "billing_country": "NL",
                "billing_email": f"fan{rng.randrange(200_000)}@example.org",
                "locale": "nl_NL",
                "date_created": created,
                "date_paid": created,
                "created_at": created,
                "updated_at": created,
            }

    def order_lines() -> Iterator[dict[str, Any]]:
        for n, (order_id, t, q, _) in enumerate(line_plan, start=1):
            yield {
                "id": n,
                "order": order_id,
                "line_type": "ticket",
                "order_item_type": "line_item",
                "name": f"{t.root.name} - {t.name}",
                "product_id": 10_000 + t.id,
                "ticket_type": t.id,
                "unit_price_cents": t.price,
                "quantity": q,
            }

    def tickets() -> Iterator[dict[str, Any]]:
        ticket_id = 0
        for line_id, (order_id, t, q, created) in enumerate(line_plan, start=1):
            past = t.root.lifecycle in ("completed", "archived")
            for _ in range(q):
                ticket_id += 1
                yield _ticket(rng, ticket_id, order_id, line_id, t, created, past)

    return orders(), order_lines(), tickets()


def _ticket(
    rng: Random, ticket_id: int, order_id: int, line_id: int, t: TypeSpec, created: str, past: bool
) -> dict[str, Any]:
    named = past or rng.random() < 0.4
    status = (3 if rng.random() < 0.85 else 2) if past else (2 if named else 1)
    first, last = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)) if named else ("", "")
    return {
        "id": ticket_id,
        "reference": "".join(rng.choices(ALPHABET, k=16)),
        "order": order_id,
        "order_line": line_id,
        "ticket_type": t.id,
        "event": t.event.id,
        "status": status,
        "first_name": first,
        "last_name": last,
        "email": f"guest{ticket_id}@example.org" if named else "",
        "personalised_at": created if named else None,
        "created_at": created,
        "updated_at": created,
    }


# --- bulk loading --------------------------------------------------------------------------


def _columns(model: Any, names: list[str]) -> tuple[list[str], tuple[Any, ...]]:
    """Column names for ``names`` followed by every other column, and those others' values
    (the model's defaults, as the service would store them)."""
    given = [model._meta.fields[name] for name in names]
    rest = [f for f in model._meta.sorted_fields if f.name not in names and not f.primary_key]
    values = []
    for f in rest:
        value = f.default() if callable(f.default) else f.default
        if value is None and not f.null:
            raise ValueError(f"{model.__name__}.{f.name} needs a value")
        values.append(_ts(value) if isinstance(value, datetime) else value)
    return [f.column_name for f in (*given, *rest)], tuple(values)


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


def _chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class PostgresLoader:
    """COPY FROM STDIN, one transaction per table."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg2.connect(url)

    def write(self, model: Any, rows: Iterable[dict[str, Any]]) -> int:
        count = 0
        with self.conn, self.conn.cursor() as cur:
            for chunk in _chunks(rows, COPY_CHUNK):
                names = list(chunk[0])
                columns, rest = _columns(model, names)
                tail = "\t".join(_copy_text(v) for v in rest)
                buffer = io.StringIO()
                for row in chunk:
                    head = "\t".join(_copy_text(row[n]) for n in names)
                    buffer.write(f"{head}\t{tail}\n" if tail else f"{head}\n")
                buffer.seek(0)
                quoted = ", ".join(f'"{c}"' for c in columns)
                cur.copy_expert(f'COPY "{model._meta.table_name}" ({quoted}) FROM STDIN', buffer)
                count += len(chunk)
        return count

    def finish(self) -> float:
        """Move the id sequences past the explicit ids; VACUUM ANALYZE. Returns its seconds."""
        from tp_api.models import ALL_MODELS

        started = time.perf_counter()
        with self.conn, self.conn.cursor() as cur:
            for model in ALL_MODELS:
                table = model._meta.table_name
                top = f'COALESCE((SELECT max(id) FROM "{table}"), 0) + 1'  # noqa: S608
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), {top}, false)",
                    (f'"{table}"',),
                )
        self.conn.autocommit = True
        with self.conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        self.conn.close()
        return time.perf_counter() - started


class SqliteLoader:
    """executemany in one transaction per table (foreign keys unchecked while loading)."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path)
        self.conn.execute("PRAGMA synchronous = NORMAL")

    def write(self, model: Any, rows: Iterable[dict[str, Any]]) -> int:
        count = 0
        with self.conn:
            for chunk in _chunks(rows, COPY_CHUNK):
                names = list(chunk[0])
                columns, rest = _columns(model, names)
                quoted = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join("?" * len(columns))
                sql = f'INSERT INTO "{model._meta.table_name}" ({quoted}) VALUES ({marks})'  # noqa: S608
                self.conn.executemany(sql, [(*(row[n] for n in names), *rest) for row in chunk])
                count += len(chunk)
        return count

    def finish(self) -> float:
        self.conn.close()
        return 0.0


@dataclass
class Seeded:
    url: str
    key_a: str
    key_b: str
    seconds: dict[str, float]
    rows: dict[str, int]


def _accounts_and_keys(url: str) -> tuple[str, str]:
    """Migrate; the two accounts (ids 1 and 2) and an all-scopes admin key for each."""
    from tp_api import migrations
    from tp_api.db import connect
    from tp_api.services.credentials import api_keys, keys

    db = connect(url, max_connections=2)
    migrations.upgrade(db)
    first = keys.create_account("Admin bench organiser")
    second = keys.create_account("Admin bench partner")
    assert (first.id, second.id) == (1, 2), "the bench needs an empty database"
    secrets = (api_keys.create_api_key(1).secret, api_keys.create_api_key(2).secret)
    db.close_all()
    return secrets


def seed(url: str, data: Dataset) -> Seeded:
    from tp_api.models import Event, Order, OrderLine, Ticket, TicketType

    times: dict[str, float] = {}
    rows: dict[str, int] = {}
    started = time.perf_counter()
    key_a, key_b = _accounts_and_keys(url)
    times["migrate, accounts, keys"] = time.perf_counter() - started
    path = unquote_path(url)
    loader = SqliteLoader(path) if url.startswith("sqlite") else PostgresLoader(url)
    orders, lines, tickets = sales_rows(data)
    for name, model, source in (
        ("event", Event, event_rows(data)),
        ("ticket_type", TicketType, type_rows(data)),
        ("order", Order, orders),
        ("order_line", OrderLine, lines),
        ("ticket", Ticket, tickets),
    ):
        step = time.perf_counter()
        rows[name] = loader.write(model, source)
        times[name] = time.perf_counter() - step
    times["vacuum analyze" if isinstance(loader, PostgresLoader) else "close"] = loader.finish()
    times["total"] = time.perf_counter() - started
    return Seeded(url, key_a, key_b, times, rows)


def unquote_path(url: str) -> str:
    return urlsplit(url).path[1:] if url.startswith("sqlite") else ""


def check_counters(url: str) -> list[str]:
    """Problems with the stored counters: every type's ``sold`` must equal its tickets."""
    from tp_api.db import connect

    db = connect(url, max_connections=2)
    sql = (
        "SELECT count(*) FROM ticket_type t LEFT JOIN (SELECT ticket_type_id, count(*) AS n "
        "FROM ticket GROUP BY ticket_type_id) s ON s.ticket_type_id = t.id "
        "WHERE t.sold <> COALESCE(s.n, 0)"
    )
    with db.connection_context():
        wrong = db.execute_sql(sql).fetchone()[0]
        over = db.execute_sql(
            "SELECT count(*) FROM ticket_type WHERE sold + reserved > stock"
        ).fetchone()[0]
    db.close_all()
    problems = []
    if wrong:
        problems.append(f"{wrong} ticket types whose sold differs from their tickets")
    if over:
        problems.append(f"{over} ticket types sold beyond their stock")
    return problems


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


# --- the endpoints -------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str


def _get(base: str, path: str, key: str) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    request = urllib.request.Request(base + path, headers=headers)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None


def deep_cursor(base: str, key: str, pages: int) -> str:
    """The cursor of page ``pages`` of the event list, by walking the pages once."""
    cursor = ""
    for _ in range(pages - 1):
        path = f"/api/v1/events?limit={PAGE}" + (f"&cursor={quote(cursor)}" if cursor else "")
        status, body = _get(base, path, key)
        if status != 200 or not body.get("nextCursor"):
            raise RuntimeError(f"walking the event list stopped: {status}")
        cursor = body["nextCursor"]
    return cursor


def endpoints(data: Dataset, page: int, cursor: str) -> list[Endpoint]:
    hot, typical = data.hot, data.typical
    return [
        Endpoint("livez (ceiling)", "/livez"),
        Endpoint("events, first page", f"/api/v1/events?limit={PAGE}"),
        Endpoint(f"events, page {page}", f"/api/v1/events?limit={PAGE}&cursor={cursor}"),
        Endpoint("events?status=sold_out", f"/api/v1/events?status=sold_out&limit={PAGE}"),
        Endpoint(f"events?search={SEARCH_TERM}", f"/api/v1/events?search={SEARCH_TERM}&limit=20"),
        Endpoint("event availability (hot)", f"/api/v1/events/{hot.id}/availability"),
        Endpoint("event by slug (hot)", f"/api/v1/events/{hot.slug}"),
        Endpoint("orders, first page", f"/api/v1/orders?limit={PAGE}"),
        Endpoint("orders?eventId (hot)", f"/api/v1/orders?eventId={hot.id}&limit={PAGE}"),
        Endpoint("orders?eventId (typical)", f"/api/v1/orders?eventId={typical.id}&limit={PAGE}"),
    ]


def _check(name: str, ok: bool, detail: str, problems: list[str]) -> None:
    if not ok:
        problems.append(f"{name}: {detail}")


def check_answers(base: str, seeded: Seeded, data: Dataset, eps: list[Endpoint]) -> list[str]:
    """Every endpoint answers 200 with what the data says; another account sees nothing."""
    problems: list[str] = []
    bodies = {}
    for ep in eps:
        status, body = _get(base, ep.path, seeded.key_a)
        _check(ep.name, status == 200, f"status {status}", problems)
        bodies[ep.name] = body or {}
    sold_out = bodies["events?status=sold_out"].get("items", [])
    want = min(PAGE, data.expected_sold_out())
    _check("sold_out", len(sold_out) == want, f"{len(sold_out)} items, {want} expected", problems)
    _check("sold_out", all(e["status"] == "sold_out" for e in sold_out), "status", problems)
    found = bodies[f"events?search={SEARCH_TERM}"].get("items", [])
    want = min(20, data.expected_matches())
    _check("search", len(found) == want, f"{len(found)} items, {want} expected", problems)
    hot = bodies["event availability (hot)"]
    left = sum(t.stock - t.sold for t in data.hot.sale_types() if not t.hidden)
    _check("availability", hot.get("available") == left, f"{hot.get('available')}", problems)
    ids = {o["id"] for o in bodies["orders, first page"].get("items", [])}
    foreign = {n for n, (account, _) in enumerate(data.orders, start=1) if account != 1}
    _check("orders", len(ids) == PAGE and not ids & foreign, "foreign or missing", problems)
    status, _ = _get(base, f"/api/v1/events/{data.hot.id}/availability", seeded.key_b)
    _check("scoping", status == 404, f"other account got {status}", problems)
    return problems


# --- load ----------------------------------------------------------------------------------


def run_get(wrk: str, url: str, key: str, clients: int, seconds: int) -> LoadResult:
    """One wrk run of GETs with the admin key (bench_load.run_wrk, plus the header)."""
    cmd = [
        wrk, "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", f"{REQUEST_TIMEOUT_S}s",
        "-H", f"Authorization: Bearer {key}", "-s", str(LUA_SCRIPT), url, "--", "get", "x", "0",
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[:300]}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
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


# --- where the time goes -------------------------------------------------------------------


class _Queries(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[tuple[str, tuple[Any, ...]]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, tuple) and len(record.msg) == 2:
            sql, params = record.msg
            self.seen.append((sql, tuple(params or ())))


def _explain_postgres(db: Any, sql: str, params: tuple[Any, ...]) -> tuple[float, str]:
    rows = db.execute_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
    plan = "\n".join(r[0] for r in rows)
    ms = next(float(r[0].split(":")[1].split()[0]) for r in rows if "Execution Time" in r[0])
    return ms, plan


def _explain_sqlite(db: Any, sql: str, params: tuple[Any, ...]) -> tuple[float, str]:
    plan = db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    started = time.perf_counter()
    db.execute_sql(sql, params).fetchall()
    ms = (time.perf_counter() - started) * 1000
    return ms, "\n".join(f"{r[0]}|{r[1]}| {r[-1]}" for r in plan)


def profile(url: str, key: str, eps: list[Endpoint]) -> dict[str, dict[str, Any]]:
    """Each endpoint once in-process: its SELECTs, each explained and timed."""
    from config.settings import Settings
    from config.wsgi import create_app
    from tp_api.db import database, is_postgres

    settings = Settings(database_url=url).for_development()  # a dozen requests: no limit met
    app = create_app(settings)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    explain = _explain_postgres if is_postgres() else _explain_sqlite
    logger = logging.getLogger("peewee")
    out: dict[str, dict[str, Any]] = {}
    for ep in eps[1:]:
        client.get(ep.path, headers=headers)  # the key is cached after this one
        capture = _Queries()
        logger.addHandler(capture)
        logger.setLevel(logging.DEBUG)
        try:
            status = client.get(ep.path, headers=headers).status_code
        finally:
            logger.removeHandler(capture)
        selects = [(s, p) for s, p in capture.seen if s.lstrip().upper().startswith("SELECT")]
        with database.connection_context():
            explained = [(*explain(database, s, p), s, p) for s, p in selects]
        slowest = max(explained, default=(0.0, "", "", ()))
        out[ep.name] = {
            "status": status,
            "queries": len(capture.seen),
            "sql_ms": round(sum(x[0] for x in explained), 2),
            "slowest_ms": round(slowest[0], 2),
            "slowest_sql": slowest[2],
            "slowest_params": [str(p) for p in slowest[3]],
            "slowest_plan": slowest[1],
        }
    database.close_all()
    return out


def print_profile(db: str, prof: dict[str, dict[str, Any]]) -> None:
    print(f"\n{DB_TITLES[db]}: SQL per request (in-process, explained)")
    print(f"  {'endpoint':<28} {'queries':>7} {'sql ms':>8} {'slowest ms':>10}")
    for name, p in prof.items():
        print(f"  {name:<28} {p['queries']:>7} {p['sql_ms']:>8.2f} {p['slowest_ms']:>10.2f}")
    for name, p in prof.items():
        if p["slowest_ms"] >= SLOW_QUERY_MS:
            print(f"\n  {name}: slowest query ({p['slowest_ms']:.1f} ms)\n    {p['slowest_sql']}")
            print(f"    params: {p['slowest_params']}")
            print("    " + p["slowest_plan"].replace("\n", "\n    "))


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
