"""Databases of a test's own, for tests that change a whole database (restore one, add a
migration to one): a SQLite file, or a PostgreSQL database created beside the suite's and
dropped afterwards. Never the shared per-worker database of ``tests/conftest.py``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.conftest import POSTGRES_URL, TEST_SECRET, _admin
from tests.e2e.serve import cli
from tp_api.db import connect


@contextmanager
def scratch_database(backend: str, tmp_path: Path, name: str) -> Iterator[str]:
    """The URL of an empty database named after ``name``, on ``backend`` (sqlite/postgres)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/{name}.sqlite3"
        return
    database = f"tp_{name}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{database}"')
    try:
        yield urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{database}"))
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def wipe(url: str) -> None:
    """Lose the database at ``url`` as a broken disk would: after this it is empty."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        return
    name = urlsplit(url).path.lstrip("/")
    _admin(f'DROP DATABASE "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')


@contextmanager
def installation(backend: str, tmp_path: Path, name: str) -> Iterator[dict[str, str]]:
    """The environment of an installation of its own: a scratch database, migrated by
    `tp-bridge db upgrade`, a secret and a file store in ``tmp_path``."""
    with scratch_database(backend, tmp_path, name) as url:
        env = {
            **os.environ,
            "TP_DATABASE_URL": url,
            "TP_SECRET_KEY": TEST_SECRET,
            "TP_FILES_DIR": str(tmp_path / "files"),
        }
        cli(env, "db", "upgrade")
        try:
            yield env
        finally:
            # This process's own pool, if a test opened one, before the database goes.
            connect(url).close_all()
