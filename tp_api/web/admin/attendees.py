"""An event's attendee list: ``/api/v1/events/{id}/attendees`` and its streamed CSV."""

from __future__ import annotations

from flask import Response, g, stream_with_context

from tp_api.schemas.attendees import (
    AttendeeExportQuery,
    AttendeeList,
    AttendeeListQuery,
)
from tp_api.services.admin_render import attendee_out
from tp_api.services.events import attendees
from tp_api.web.admin import bp
from tp_api.web.api_routes import operation

# Holders' names and addresses: customer data, so the customers' scope.
READ = ("customers:read",)


def _wanted(query: AttendeeExportQuery) -> attendees.AttendeeFilter:
    return attendees.AttendeeFilter(query.status, query.search, query.checked_in)


@operation(
    bp,
    "/events/<id_or_slug>/attendees",
    "GET",
    summary="List an event's attendees",
    tag="Events",
    scopes=READ,
    query=AttendeeListQuery,
    response=AttendeeList,
    errors=(400, 404),
)
def list_attendees(id_or_slug: str, query: AttendeeListQuery) -> AttendeeList:
    """Every ticket of the event and its dates with its holder, order, status and first and
    last admission, in ticket order; narrowed by status, words or admission."""
    page = attendees.attendee_page(
        g.caller.account_id, id_or_slug, _wanted(query), limit=query.limit, cursor=query.cursor
    )
    return AttendeeList(
        items=[attendee_out(r, page.questions) for r in page.items], next_cursor=page.next_cursor
    )


@operation(
    bp,
    "/events/<id_or_slug>/attendees.csv",
    "GET",
    summary="Export an event's attendees as CSV",
    tag="Events",
    scopes=READ,
    query=AttendeeExportQuery,
    response_media="text/csv",
    errors=(400, 404),
)
def export_attendees(id_or_slug: str, query: AttendeeExportQuery) -> Response:
    """The attendee list as CSV, streamed in batches (flat memory for any size)."""
    chunks = attendees.export_csv(g.caller.account_id, id_or_slug, _wanted(query))
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="attendees.csv"'},
    )
