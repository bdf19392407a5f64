"""An event's attendee list in the console: who holds each ticket, their order, status and
admission, filtered, 50 to a page, and the same list as a CSV download. Through the same
service as the admin API (services.events.attendees)."""

from __future__ import annotations

from flask import Response, render_template, request, stream_with_context

from tp_api.services.events import attendees
from tp_api.services.orders import answers as ticket_answers
from tp_api.web import languages
from tp_api.web.console import account_id, bp
from tp_api.web.console.event_editor import top_event
from tp_api.web.languages import _

_ADMITTED = {"yes": True, "no": False}


def _wanted() -> attendees.AttendeeFilter:
    status = request.args.get("status", "")
    return attendees.AttendeeFilter(
        status=status if status in attendees.STATUS_NAMES.values() else None,
        search=request.args.get("q", "").strip()[:100] or None,
        checked_in=_ADMITTED.get(request.args.get("admitted", "")),
    )


@bp.get("/events/<int:event_id>/attendees")
def event_attendees(event_id: int) -> str:
    """The list, narrowed by the form's words, status and admission."""
    event = top_event(event_id)
    wanted = _wanted()
    page = attendees.attendee_page(
        account_id(), str(event.id), wanted, cursor=request.args.get("cursor") or None
    )
    return render_template(
        "console/attendees.html",
        event=event,
        page=page,
        wanted=wanted,
        admitted=request.args.get("admitted", ""),
        statuses=list(attendees.STATUS_NAMES.items()),
        title=_("Attendees of %(event)s", event=event.name),
        answers_of=lambda row: ticket_answers.shown(
            page.questions, row.answers, lang=languages.current()
        ),
    )


@bp.get("/events/<int:event_id>/attendees.csv")
def event_attendees_csv(event_id: int) -> Response:
    """The narrowed list as CSV, streamed."""
    event = top_event(event_id)
    chunks = attendees.export_csv(account_id(), str(event.id), _wanted())
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="attendees-{event.id}.csv"'},
    )
