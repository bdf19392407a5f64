"""The ticket types a seller picks from when mapping a shop product: found by a few words
of the event's, its festival's or the ticket type's name, at most :data:`SHOWN` at a time,
so an account with thousands of ticket types can still reach each one (one query)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import peewee

from tp_api.models import Event, TicketType
from tp_api.services.orders.availability import units_left

# Options in one picker; the page repeats the picker on each of its 20 rows.
SHOWN = 100


@dataclass(frozen=True)
class TicketTypeChoice:
    """A ticket type to pick for a shop product: its event, and what we can still sell."""

    id: int
    label: str  # "Harbour Jazz 2027 · Standing"
    left: int


@dataclass(frozen=True)
class TicketTypeChoices:
    """The ticket types matching the words typed, newest events first; ``more`` when others
    match too (fewer words were typed than needed to show them all)."""

    choices: list[TicketTypeChoice]
    more: bool


def find_ticket_types(account_id: int, words: str = "", *, limit: int = SHOWN) -> TicketTypeChoices:
    """The account's ticket types (of events not deleted) whose event, the event's parent
    (a festival's days) or own name contains ``words`` (all when empty), newest events
    first, at most ``limit``. One query."""
    query = _types_with_events(account_id)
    if words:
        parents = Event.select(Event.id).where(
            Event.account == account_id, Event.name.contains(words)
        )
        query = query.where(
            Event.name.contains(words) | TicketType.name.contains(words) | Event.parent.in_(parents)
        )
    rows = list(query.order_by(Event.start_date.desc(), TicketType.id).limit(limit + 1))
    return TicketTypeChoices([_choice(row) for row in rows[:limit]], len(rows) > limit)


def ticket_types_by_id(account_id: int, type_ids: Iterable[int]) -> dict[int, TicketTypeChoice]:
    """The account's ticket types among ``type_ids`` (what products are mapped to, whether
    or not the picker shows them). One query."""
    wanted = sorted(set(type_ids))
    if not wanted:
        return {}
    rows = _types_with_events(account_id).where(TicketType.id.in_(wanted))
    return {row.id: _choice(row) for row in rows}


def ticket_type_choice(account_id: int, type_id: int) -> tuple[TicketTypeChoice, TicketType] | None:
    """One of the account's ticket types (of an event not deleted), or None."""
    found = _types_with_events(account_id).where(TicketType.id == type_id).first()
    return (_choice(found), found) if found is not None else None


def _types_with_events(account_id: int) -> peewee.ModelSelect[TicketType]:
    return (
        TicketType.select(TicketType, Event)
        .join(Event)
        .where(Event.account == account_id, Event.deleted_at.is_null())
    )


def _choice(ticket_type: TicketType) -> TicketTypeChoice:
    event = ticket_type.event
    return TicketTypeChoice(
        ticket_type.id, f"{event.name} · {ticket_type.name}", units_left(ticket_type, event)
    )
