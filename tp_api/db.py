"""The database handle shared by every model, and the one way to open a write transaction.

Models bind to :data:`database`, a proxy; the composition root (``config.wsgi`` or
``config.cli``) calls :func:`connect` with the configured URL and initialises the proxy.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeAlias, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

import peewee
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

database = peewee.DatabaseProxy()

log = logging.getLogger(__name__)

# What connect() opens: a pool of connections (close_all() closes every idle one).
PooledDatabase: TypeAlias = "PooledSqliteDatabase | PooledPostgresqlDatabase"

# Concurrent writers on SQLite wait this long for the write lock instead of failing
# with "database is locked".
SQLITE_BUSY_TIMEOUT_S = 30.0

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    # NORMAL is durable against application crashes in WAL mode; only a power loss can
    # drop the last transactions. FULL costs ~40 % of write throughput (docs/performance.md).
    "synchronous": "normal",
    "foreign_keys": 1,
    "cache_size": -16000,
}


class UnsupportedDatabaseURL(ValueError):
    """The database URL names a scheme we do not support."""


def connect(url: str, *, max_connections: int = 32) -> PooledDatabase:
    """Open (lazily) the database named by ``url`` and bind the model proxy to it.

    ``sqlite:///relative.db``, ``sqlite:////abs/path.db`` and ``postgresql://user@host/db``
    are accepted. Connections are pooled per process, so pragmas run once per connection
    rather than on every request.
    """
    db = open_database(url, max_connections=max_connections)
    database.initialize(db)
    return db


def open_database(url: str, *, max_connections: int = 32) -> PooledDatabase:
    """Build a pooled peewee database for ``url`` without binding the model proxy."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        path = unquote(parts.path)
        # sqlite:///x.db -> "x.db" (relative); sqlite:////abs/x.db -> "/abs/x.db".
        path = path[1:] if path.startswith("/") else path
        if not path:
            raise UnsupportedDatabaseURL("sqlite URL needs a file path: sqlite:///tp-bridge.db")
        if path != ":memory:":
            directory = os.path.dirname(os.path.abspath(path))
            os.makedirs(directory, exist_ok=True)
        return PooledSqliteDatabase(
            path,
            pragmas=SQLITE_PRAGMAS,
            timeout=SQLITE_BUSY_TIMEOUT_S,
            # Every write transaction takes the write lock up front: a deferred BEGIN that
            # upgrades to a writer later fails with "database is locked" under contention.
            lock_type="IMMEDIATE",
            max_connections=max_connections,
            stale_timeout=300,
            check_same_thread=False,
        )
    if scheme in ("postgres", "postgresql"):
        options = dict(parse_qsl(parts.query))
        return PooledPostgresqlDatabase(
            unquote(parts.path.lstrip("/")),
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            host=parts.hostname or None,
            port=parts.port or None,
            max_connections=max_connections,
            stale_timeout=300,
            **options,
        )
    raise UnsupportedDatabaseURL(
        f"unsupported database URL scheme {scheme!r}: use sqlite:///path or postgresql://..."
    )


def is_postgres(db: peewee.Database | None = None) -> bool:
    """True when the bound database is PostgreSQL."""
    target = db if db is not None else database.obj
    return isinstance(target, peewee.PostgresqlDatabase)


SelectT = TypeVar("SelectT", bound=peewee.Select)


def lock_rows(query: SelectT, strength: str = "UPDATE", *, skip_locked: bool = False) -> SelectT:
    """``query`` locking the rows it reads until the transaction ends, on PostgreSQL.

    ``strength`` is the row lock (``UPDATE``, ``NO KEY UPDATE``...); ``skip_locked`` leaves
    rows another transaction holds out of the result (queues). On SQLite the query is
    returned as it is: SQLite has no row locks (peewee refuses ``FOR UPDATE`` there), and the
    ``BEGIN IMMEDIATE`` of :func:`write_transaction` already gives one writer at a time.
    """
    if not is_postgres():
        return query
    # peewee takes the lock clause as text too; its stubs say bool.
    return query.for_update(f"FOR {strength}", skip_locked=skip_locked or None)  # type: ignore[arg-type]


