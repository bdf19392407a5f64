"""An event's lifecycle from the console: publish, end sales, cancel (after a confirmation
page that says what it refunds), duplicate to new dates, archive and delete a draft.

Each action is a POST with the console's CSRF token, through the same services as the
admin API (events.event_lifecycle, events.duplication, events.event_admin); a refused
action (publishing an event without ticket types, deleting a published one) is said on
the page it came from.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, flash, redirect, render_template, request, url_for

from tp_api.models import Event
from tp_api.schemas.events import EventDuplicate
from tp_api.services.errors import TicketingError
from tp_api.services.events import duplication, event_admin, event_lifecycle
from tp_api.web.console import account_id, actor, bp
from tp_api.web.console.event_editor import COMMON_ZONES, Page, refused, to_event, top_event
from tp_api.web.console.event_form import EventForm, event_update, read_form
from tp_api.web.languages import N_, _, translated


@bp.post("/events/<int:event_id>/publish")
def event_publish(event_id: int) -> Response:
    """Put a draft on sale."""
    return _act(event_id, event_lifecycle.publish_event, N_("Published: %(name)s is on sale."))


@bp.post("/events/<int:event_id>/complete")
def event_complete(event_id: int) -> Response:
    """End the sales of an event that took place."""
    return _act(event_id, event_lifecycle.complete_event, N_("Sales ended: %(name)s."))


@bp.post("/events/<int:event_id>/archive")
def event_archive(event_id: int) -> Response:
    """Put a finished or cancelled event away."""
    return _act(event_id, event_lifecycle.archive_event, N_("Archived: %(name)s."))


@bp.post("/events/<int:event_id>/delete")
def event_delete(event_id: int) -> Response:
    """Delete a draft (other events are cancelled or archived instead)."""
    event = top_event(event_id)
    try:
        event_admin.delete_event(account_id(), str(event.id), actor=actor())
    except TicketingError as error:
        flash(translated(error.message), "problem")
        return to_event(event.id)
    flash(_("Deleted the draft %(name)s.", name=event.name))
    return redirect(url_for("console.events"))  # type: ignore[return-value]


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
def event_cancel(event_id: int) -> Page:
    """A confirmation page saying what cancelling refunds; the POST cancels."""
    event = top_event(event_id)
    if request.method == "GET":
        preview = event_lifecycle.cancel_preview(account_id(), str(event.id))
        return render_template("console/event_cancel.html", event=event, preview=preview)
    reason = request.form.get("reason", "").strip()[:500]
    try:
        done = event_lifecycle.cancel_event(
            account_id(), str(event.id), reason=reason, actor=actor()
        )
    except TicketingError as error:
        flash(translated(error.message), "problem")
        return to_event(event.id)
    flash(
        _(
            "Cancelled: %(name)s. %(refunded)s orders refunded, %(unpaid)s unpaid orders "
            "cancelled, %(tickets)s tickets cancelled.",
            name=event.name,
            refunded=done.orders_refunded,
            unpaid=done.orders_cancelled,
            tickets=done.tickets_cancelled,
        )
    )
    return to_event(event.id)


@bp.route("/events/<int:event_id>/duplicate", methods=["GET", "POST"])
def event_duplicate(event_id: int) -> Page:
    """A copy of the event (its ticket types and dates) on new dates, as a draft."""
    event = top_event(event_id)
    if request.method == "GET":
        form = EventForm(values={"title": event.name, "timezone": event.timezone})
        return _duplicate_page(event, form)
    form = read_form(request.form, with_types=False)
    form.values["timezone"] = event.timezone  # the copy's times are in the event's zone
    data = _duplicate_request(form)
    if data is None:
        return _duplicate_page(event, form), 422
    try:
        copy = duplication.duplicate_event(account_id(), str(event.id), data, actor=actor())
    except TicketingError as error:
        return _duplicate_page(event, refused(form, error)), error.status
    flash(_("Duplicated as a draft: %(name)s. Check it, then publish it.", name=copy.name))
    return to_event(copy.id)


def _duplicate_request(form: EventForm) -> EventDuplicate | None:
    """The copy's title, slug and times, validated as the admin API does."""
    if not form.values.get("startsAt"):
        form.errors["startsAt"] = _("Enter when the copy starts.")
    update = event_update(form)  # the times and title, read in the event's zone
    if update is None or form.errors:
        return None
    return EventDuplicate.model_validate(
        {
            "startsAt": update.starts_at,
            "endsAt": update.ends_at,
            "title": update.title,
            "slug": update.slug,
        }
    )


def _duplicate_page(event: Event, form: EventForm) -> str:
    return render_template(
        "console/event_duplicate.html", event=event, form=form, zones=COMMON_ZONES
    )


def _act(event_id: int, action: Callable[..., Event], done: str) -> Response:
    """``action`` on the event; ``done`` (a sentence with ``%(name)s``) said when it went."""
    event = top_event(event_id)
    try:
        moved = action(account_id(), str(event.id), actor=actor())
    except TicketingError as error:
        flash(translated(error.message), "problem")
    else:
        flash(translated(done) % {"name": moved.name})
    return to_event(event.id)
