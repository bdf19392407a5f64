"""The dates of an event in the console: add one (with a first ticket type), change its
title, times or capacity, remove one nothing was sold for, and its ticket types.

Through the admin API's services (events.event_dates) and request models, as the event
editor is; a refusal comes back with what was typed and the problem next to its field.
"""

from __future__ import annotations

from typing import cast

from flask import Response, flash, redirect, render_template, request, url_for

from tp_api.models import Event
from tp_api.services.errors import TicketingError
from tp_api.services.events import event_dates
from tp_api.services.events.event_admin import date_of
from tp_api.web.console import account_id, actor, bp
from tp_api.web.console.event_editor import (
    Page,
    add_type,
    date_page,
    refused,
    remove_type,
    save_type,
    top_event,
)
from tp_api.web.console.event_form import (
    EventForm,
    blank_form,
    date_create,
    date_form,
    date_update,
    read_date_form,
)
from tp_api.web.languages import _, translated


@bp.route("/events/<int:event_id>/dates/new", methods=["GET", "POST"])
def event_date_new(event_id: int) -> Page:
    """The form for a new date of the event."""
    event = top_event(event_id)
    if request.method == "GET":
        return _new_page(event, EventForm(values={"timezone": event.timezone}))
    form = read_date_form(request.form, event.timezone)
    data = date_create(form)
    if data is None:
        return _new_page(event, form), 422
    try:
        date = event_dates.add_date(account_id(), str(event.id), data, actor=actor())
    except TicketingError as error:
        return _new_page(event, refused(form, error)), error.status
    flash(_("Date added: %(name)s.", name=date.name))
    return _to_date(event, date)


@bp.route("/events/<int:event_id>/dates/<int:date_id>", methods=["GET", "POST"])
def event_date_edit(event_id: int, date_id: int) -> Page:
    """One date: its details and its ticket types."""
    event = top_event(event_id)
    date = date_of(event, date_id)
    if request.method == "GET":
        return date_page(event, date, date_form(date, event.timezone))
    form = read_date_form(request.form, event.timezone)
    data = date_update(form)
    if data is None:
        return date_page(event, date, form), 422
    try:
        saved = event_dates.update_date(account_id(), str(event.id), date.id, data, actor=actor())
    except TicketingError as error:
        return date_page(event, date, refused(form, error)), error.status
    flash(_("Saved: %(name)s.", name=saved.name))
    return _to_date(event, date)


@bp.post("/events/<int:event_id>/dates/<int:date_id>/remove")
def event_date_remove(event_id: int, date_id: int) -> Page:
    """Remove a date nothing was sold for (the service keeps one with tickets)."""
    event = top_event(event_id)
    date = date_of(event, date_id)
    try:
        event_dates.remove_date(account_id(), str(event.id), date.id, actor=actor())
    except TicketingError as error:
        form = date_form(date, event.timezone)
        form.errors["_form"] = translated(error.message)
        return date_page(event, date, form), error.status
    flash(_("Date removed: %(name)s.", name=date.name))
    return cast(Response, redirect(url_for("console.event_edit", event_id=event.id)))


@bp.post("/events/<int:event_id>/dates/<int:date_id>/ticket-types")
def event_date_type_add(event_id: int, date_id: int) -> Page:
    """Add a ticket type to the date."""
    event = top_event(event_id)
    return add_type(event, date_of(event, date_id))


@bp.post("/events/<int:event_id>/dates/<int:date_id>/ticket-types/<int:type_id>")
def event_date_type_save(event_id: int, date_id: int, type_id: int) -> Page:
    """Save one of the date's ticket types."""
    event = top_event(event_id)
    return save_type(event, date_of(event, date_id), type_id)


@bp.post("/events/<int:event_id>/dates/<int:date_id>/ticket-types/<int:type_id>/remove")
def event_date_type_remove(event_id: int, date_id: int, type_id: int) -> Page:
    """Remove one of the date's ticket types nobody bought."""
    event = top_event(event_id)
    return remove_type(event, date_of(event, date_id), type_id)


def _to_date(event: Event, date: Event) -> Response:
    target = url_for("console.event_date_edit", event_id=event.id, date_id=date.id)
    return cast(Response, redirect(target))


def _new_page(event: Event, form: EventForm) -> str:
    return render_template(
        "console/event_date_new.html",
        event=event,
        form=form,
        blank_type=blank_form(event.timezone, rows=1).types[0],
    )
