"""The hosted waiting room (``/queue/{event}``): where a shop sends its customers when an
event's line is on.

The shop links to ``/queue/<event id>?customer=<its customer reference>&items=<ticket type
id>:<quantity>,...``; the page joins the line (a second visit finds the same place) and
redirects to the place's own page, which shows the position and the wait and refreshes
itself. When the customer's turn comes it sends them back to the room's return address
(the shop's product page) with ``tp_queue_token=<token>``, which the shop passes to
``orders/create`` as ``queue_token``. English and Dutch, no script needed.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import cast
from urllib.parse import urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Response, redirect, render_template, request, url_for

from tp_api.models import Event
from tp_api.services.errors import Conflict, InvalidInput, NotFound, TicketingError
from tp_api.web import languages
from tp_api.web.languages import translated
from tp_api.web.parts import parts

bp = Blueprint(
    "queue_page",
    __name__,
    url_prefix="/queue",
    template_folder="templates",
    static_folder="static/queue",
    static_url_path="/static",
)

CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
TOKEN_PARAM = "tp_queue_token"  # noqa: S105 - a parameter name, not a secret
MAX_ITEMS_TEXT = 400


languages.serve_pages_in_language(
    bp,
    {
        "Content-Security-Policy": CSP,
        "X-Frame-Options": "DENY",
        # The place's address holds its token: never send it on to the shop as a referrer.
        "Referrer-Policy": "no-referrer",
    },
)


@bp.get("/<int:event_id>")
def join(event_id: int) -> Response | tuple[str, int]:
    """Join the line from a shop's link, then go to the place's page."""
    customer = request.args.get("customer", "")
    try:
        items = parse_items(request.args.get("items", ""))
        status, _created = parts().waiting_rooms.join_public(event_id, customer, items)
    except TicketingError as refusal:
        return _refusal_page(event_id, refusal)
    target = url_for("queue_page.place", event_id=event_id, token=status.token)
    return cast(Response, redirect(target, code=303))


@bp.get("/<int:event_id>/place/<token>")
def place(event_id: int, token: str) -> str | tuple[str, int]:
    """Where the customer is in the line, refreshed every few seconds."""
    try:
        status = parts().waiting_rooms.status(token)
    except TicketingError as refusal:
        return _refusal_page(event_id, refusal)
    if status.event_id != event_id:
        return _refusal_page(event_id, NotFound("Queue token is invalid"))
    event = Event.get_by_id(event_id)
    continue_url = with_token(status.return_url, status.token) if status.return_url else ""
    return _page(
        "queue/place.html",
        event=event,
        status=status,
        refresh_s=status.poll_after_s,
        wait_minutes=math.ceil(status.estimated_wait_s / 60),
        window_ends=_local_time(status.window_ends_at, event.timezone),
        continue_url=continue_url,
        join_again_url=url_for(
            "queue_page.join",
            event_id=event_id,
            customer=status.customer_ref,
            items=items_text(status.items),
        ),
    )


def parse_items(text: str) -> dict[int, int]:
    """``12:2,13:1`` -> {12: 2, 13: 1}; InvalidInput for anything else."""
    items: dict[int, int] = {}
    if len(text) > MAX_ITEMS_TEXT:
        raise InvalidInput("items must name at least one ticket type", code="queue_items_missing")
    for part in filter(None, (p.strip() for p in text.split(","))):
        type_id, _, quantity = part.partition(":")
        if not (type_id.isdigit() and quantity.isdigit() and len(type_id) <= 15):
            raise InvalidInput(
                "items must name at least one ticket type", code="queue_items_missing"
            )
        items[int(type_id)] = items.get(int(type_id), 0) + int(quantity[:6])
    return items


def items_text(items: dict[int, int]) -> str:
    """The ``items`` parameter of :func:`parse_items` for ``items``."""
    return ",".join(f"{t}:{q}" for t, q in sorted(items.items()))


def with_token(url: str, token: str) -> str:
    """``url`` with ``tp_queue_token`` added to its query."""
    parts_ = urlsplit(url)
    query = f"{parts_.query}&" if parts_.query else ""
    query += urlencode({TOKEN_PARAM: token})
    return urlunsplit((parts_.scheme, parts_.netloc, parts_.path, query, parts_.fragment))


def _local_time(moment: datetime, zone: str) -> str:
    try:
        here = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        here = ZoneInfo("UTC")
    return moment.astimezone(here).strftime("%H:%M")


def _refusal_page(event_id: int, refusal: TicketingError) -> tuple[str, int]:
    event = Event.get_or_none(Event.id == event_id, Event.parent.is_null())
    if isinstance(refusal, Conflict):
        problem = "closed"
    elif isinstance(refusal, NotFound) and refusal.code == "event_not_found":
        problem = "no_event"
    elif isinstance(refusal, NotFound):
        problem = "bad_token"
    else:
        problem = "bad_link"
    status = 404 if isinstance(refusal, NotFound) else 400 if problem == "bad_link" else 409
    return _page(
        "queue/refused.html",
        event=event,
        problem=problem,
        detail=translated(refusal.message) if problem == "bad_link" else "",
    ), status


def _page(template: str, **context: object) -> str:
    here = languages.current()
    return render_template(
        template,
        page_language=here,
        other_languages=[(c, name) for c, name in languages.LANGUAGES.items() if c != here],
        path=request.path,
        **context,
    )
