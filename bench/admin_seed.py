"""Loading the admin benchmark's data: rows from the dataset, bulk-inserted (COPY on
PostgreSQL, executemany on SQLite), the accounts' keys, and a check of the counters."""

from __future__ import annotations

import io
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any
from urllib.parse import urlsplit

import psycopg2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from admin_dataset import (  # noqa: E402
    ALPHABET,
    CITIES,
    COPY_CHUNK,
    FIRST_NAMES,
    LAST_NAMES,
    SEED,
    Dataset,
    TypeSpec,
)

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
            line_plan.extend((n, t, q, created) for t, q in lines)
            yield _order_row(rng, n, account_id, lines, created)

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


def _order_row(
    rng: Random, n: int, account_id: int, lines: tuple[tuple[TypeSpec, int], ...], created: str
) -> dict[str, Any]:
    """Order ``n`` of the dataset (its random details drawn from ``rng``, in a fixed order)."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {
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
    from tp_api.services.credentials import admin_keys, partner_keys

    db = connect(url, max_connections=2)
    migrations.upgrade(db)
    first = partner_keys.create_account("Admin bench organiser")
    second = partner_keys.create_account("Admin bench partner")
    assert (first.id, second.id) == (1, 2), "the bench needs an empty database"
    secrets = (admin_keys.create_api_key(1).secret, admin_keys.create_api_key(2).secret)
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
