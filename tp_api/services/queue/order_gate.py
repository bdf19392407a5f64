"""Where the waiting room is enforced: a checkout's new order for ticket types behind a
switched-on line needs the token of a place whose turn has come and whose 10 minutes are
not over, for no more than the place asked for; a token buys once.

Only checkouts pass the gate (the partner API's ``orders/create``). An order the shop
already took (webhook, poll, reconcile) is recorded as it is: the customer has paid. The
room's figures count those orders beside the ones that came through the line.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from tp_api.db import insert_rows, utcnow
from tp_api.models import QueueOrder
from tp_api.services.errors import Conflict, Forbidden
from tp_api.services.queue.line import QueueLine
from tp_api.services.queue.room_settings import rooms_for_types
from tp_api.services.queue.waiting_room import WaitingRooms


@dataclass(frozen=True)
class Admission:
    """A place an order is about to use: claimed in :func:`use`, given back by
    :func:`give_back` when the order does not commit."""

    line: QueueLine
    event_id: int
    seq: int
    marker: str


def check(
    rooms: WaitingRooms, quantities: dict[int, int], token: str, *, now: datetime | None = None
) -> Admission | None:
    """The admission a new checkout order needs, or None when no line covers its ticket
    types (then any token is ignored). Raises Forbidden or Conflict with the reason."""
    covering = rooms_for_types(quantities)
    if not covering:
        return None
    if not token:
        raise Forbidden("Queue token required", code="queue_token_required")
    place = rooms.place_of(token)
    state = place.state(now or utcnow())
    if state == "waiting":
        raise Forbidden("Queue token is not admitted yet", code="queue_not_admitted")
    if state == "expired":
        raise Forbidden("Queue token has expired", code="queue_token_expired")
    if state == "completed":
        raise Conflict("Queue token has been used", code="queue_token_used")
    for type_id in covering:
        if quantities[type_id] > place.items.get(type_id, 0):
            raise Forbidden("Queue token does not cover these tickets", code="queue_items_mismatch")
    return Admission(rooms.line, place.event_id, place.seq, secrets.token_hex(16))


def use(admission: Admission, order_id: int) -> None:
    """Spend the place on ``order_id``, inside the order's write transaction. Raises
    Conflict when another order spent it first (the order is then not created)."""
    if not admission.line.claim(admission.event_id, admission.seq, admission.marker):
        raise Conflict("Queue token has been used", code="queue_token_used")
    row: dict[str, object] = {
        "order": order_id,
        "event": admission.event_id,
        "seq": admission.seq,
        "created_at": utcnow(),
    }
    insert_rows(QueueOrder, [row])


def give_back(admission: Admission) -> None:
    """Undo :func:`use` of an order that did not commit (a line outside the database)."""
    admission.line.unclaim(admission.event_id, admission.seq, admission.marker)
