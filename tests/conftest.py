"""Fixtures shared by the whole suite.

Every test that takes ``db`` runs once on SQLite (a fresh file) and, when
``TP_TEST_POSTGRES_URL`` is set, once on PostgreSQL (a database of its own per xdist worker,
emptied before each test).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import peewee
import psycopg2
import pytest
from argon2 import PasswordHasher

from config.settings import Settings
from config.wsgi import create_app
from tests.factories import Factory
from tp_api import migrations
from tp_api.db import connect
from tp_api.models import ALL_MODELS
from tp_api.services import api_keys, keys, scanners, staff_auth, webhook_events

POSTGRES_URL = os.environ.get("TP_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def _admin(sql: str) -> None:
    admin = psycopg2.connect(POSTGRES_URL)
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


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/tp-test.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def db(db_url: str) -> Iterator[peewee.Database]:
    """The bound database, migrated and empty."""
    database = connect(db_url, max_connections=400)
    if db_url.startswith("sqlite"):
        migrations.upgrade(database)
    else:
        tables = ", ".join(f'"{m._meta.table_name}"' for m in ALL_MODELS)
        with database.connection_context():
            database.execute_sql(f"TRUNCATE TABLE {tables} RESTART IDENTITY CASCADE")
    database.connect(reuse_if_open=True)
    keys.clear_auth_cache()
    scanners.clear_cache()
    api_keys.clear_cache()
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
