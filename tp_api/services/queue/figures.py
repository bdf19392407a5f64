"""How an event's waiting room is doing: who waits, who is buying, who bought, and the
orders that reached the event without the line (a shop's own checkout, pulled by the sync
daemon: recorded as they are, because the shop took the money, but counted here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import Case, fn

from tp_api.db import tuples, utcnow
from tp_api.models import Event, Order, OrderLine, QueueOrder, TicketType
from tp_api.services.events.event_catalogue import event_and_dates
from tp_api.services.queue.room_settings import RoomSettings
from tp_api.services.queue.schedule import PURCHASE_WINDOW
from tp_api.services.queue.waiting_room import WaitingRooms


@dataclass(frozen=True)
class RoomFigures:
    """The line of one event, now."""

    joined: int  # places given
    waiting: int  # whose turn has not come
    buying: int  # whose turn came and whose 10 minutes run
    ordered: int  # orders placed with a place's token
    expired: int  # turns that ran out without an order
    orders_outside_line: int  # orders for the line's ticket types that did not pass it


def room_figures(
    rooms: WaitingRooms, event: Event, room: RoomSettings, now: datetime | None = None
) -> RoomFigures:
    """The figures of ``event``'s line (all zero before anyone joined)."""
    now = now or utcnow()
    line = rooms.line
    joined = line.length(event.id)
    through = line.admitted_through(event.id, now)
    over = line.admitted_through(event.id, now - PURCHASE_WINDOW)
    ordered, ordered_by_over, ordered_while_buying = _orders_through_line(event.id, over, through)
    return RoomFigures(
        joined=joined,
        waiting=joined - through,
        buying=max(0, through - over - ordered_while_buying),
        ordered=ordered,
        expired=max(0, over - ordered_by_over),
        orders_outside_line=_outside(event, room),
    )


def _orders_through_line(event_id: int, over: int, through: int) -> tuple[int, int, int]:
    """Orders placed through the line: all, by places whose turn is over, and by places
    still buying (one query)."""
    early = Case(None, [(QueueOrder.seq <= over, 1)], 0)
    buying = Case(None, [((QueueOrder.seq > over) & (QueueOrder.seq <= through), 1)], 0)
    row = next(
        tuples(
            QueueOrder.select(fn.COUNT(QueueOrder.id), fn.SUM(early), fn.SUM(buying)).where(
                QueueOrder.event == event_id
            )
        )
    )
    return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)


def _outside(event: Event, room: RoomSettings) -> int:
    """Orders since the room opened for the ticket types it covers, without a place."""
    if room.starts_at is None:
        return 0
    types = TicketType.select(TicketType.id).where(TicketType.event.in_(event_and_dates(event.id)))
    if room.ticket_type_ids:
        types = types.where(TicketType.id.in_(list(room.ticket_type_ids)))
    through_line = QueueOrder.select(QueueOrder.order).where(QueueOrder.event == event.id)
    return int(
        Order.select(Order.id)
        .join(OrderLine)
        .where(
            OrderLine.ticket_type.in_(types),
            Order.created_at >= room.starts_at,
            Order.id.not_in(through_line),
        )
        .distinct()
        .count()
    )
