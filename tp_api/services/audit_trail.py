"""Who changed what, and when: an account's audit trail.

A change made through the console names its staff user; one made through the admin API
names its key; commands and the sync daemon are ``system``. :func:`record` is called inside
the transaction of the change it describes, so an entry exists if and only if its change
committed. Entries keep the actor's name as it was (an e-mail, a key's label), so a user
or key removed later still shows who it was.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import peewee

from tp_api.db import utcnow
from tp_api.models import AuditEntry
from tp_api.services.actors import Actor
from tp_api.services.csv_text import drain, safe_cell

PAGE_SIZE = 50
_EXPORT_CHUNK = 1000


def record(
    account_id: int,
    actor: Actor,
    action: str,
    subject: tuple[str, int | None, str],
    changes: Mapping[str, list[Any]] | None = None,
) -> None:
    """Write one entry (inside the caller's transaction). ``subject`` is (type, id, label);
    ``changes`` maps a field to ``[before, after]``."""
    subject_type, subject_id, subject_label = subject
    AuditEntry.create(
        account=account_id,
        at=utcnow(),
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label[:254],
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_label=subject_label[:300],
        changes=json.dumps(
            {k: [_plain(v) for v in pair] for k, pair in (changes or {}).items()},
            sort_keys=True,
        ),
    )


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value differs, as ``{field: [before, after]}``."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if _plain(before.get(name)) != _plain(value)
    }


def created(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """A new object's values, as ``{field: [None, value]}`` (empty ones left out)."""
    return {name: [None, value] for name, value in values.items() if value not in (None, "")}


@dataclass(frozen=True)
class AuditFilter:
    """What to list: an action or its group (``event`` matches ``event.updated``), words of
    the actor's name, one subject, and a range of days (inclusive, UTC)."""

    action: str = ""
    actor: str = ""
    subject_type: str = ""
    subject_id: int | None = None
    day_from: date | None = None
    day_to: date | None = None


@dataclass(frozen=True)
class AuditPage:
    """Entries newest first, and the id to pass as ``before_id`` for the next page."""

    entries: list[AuditEntry]
    next_before_id: int | None


def entries(
    account_id: int, filters: AuditFilter, *, before_id: int | None = None, limit: int = PAGE_SIZE
) -> AuditPage:
    """One page of the account's entries matching ``filters``, newest first."""
    query = _matching(account_id, filters)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    rows = list(query.order_by(AuditEntry.id.desc()).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(rows, rows[-1].id if more and rows else None)


def iter_entries(account_id: int, filters: AuditFilter) -> Iterator[AuditEntry]:
    """Every matching entry, newest first, read in chunks (for an export of any size)."""
    before_id: int | None = None
    while True:
        page = entries(account_id, filters, before_id=before_id, limit=_EXPORT_CHUNK)
        yield from page.entries
        if page.next_before_id is None:
            return
        before_id = page.next_before_id


CSV_COLUMNS = (
    "at",
    "actor_kind",
    "actor_id",
    "actor",
    "action",
    "subject_type",
    "subject_id",
    "subject",
    "changes",
)


def export_csv(account_id: int, filters: AuditFilter) -> Iterator[str]:
    """The matching entries as CSV text chunks, newest first; ``changes`` is the JSON of
    ``{field: [before, after]}``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    yield drain(out)
    for count, entry in enumerate(iter_entries(account_id, filters), start=1):
        writer.writerow(
            [
                entry.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                entry.actor_kind,
                "" if entry.actor_id is None else entry.actor_id,
                safe_cell(entry.actor_label),
                entry.action,
                entry.subject_type,
                "" if entry.subject_id is None else entry.subject_id,
                safe_cell(entry.subject_label),
                safe_cell(entry.changes),
            ]
        )
        if count % _EXPORT_CHUNK == 0:
            yield drain(out)
    yield drain(out)


def changes_of(entry: AuditEntry) -> dict[str, list[Any]]:
    """An entry's ``{field: [before, after]}``."""
    loaded: dict[str, list[Any]] = json.loads(entry.changes or "{}")
    return loaded


def _matching(account_id: int, filters: AuditFilter) -> peewee.ModelSelect[AuditEntry]:
    query = AuditEntry.select().where(AuditEntry.account == account_id)
    if filters.action:
        group = filters.action.rstrip(".")
        query = query.where(
            (AuditEntry.action == group) | AuditEntry.action.startswith(group + ".")
        )
    if filters.actor:
        query = query.where(AuditEntry.actor_label.contains(filters.actor))
    if filters.subject_type:
        query = query.where(AuditEntry.subject_type == filters.subject_type)
    if filters.subject_id is not None:
        query = query.where(AuditEntry.subject_id == filters.subject_id)
    if filters.day_from is not None:
        query = query.where(
            AuditEntry.at >= datetime.combine(filters.day_from, time.min, tzinfo=UTC)
        )
    if filters.day_to is not None:
        end = datetime.combine(filters.day_to, time.min, tzinfo=UTC) + timedelta(days=1)
        query = query.where(AuditEntry.at < end)
    return query


def _plain(value: Any) -> Any:
    """A value as JSON keeps it: times as ISO text, everything else as it is."""
    if isinstance(value, datetime):
        return value.isoformat()
    return value
