"""What keeps an event's line: the database (:mod:`.db_line`) or Redis (:mod:`.redis_line`).

Both give the same answers (the tests run every rule on both); Redis lets several service
instances share one line without each join taking the database's write lock.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Protocol

from tp_api.services.queue.schedule import Place


class QueueLine(Protocol):
    """The places of every event's line."""

    def join(
        self,
        event_id: int,
        customer_ref: str,
        items: dict[int, int],
        *,
        now: datetime,
        starts_at: datetime,
        rate: int,
    ) -> tuple[Place, bool]:
        """The customer's place: their live one, or a new one at the back (True)."""

    def place(self, event_id: int, seq: int) -> Place | None:
        """Place ``seq`` of the event's line, if it exists."""

    def admitted_through(self, event_id: int, now: datetime) -> int:
        """The last place whose turn has come by ``now`` (0: nobody yet)."""

    def next_turn_after(self, event_id: int, now: datetime) -> tuple[int, datetime] | None:
        """The first place whose turn is after ``now``, and that turn (None: every place's
        turn has come). Until that turn the front of the line cannot move: later joins get
        later turns."""

    def length(self, event_id: int) -> int:
        """How many places the line has given (the last place's number)."""

    def claim(self, event_id: int, seq: int, marker: str) -> bool:
        """Mark the place used by an order (``marker`` names the attempt); False if it was
        used already. In the database this is part of the caller's transaction."""

    def unclaim(self, event_id: int, seq: int, marker: str) -> None:
        """Undo :meth:`claim` of an attempt whose order did not commit."""

    def places(self, event_id: int, first_seq: int, last_seq: int) -> list[Place]:
        """Places ``first_seq`` to ``last_seq`` (those that exist), in order."""


def items_text(items: dict[int, int]) -> str:
    """The items wanted, stored as JSON with the ticket type ids as keys."""
    return json.dumps({str(k): v for k, v in sorted(items.items())}, separators=(",", ":"))


def items_of(text: str) -> dict[int, int]:
    """The items of :func:`items_text`."""
    return {int(k): int(v) for k, v in json.loads(text).items()}
