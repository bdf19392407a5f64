"""When each place in a line gets its turn, decided once, when the customer joins.

The line lets ``rate`` people through per minute, minutes counted from the room's start
time. A customer who joins gets the next free turn: the minute the last place was given if
it has room, the next minute if not, or at once when the line is empty. Fixing the turn at
the join makes the line fair (turns follow the order of joining), keeps every minute at or
under the rate whatever the load, and lets any number of service instances answer a poll
from the place alone, without a clock ticking somewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

# Seed 001: "Once a customer reaches the front, they have 10 minutes to confirm".
PURCHASE_WINDOW = timedelta(minutes=10)
MINUTE = timedelta(minutes=1)

PlaceState = Literal["waiting", "admitted", "expired", "completed"]


@dataclass(frozen=True)
class Tail:
    """The end of the line: the last place given, its minute, how many that minute has, and
    the last place's turn."""

    last_seq: int = 0
    minute: int = -1
    admitted_in_minute: int = 0
    last_turn: datetime | None = None


@dataclass(frozen=True)
class Turn:
    """A new place: its number in the line, when it is let through, and the new tail."""

    seq: int
    admit_at: datetime
    tail: Tail


def minute_index(moment: datetime, starts_at: datetime) -> int:
    """Whole minutes from the room's start to ``moment`` (0 before the start)."""
    return max(0, int((moment - starts_at) // MINUTE))


def next_turn(tail: Tail, *, now: datetime, starts_at: datetime, rate: int) -> Turn:
    """The turn of the customer joining at ``now`` behind ``tail``."""
    earliest = minute_index(now, starts_at)
    minute = max(tail.minute, earliest)
    if minute == tail.minute and tail.admitted_in_minute >= rate:
        minute += 1
    count = tail.admitted_in_minute + 1 if minute == tail.minute else 1
    admit_at = max(now, starts_at + minute * MINUTE)
    if tail.last_turn is not None:
        # Two customers joining at once read the clock before either took the line's lock:
        # the later place must not get the earlier turn, or the front of the line (the
        # latest turn that came) would name a place with people still waiting before it.
        admit_at = max(admit_at, tail.last_turn)
    return Turn(tail.last_seq + 1, admit_at, Tail(tail.last_seq + 1, minute, count, admit_at))


@dataclass(frozen=True)
class Place:
    """A customer's place in an event's line."""

    event_id: int
    seq: int
    customer_ref: str
    items: dict[int, int]  # ticket type id -> quantity wanted
    joined_at: datetime
    admit_at: datetime
    used: bool

    @property
    def window_ends_at(self) -> datetime:
        """The end of the 10 minutes this place has to complete its purchase."""
        return self.admit_at + PURCHASE_WINDOW

    def state(self, now: datetime) -> PlaceState:
        """Waiting for its turn, admitted (buying), expired unused, or completed (ordered)."""
        if self.used:
            return "completed"
        if now < self.admit_at:
            return "waiting"
        if now < self.window_ends_at:
            return "admitted"
        return "expired"

    def replaceable(self, now: datetime) -> bool:
        """Whether joining again gives the customer a new place at the back of the line:
        only once this one is spent (ordered with, or its window ran out)."""
        return self.state(now) in ("expired", "completed")
