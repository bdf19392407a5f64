"""Versioned schema migrations (``tp-bridge db upgrade``).

Each numbered file in this folder defines ``up(migrator, db)`` with its own frozen models;
none imports ``tp_api.models``, so an old migration keeps meaning what it meant when written.
The runner is peewee's ``playhouse.migrations``; applied names live in ``schema_migration``.
"""

from __future__ import annotations

import os

import peewee
from playhouse.migrations import Runner

MIGRATIONS_DIR = os.path.dirname(os.path.abspath(__file__))

# Any constant works; it only has to be the same for every process of this project.
_PG_MIGRATION_LOCK = 7_341_902_117


def _runner(db: peewee.Database) -> Runner:
    return Runner(db, directory=MIGRATIONS_DIR)


def pending(db: peewee.Database) -> list[str]:
    """Names of the migrations not yet applied, in order."""
    return [m.name for m in _runner(db).status() if m.path is not None and not m.applied]


def upgrade(db: peewee.Database) -> list[str]:
    """Apply every pending migration, each in its own transaction. Returns the names applied.

    On PostgreSQL an advisory lock makes concurrent upgrades (two workers starting at once)
    run one after the other; the second then finds nothing to do.
    """
    if isinstance(db, peewee.PostgresqlDatabase):
        with db.connection_context():
            db.execute_sql("SELECT pg_advisory_lock(%s)", (_PG_MIGRATION_LOCK,))
            try:
                return _runner(db).up()
            finally:
                db.execute_sql("SELECT pg_advisory_unlock(%s)", (_PG_MIGRATION_LOCK,))
    with db.connection_context():
        return _runner(db).up()
