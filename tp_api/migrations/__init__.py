"""Versioned schema migrations (``tp-bridge db upgrade``).

Each numbered file in this folder defines ``up(migrator, db)`` with its own frozen models;
none imports ``tp_api.models``, so an old migration keeps meaning what it meant when written.
The runner is peewee's ``playhouse.migrations``; applied names live in ``schema_migration``.
A file may set ``atomic = False`` to run outside a transaction (PostgreSQL's
``CREATE INDEX CONCURRENTLY`` refuses to run inside one).

Whether a migration may run while the previous version still serves is a rule of
docs/deploy/upgrades.md: add, never rename or drop in the same release.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import peewee
from playhouse.migrations import Migration, Runner

MIGRATIONS_DIR = os.path.dirname(os.path.abspath(__file__))

# Any constant works; it only has to be the same for every process of this project.
_PG_MIGRATION_LOCK = 7_341_902_117


class _Runner(Runner):
    """peewee's runner over several folders: ours, then any ``extra_dirs`` (an extension's
    own migrations, or a test's), sorted together by number."""

    def __init__(self, db: peewee.Database, directories: Sequence[str]) -> None:
        super().__init__(db, directory=directories[0])
        self.directories = tuple(directories)

    def migrations(self) -> list[Migration]:
        found = [m for folder in self.directories for m in Migration.load_directory(folder)]
        return sorted(found)


def _runner(db: peewee.Database, extra_dirs: Sequence[str]) -> _Runner:
    return _Runner(db, [MIGRATIONS_DIR, *extra_dirs])


def pending(db: peewee.Database, extra_dirs: Sequence[str] = ()) -> list[str]:
    """Names of the migrations not yet applied, in order."""
    return [
        m.name for m in _runner(db, extra_dirs).status() if m.path is not None and not m.applied
    ]


def upgrade(
    db: peewee.Database, *, extra_dirs: Sequence[str] = (), target: str | None = None
) -> list[str]:
    """Apply the pending migrations (up to and including ``target`` if given), each in its own
    transaction unless it says ``atomic = False``. Returns the names applied.

    On PostgreSQL an advisory lock makes concurrent upgrades (two workers starting at once)
    run one after the other; the second then finds nothing to do.
    """
    runner = _runner(db, extra_dirs)
    if isinstance(db, peewee.PostgresqlDatabase):
        with db.connection_context():
            db.execute_sql("SELECT pg_advisory_lock(%s)", (_PG_MIGRATION_LOCK,))
            try:
                return list(runner.up(target))
            finally:
                db.execute_sql("SELECT pg_advisory_unlock(%s)", (_PG_MIGRATION_LOCK,))
    with db.connection_context():
        return list(runner.up(target))
