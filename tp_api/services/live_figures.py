"""Figures that are facts of the database, read when the metrics are scraped: the outbox's
depth and age per kind, the stock held by unpaid orders, the people waiting in each open
waiting room.

Every query stays cheap however many orders and tickets there are (docs/operations.md):
the outbox's read only its pending rows through the partial index ``outbox_entry_pending``,
the stock's sums the ticket types (hundreds, not the tickets), and the rooms' reads the
switched-on rooms and asks their line two questions each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from peewee import fn

from tp_api.db import tuples
from tp_api.models import OutboxEntry, TicketType, WaitingRoom
from tp_api.services.queue.line import QueueLine


@dataclass(frozen=True)
class OutboxFigures:
    """The pending (not done, not given up) jobs of one kind."""

    kind: str
    depth: int  # pending, due or scheduled for a later retry
    oldest_age_s: float  # since the oldest pending job was written (0: none)
    oldest_due_s: float  # since the longest-waiting due job became due (0: none is due)


def outbox_figures(now: datetime, kinds: Iterable[str] = ()) -> list[OutboxFigures]:
    """One entry per kind pending, and per kind of ``kinds`` (zeros when none is), by kind."""
    pending = (OutboxEntry.done_at.is_null()) & (OutboxEntry.failed_at.is_null())
    depth = {
        kind: (int(count), oldest)
        for kind, count, oldest in tuples(
            OutboxEntry.select(
                OutboxEntry.kind, fn.COUNT(OutboxEntry.id), fn.MIN(OutboxEntry.created_at)
            )
            .where(pending)
            .group_by(OutboxEntry.kind)
        )
    }
    due = dict(
        tuples(
            OutboxEntry.select(OutboxEntry.kind, fn.MIN(OutboxEntry.not_before))
            .where(pending, OutboxEntry.not_before <= now)
            .group_by(OutboxEntry.kind)
        )
    )
    figures = []
    for kind in sorted(set(depth) | set(kinds)):
        count, oldest = depth.get(kind, (0, None))
        figures.append(
            OutboxFigures(
                kind, count, _seconds_since(oldest, now), _seconds_since(due.get(kind), now)
            )
        )
    return figures


def stock_held() -> int:
    """Units held by unpaid orders, over every ticket type."""
    total = TicketType.select(fn.SUM(TicketType.reserved)).scalar()
    return int(total or 0)


def people_waiting(line: QueueLine, now: datetime) -> dict[int, int]:
    """Event id -> places whose turn has not come, for every switched-on waiting room."""
    rooms = tuples(
        WaitingRoom.select(WaitingRoom.event).where(WaitingRoom.enabled == True)  # noqa: E712
    )
    return {
        event_id: max(0, line.length(event_id) - line.admitted_through(event_id, now))
        for (event_id,) in rooms
    }


def _seconds_since(moment: datetime | None, now: datetime) -> float:
    return max(0.0, (now - moment).total_seconds()) if moment is not None else 0.0
