"""Writing follow-up work to the outbox, inside the caller's transaction.

The work itself (render and e-mail a PDF, deliver a webhook, push stock to a shop) is done
later by a worker; because the row commits or rolls back with the change that caused it,
work is never lost and never done for a change that did not happen.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from peewee import IntegrityError

from tp_api.db import database, lock_rows, utcnow, write_transaction
from tp_api.models import OutboxEntry

# What a worker is asked to do.
DELIVER_TICKETS = "deliver_tickets"
REFRESH_SHOP_ORDER = "refresh_shop_order"


def enqueue(
    kind: str,
    payload: dict[str, Any],
    *,
    account_id: int | None = None,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Add a unit of work. Returns False when ``dedupe_key`` was already enqueued.

    Call inside the write transaction of the change that causes the work.
    """
    row = {
        "account": account_id,
        "kind": kind,
        "payload": json.dumps(payload, sort_keys=True, separators=(",", ":")),
        "dedupe_key": dedupe_key,
        "not_before": not_before or utcnow(),
    }
    if dedupe_key is None:
        OutboxEntry.insert(row).execute()
        return True
    # A savepoint, so a duplicate does not abort the caller's transaction on PostgreSQL.
    try:
        with database.atomic():
            OutboxEntry.insert(row).execute()
    except IntegrityError:
        return False
    return True


# --- working the outbox ---------------------------------------------------------------------

# A claimed row is someone's for this long; a worker that dies mid-job releases it this way.
DEFAULT_LEASE = timedelta(minutes=5)
# Retry after 30 s, 1, 2, 4 ... minutes, capped at 6 hours, with jitter so failures spread out.
BACKOFF_BASE_S = 30
BACKOFF_CAP_S = 6 * 3600


class PermanentError(Exception):
    """A job that can never succeed (e.g. no e-mail address): recorded, not retried."""


def claim(
    kinds: Sequence[str], *, limit: int = 10, lease: timedelta = DEFAULT_LEASE
) -> list[OutboxEntry]:
    """Take up to ``limit`` due jobs of ``kinds`` for this worker, oldest first.

    On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets several workers claim side by side; on
    SQLite the write transaction (BEGIN IMMEDIATE) serialises claims.
    """
    now = utcnow()
    with write_transaction():
        query = (
            OutboxEntry.select()
            .where(
                OutboxEntry.kind.in_(list(kinds)),
                OutboxEntry.done_at.is_null(),
                OutboxEntry.failed_at.is_null(),
                OutboxEntry.not_before <= now,
                (OutboxEntry.locked_until.is_null()) | (OutboxEntry.locked_until < now),
            )
            .order_by(OutboxEntry.not_before, OutboxEntry.id)
            .limit(limit)
        )
        rows = list(lock_rows(query, skip_locked=True))
        if rows:
            (
                OutboxEntry.update(locked_until=now + lease, attempts=OutboxEntry.attempts + 1)
                .where(OutboxEntry.id.in_([r.id for r in rows]))
                .execute()
            )
            for row in rows:
                row.attempts += 1
                row.locked_until = now + lease
    return rows


def complete(entry: OutboxEntry) -> bool:
    """The job succeeded: it is never run again. False if this worker had lost its lease."""
    return _finish(entry, done_at=utcnow(), locked_until=None, last_error=None)


def retry_later(entry: OutboxEntry, error: str) -> datetime | None:
    """The job failed for now: schedule the next attempt with backoff and jitter.

    After ``max_attempts`` the job is marked failed (kept, with its error, for an admin).
    Returns when it runs next, or None when it was given up.
    """
    now = utcnow()
    if entry.attempts >= entry.max_attempts:
        fail(entry, f"gave up after {entry.attempts} attempts: {error}")
        return None
    delay = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(0, entry.attempts - 1))
    next_run = now + timedelta(seconds=delay * (0.75 + random.random() / 2))  # noqa: S311
    _finish(entry, not_before=next_run, locked_until=None, last_error=error[:2000])
    return next_run


def fail(entry: OutboxEntry, error: str) -> bool:
    """Give the job up for good, keeping the reason."""
    return _finish(entry, failed_at=utcnow(), locked_until=None, last_error=error[:2000])


def _finish(entry: OutboxEntry, **changes: Any) -> bool:
    # Only the worker still holding the claim may record the outcome: if its lease ran out
    # and another worker took the job, this one's late result is dropped.
    with write_transaction():
        updated = (
            OutboxEntry.update(**changes)
            .where(OutboxEntry.id == entry.id, OutboxEntry.locked_until == entry.locked_until)
            .execute()
        )
    return bool(updated)


def payload(entry: OutboxEntry) -> dict[str, Any]:
    """The job's arguments."""
    data = json.loads(entry.payload or "{}")
    return data if isinstance(data, dict) else {}
