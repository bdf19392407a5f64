"""The check-in's SQL (tp_api.services.door.checkin), written out once."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tp_api.db import database, is_postgres
from tp_api.models import Event
from tp_api.services.door.admission import opens_at

# The scan path runs ~1,000 times a second: its two statements are written out once here
# rather than built by the query builder on every scan (which cost more than the database
# work itself, docs/performance.md). Only the placeholder style differs per database.
LOOKUP_SQL = (
    'SELECT t."id", t."reference", t."event_id", e."parent_id", t."version", t."status", '
    't."first_name", t."last_name", tt."name", e."allow_reentry", e."require_personalisation", '
    't."is_deprecated", e."start_date", '
    'COALESCE(e."admission_opens_minutes", pe."admission_opens_minutes") '
    'FROM "ticket" AS t JOIN "ticket_type" AS tt ON tt."id" = t."ticket_type_id" '
    'JOIN "event" AS e ON e."id" = t."event_id" '
    # A date without its own admission time follows its event's.
    'LEFT JOIN "event" AS pe ON pe."id" = e."parent_id" WHERE t."reference" = {p}'
)
ADMIT_SQL = (
    'UPDATE "ticket" SET "status" = {p}, "updated_at" = {p} '
    'WHERE "id" = {p} AND "version" = {p} AND "status" IN ({allowed})'
)


# PostgreSQL: the decision and its record in one statement (one round trip, atomic on its
# own). The data-modifying CTE takes the row lock and re-checks the condition like the plain
# UPDATE; the refusal reason is read from the statement's snapshot, so in a race with another
# change of the same ticket it may name the older state (e.g. "already_checked_in" for a
# ticket cancelled that very moment). The decision itself is never wrong.
PG_DECIDE_SQL = """
WITH admitted AS (
    UPDATE "ticket" SET "status" = $1, "updated_at" = $2
    WHERE "id" = $3 AND "version" = $4 AND "status" = ANY($5) RETURNING "id"
)
INSERT INTO "check_in" ("ticket_id", "event_id", "scanner_id", "direction", "at", "gate",
    "device", "result", "nonce", "code_ref", "device_at", "offline", "conflict", "by_hand")
SELECT t."id", $6, $7, $8, $9, $10, $11, d.result, $12, $13, $14, $15, $16 AND d.result <> 'ok',
    $17
FROM "ticket" AS t, LATERAL (SELECT CASE
    WHEN EXISTS (SELECT 1 FROM admitted) THEN 'ok'
    WHEN t."version" <> $4 THEN 'superseded'
    WHEN t."status" = 5 THEN 'cancelled'
    WHEN $8 = 'out' THEN 'not_checked_in'
    WHEN t."status" = 1 THEN 'not_personalised'
    ELSE 'already_checked_in' END AS result) AS d
WHERE t."id" = $3
RETURNING "result"
"""
_PGLOOKUP_SQL = LOOKUP_SQL.replace("{p}", "$1")

# Each pooled connection prepares the two scan statements once: PostgreSQL then plans them
# once per connection instead of on every scan.
PG_PREPARE = (
    f"PREPARE tp_scan_lookup (text) AS {_PGLOOKUP_SQL}",
    "PREPARE tp_scan_decide (smallint, timestamp, integer, integer, integer[], integer, "
    "integer, text, timestamp, text, text, text, text, timestamp, boolean, boolean, boolean) AS "
    + PG_DECIDE_SQL,
)
_prepared: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def pg_execute(statement: str, args: tuple[Any, ...]) -> Any:
    """Run a prepared scan statement on this connection, preparing both on first use."""
    connection = database.connection()
    if connection not in _prepared:
        with connection.cursor() as cursor:
            for sql in PG_PREPARE:
                cursor.execute(sql)
        _prepared[connection] = True
    placeholders = ", ".join(["%s"] * len(args))
    return database.execute_sql(f"EXECUTE {statement}({placeholders})", args)


@dataclass(frozen=True)
class TicketAtDoor:
    """What the door needs of a ticket, read in one query."""

    id: int
    reference: str
    event_id: int
    parent_event_id: int | None
    version: int
    status: int
    first_name: str
    last_name: str
    tier_name: str
    allow_reentry: bool
    require_personalisation: bool
    is_deprecated: bool
    admission_opens_at: datetime | None  # before this, refused as not yet valid


def ticket_at_door(reference: str) -> TicketAtDoor | None:
    """The ticket with this reference, with its event's door rules (the lookup statement)."""
    if is_postgres():
        cursor = pg_execute("tp_scan_lookup", (reference,))
    else:
        cursor = database.execute_sql(LOOKUP_SQL.format(p="?"), (reference,))
    row = cursor.fetchone()
    if row is None:
        return None
    minutes = row[13]
    # Read only when a rule is set: the default (none) costs the hot path no date parsing.
    start = Event.start_date.python_value(row[12]) if minutes is not None else None
    return TicketAtDoor(  # type: ignore[misc] # the row's first nine columns, in field order
        *row[:9],
        allow_reentry=bool(row[9]),
        require_personalisation=bool(row[10]),
        is_deprecated=bool(row[11]),
        admission_opens_at=opens_at(start, minutes),
    )
