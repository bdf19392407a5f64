"""The door's live figures per gate: a page that refreshes its numbers on its own."""

from __future__ import annotations

from flask import Response, jsonify, redirect, render_template, request, url_for

from tp_api.services.door import scanner_api
from tp_api.services.events.catalogue import get_event
from tp_api.web.console import account_id, bp, queries

REFRESH_SECONDS = 5


@bp.get("/door")
def door_overview() -> Response | str:
    """Pick an event; the first upcoming or most recent one is shown."""
    events = queries.event_choices(account_id())
    chosen = request.args.get("event", type=int)
    if chosen is None and events:
        chosen = events[0].id
    if chosen is not None:
        return redirect(url_for("console.door_event", event_id=chosen))  # type: ignore[return-value]
    return render_template("console/door.html", events=events, event=None, figures=None)


@bp.get("/door/<int:event_id>")
def door_event(event_id: int) -> str:
    """Inside now, still to come, and admissions per gate; console.js refreshes the numbers
    every few seconds from ``figures.json`` (and without script the page reloads itself)."""
    event = get_event(account_id(), event_id)
    events = queries.event_choices(account_id())
    return render_template(
        "console/door.html",
        events=events,
        event=event,
        figures=scanner_api.live_figures(event),
        refresh_seconds=REFRESH_SECONDS,
    )


@bp.get("/door/<int:event_id>/figures.json")
def door_figures(event_id: int) -> Response:
    """The same figures as JSON, for the page's own refresh."""
    return jsonify(scanner_api.live_figures(get_event(account_id(), event_id)))
