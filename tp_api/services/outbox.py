"""Writing follow-up work to the outbox, inside the caller's transaction.

The work itself (render and e-mail a PDF, deliver a webhook, push stock to a shop) is done
later by a worker; because the row commits or rolls back with the change that caused it,
work is never lost and never done for a change that did not happen.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from peewee import IntegrityError

from tp_api.db import database, utcnow
from tp_api.models import OutboxEntry

# What a worker is asked to do.
DELIVER_TICKETS = "deliver_tickets"


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