def tuples(query: peewee.Select) -> Iterator[tuple[Any, ...]]:
    """The query's rows as plain tuples, lazily (``query.tuples()``, typed as what it is:
    peewee's stubs type those rows as model instances)."""
    return iter(query.tuples())


# Per thread, one list of after-commit callbacks per open write_transaction (outermost first).
_open = threading.local()


@contextmanager
def write_transaction() -> Iterator[None]:
    """A transaction for a state change: ``BEGIN IMMEDIATE`` on SQLite, plain on PostgreSQL.

    Nested use becomes a savepoint, so a service can call another service that opens its
    own write transaction. Callbacks given to :func:`after_commit` inside it run once the
    outermost one commits, and are dropped with the part that rolls back.
    """
    levels: list[list[Callable[[], None]]] = _open.__dict__.setdefault("levels", [])
    levels.append([])
    try:
        with database.atomic():
            yield
    except BaseException:
        levels.pop()  # rolled back (the savepoint or the whole): what it told goes with it
        raise
    done = levels.pop()
    if levels:
        levels[-1].extend(done)  # a savepoint released: its callbacks wait for the commit
        return
    for callback in done:
        _run_quietly(callback)


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` when the open :func:`write_transaction` commits (never if it rolls
    back); at once when none is open, as a lone statement commits by itself.

    For what is said about a change rather than part of it (counters of orders and scans):
    a callback that raises is logged, never raised into the code that committed.
    """
    levels = _open.__dict__.get("levels")
    if levels:
        levels[-1].append(callback)
    else:
        _run_quietly(callback)


def _run_quietly(callback: Callable[[], None]) -> None:
    try:
        callback()
    except Exception:  # noqa: BLE001 - the change is committed; its telling must not undo it
        log.exception("an after-commit callback failed")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC. The one clock the domain reads."""
    return datetime.now(UTC)


class UtcDateTimeField(peewee.DateTimeField):
    """A timestamp stored as naive UTC and read back as an aware UTC datetime.

    SQLite compares timestamps as text and PostgreSQL's ``timestamp`` drops offsets, so
    storing one canonical form keeps ordering and equality right on both.
    """

    def db_value(self, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UtcDateTimeField needs an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def python_value(self, value: object) -> datetime | None:
        parsed = super().python_value(value)
        if isinstance(parsed, datetime):
            return parsed.replace(tzinfo=UTC)
        return parsed


_INSERT_SQL: dict[tuple[object, ...], str] = {}


def insert_rows(model: type[peewee.Model], rows: Sequence[Mapping[str, object]]) -> int:
    """INSERT ``rows`` (every row naming the same fields) with SQL text built once per shape.

    Returns the id of the last row inserted. On the order hot path peewee's query builder
    costs more CPU than SQLite's own work (docs/performance.md), so the few inserts there
    reuse their SQL. Rows must name every column they set; no defaults are applied here.
    """
    db = database.obj
    names = tuple(rows[0])
    fields = [model._meta.fields[name] for name in names]
    postgres = isinstance(db, peewee.PostgresqlDatabase)
    key = (model, names, len(rows), postgres)
    sql = _INSERT_SQL.get(key)
    if sql is None:
        placeholders = "(" + ", ".join([db.param] * len(names)) + ")"
        # Only identifiers from the model's own metadata go into the text; values are params.
        table = _quote(model._meta.table_name)
        columns = ", ".join(_quote(f.column_name) for f in fields)
        values = ", ".join([placeholders] * len(rows))
        sql = f"INSERT INTO {table} ({columns}) VALUES {values}"  # noqa: S608
        if postgres:
            sql += f" RETURNING {_quote(model._meta.primary_key.column_name)}"  # type: ignore[union-attr]
        _INSERT_SQL[key] = sql
    params = [
        field.db_value(row[name]) for row in rows for name, field in zip(names, fields, strict=True)
    ]
    cursor = db.execute_sql(sql, params)
    if postgres:
        return int(cursor.fetchall()[-1][0])
    return int(cursor.lastrowid)


def _quote(identifier: str) -> str:
    # Standard SQL identifier quoting, the same on SQLite and PostgreSQL.
    return '"' + identifier.replace('"', '""') + '"'
