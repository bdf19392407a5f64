"""One run of a shop's job at a time, across processes and machines.

PostgreSQL: a session advisory lock (two daemons on two machines never run the same shop's
job at once). SQLite lives on one machine: an exclusive lock file next to the database.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import peewee

from tp_api.db import database


def _key(name: str) -> int:
    # A stable signed 64-bit key for pg_try_advisory_lock.
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def job_lock(name: str, lock_dir: str) -> Iterator[bool]:
    """Try to take the lock called ``name``; yields whether we got it (never waits)."""
    db = database.obj
    if isinstance(db, peewee.PostgresqlDatabase):
        with db.connection_context():
            got = bool(
                db.execute_sql("SELECT pg_try_advisory_lock(%s)", (_key(name),)).fetchone()[0]
            )
            try:
                yield got
            finally:
                if got:
                    db.execute_sql("SELECT pg_advisory_unlock(%s)", (_key(name),))
        return
    Path(lock_dir).mkdir(parents=True, exist_ok=True)
    path = os.path.join(lock_dir, hashlib.sha256(name.encode()).hexdigest()[:16] + ".lock")
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
