"""Fixtures shared by the whole suite.

Every test that takes ``db`` runs once on SQLite (a fresh file) and, when
``TP_TEST_POSTGRES_URL`` is set, once on PostgreSQL (a database of its own per xdist worker,
emptied before each test).

The schema is migrated once per test process, not once per test: on SQLite each test gets a
byte copy of a migrated template file (~1 ms against ~95 ms for the nine-plus migrations);
on PostgreSQL each test empties the worker's migrated database with ``DELETE`` in foreign-key
order and rewinds its sequences (~3 ms). Cloning a template database per test
(``CREATE DATABASE ... TEMPLATE``) was measured at ~430 ms and ``TRUNCATE ... RESTART
IDENTITY`` at 70-200 ms, because both touch every table's files.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import peewee
import psycopg2
import pytest
from argon2 import PasswordHasher
from flask import Flask

from config.settings import Settings
from config.wsgi import create_app
from tests.admin_api import Admin
from tests.factories import Factory
from tests.lazy_routes import LazyBuilderRule
from tests.smtp_inbox import Inbox, free_port
from tp_api import migrations
from tp_api.db import connect
from tp_api.models import ALL_MODELS
from tp_api.services.credentials import admin_keys, oauth_tokens, partner_keys, staff_auth
from tp_api.services.door import scanners
from tp_api.services.webhooks import webhook_events

# Halves the cost of create_app in this process (see tests/lazy_routes.py).
Flask.url_rule_class = LazyBuilderRule

POSTGRES_URL = os.environ.get("TP_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def _admin(sql: str, url: str = "") -> None:
    """Run ``sql`` outside a transaction (CREATE/DROP DATABASE) on ``url``, by default the
    suite's TP_TEST_POSTGRES_URL."""
    admin = psycopg2.connect(url or POSTGRES_URL)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql)
    admin.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database for this test process (xdist worker), next to TP_TEST_POSTGRES_URL's.

    Named after the worker and its process id, so two test runs on one machine never share
    one; dropped at the end.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"tp_test_{worker}_{os.getpid()}"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))
    database = connect(url, max_connections=4)
    migrations.upgrade(database)
    database.close_all()
    yield url
    connect(url).close_all()
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty SQLite file for this test process; ``db`` copies it per test."""
    path = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    database = connect(f"sqlite:///{path}")
    migrations.upgrade(database)
    with database.connection_context():
        # The copy must be the whole database: fold the write-ahead log into the file.
        database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close_all()
    return str(path)


# Children before parents, so plain DELETEs never trip a foreign key.
_DELETE_ORDER = [m._meta.table_name for m in reversed(peewee.sort_models(ALL_MODELS))]


def _empty_postgres(database: peewee.Database) -> None:
    with database.connection_context():
        with database.atomic():
            for table in _DELETE_ORDER:
                database.execute_sql(f'DELETE FROM "{table}"')
        # What RESTART IDENTITY did: ids start at 1 again (the migration log keeps its own).
        database.execute_sql(
            "SELECT setval(s.oid, 1, false) FROM pg_class s "
            "JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i') "
            "JOIN pg_class t ON t.oid = d.refobjid "
            "WHERE s.relkind = 'S' AND t.relname = ANY(%s)",
            (_DELETE_ORDER,),
        )


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/tp-test.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def db(request: pytest.FixtureRequest, db_url: str) -> Iterator[peewee.Database]:
    """The bound database, migrated and empty."""
    if db_url.startswith("sqlite"):
        path = db_url.removeprefix("sqlite:///")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        database = connect(db_url, max_connections=400)
    else:
        database = connect(db_url, max_connections=400)
        _empty_postgres(database)
    database.connect(reuse_if_open=True)
    partner_keys.clear_auth_cache()
    scanners.clear_cache()
    admin_keys.clear_cache()
    oauth_tokens.clear_cache()
    webhook_events.forget_subscriptions()
    yield database
    if not database.is_closed():
        database.close()
    database.close_all()


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with the production parameters (64 MiB, t=3) costs ~0.15 s a hash: tests
    use the same algorithm with tiny parameters, except those marked
    ``real_password_hashing``."""
    if request.node.get_closest_marker("real_password_hashing"):
        return
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(staff_auth, "_hasher", cheap)
    monkeypatch.setattr(staff_auth, "_DUMMY_HASH", cheap.hash("not a password of anyone"))


@pytest.fixture
def settings(db_url: str, tmp_path: Any) -> Settings:
    return Settings(
        database_url=db_url,
        secret_key=TEST_SECRET,
        dev=False,
        public_url="http://tickets.test",
        files_dir=str(tmp_path / "files"),
    )


@pytest.fixture
def app(db: peewee.Database, settings: Settings) -> Iterator[Any]:
    application = create_app(settings)
    application.config["TESTING"] = True
    yield application
    from tp_api.db import database

    database.close_all()


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def factory(db: peewee.Database) -> Factory:
    return Factory()


@pytest.fixture
def seller(factory: Factory) -> Any:
    """A seller account (with its partner key) that the test acts as."""
    return factory.seller()


@pytest.fixture
def api(client: Any, factory: Factory, seller: Any) -> Admin:
    """The admin API as ``seller``'s key (every scope) sees it."""
    return Admin(client, factory.api_key(seller))


@pytest.fixture
def smtp() -> Iterator[tuple[Any, Inbox]]:
    """(controller, inbox) of a real SMTP server on 127.0.0.1, stopped after the test."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()
