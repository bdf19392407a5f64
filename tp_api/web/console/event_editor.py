"""Creating and editing events and their ticket types from the console.

Every change goes through the admin API's services (events.event_admin) with its request
models: the same rules, the same errors. A refused form comes back with what was typed and
each problem next to its field (422); a refusal by the service that is about one field (a
taken slug, a quantity below what is sold) is put next to that field too.
"""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from tp_api.models import Event, TicketType
from tp_api.services.errors import NotFound, TicketingError
from tp_api.services.events import event_admin
from tp_api.services.events.catalogue import get_event
from tp_api.web.console import account_id, actor, bp
from tp_api.web.console.event_form import (
    MAX_TYPE_ROWS,
    TYPE_FIELDS,
    EventForm,
    blank_form,
    date_form,
    edit_form,
    event_create,
    event_update,
    read_form,
    type_create,
    type_form,
    type_update,
)
from tp_api.web.languages import _, translated

# Service refusals that are about one field: the error code -> that field's input name.
_FIELD_OF_CODE = {
    "slug_taken": "slug",
    "invalid_dates": "endsAt",
    "quantity_below_sold": "quantity",
    "invalid_sales_window": "salesEnd",
    "invalid_per_order_limits": "maxPerOrder",
}
COMMON_ZONES = (
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Berlin",
    "Europe/London",
    "Europe/Paris",
    "America/New_York",
    "UTC",
)

Page = str | tuple[str, int] | Response


@bp.route("/events/new", methods=["GET", "POST"])
def event_new() -> Page:
    """The new-event form; a draft event with its ticket types is created from it."""
    if request.method == "GET":
        return _new_page(blank_form(_usual_zone()))
    form = read_form(request.form)
    if request.form.get("add_row"):
        form.types.append(blank_form("UTC", rows=1).types[0])
        form.types = form.types[:MAX_TYPE_ROWS]
        return _new_page(form)
    data = event_create(form)
    if data is None:
        return _new_page(form), 422
    try:
        event = event_admin.create_event(account_id(), data, actor=actor())
    except TicketingError as error:
        return _new_page(refused(form, error)), error.status
    flash(_("Event created as a draft: %(name)s. Publish it to put it on sale.", name=event.name))
    return to_event(event.id)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def event_edit(event_id: int) -> Page:
    """The event's details, and a form per ticket type."""
    event = top_event(event_id)
    if request.method == "GET":
        return _edit_page(event, edit_form(event))
    form = read_form(request.form, with_types=False)
    data = event_update(form)
    if data is None:
        return _edit_page(event, form), 422
    try:
        updated = event_admin.update_event(account_id(), str(event.id), data, actor=actor())
    except TicketingError as error:
        return _edit_page(event, refused(form, error)), error.status
    flash(_("Saved: %(name)s.", name=updated.name))
    return _to_edit(event.id)


@bp.post("/events/<int:event_id>/ticket-types")
def ticket_type_add(event_id: int) -> Page:
    """Add one ticket type to the event."""
    return add_type(top_event(event_id), None)


@bp.post("/events/<int:event_id>/ticket-types/<int:type_id>")
def ticket_type_save(event_id: int, type_id: int) -> Page:
    """Save one ticket type's changes."""
    return save_type(top_event(event_id), None, type_id)


@bp.post("/events/<int:event_id>/ticket-types/<int:type_id>/remove")
def ticket_type_remove(event_id: int, type_id: int) -> Page:
    """Remove a ticket type nobody bought (the service refuses one with sales)."""
    return remove_type(top_event(event_id), None, type_id)


def add_type(event: Event, date: Event | None) -> Page:
    """Add the posted ticket type to the event, or to one of its dates."""
    form, row = _type_row(event)
    data = type_create(form, row)
    try:
        if data is not None:
            added = event_admin.add_ticket_type(
                account_id(),
                str(event.id),
                data,
                date_id=date.id if date is not None else None,
                actor=actor(),
            )
            flash(_("Ticket type added: %(name)s.", name=added.name))
            return _back(event, date)
    except TicketingError as error:
        refused(form, error)
    return types_page(event, date, new_type={"row": row, "errors": form.errors}), 422


def save_type(event: Event, date: Event | None, type_id: int) -> Page:
    """Save the posted changes of one ticket type of the event or of one of its dates."""
    _type_of(date or event, type_id)
    form, row = _type_row(event)
    data = type_update(form, row)
    try:
        if data is not None:
            saved = event_admin.update_ticket_type(
                account_id(), str(event.id), type_id, data, actor=actor()
            )
            flash(_("Saved: %(name)s.", name=saved.name))
            return _back(event, date)
    except TicketingError as error:
        if error.code == "ticket_type_not_found":
            raise
        refused(form, error)
    errors = {"id": type_id, "row": row, "errors": form.errors}
    return types_page(event, date, type_errors=errors), 422


def remove_type(event: Event, date: Event | None, type_id: int) -> Page:
    """Remove a ticket type of the event or of one of its dates nobody bought."""
    _type_of(date or event, type_id)
    try:
        event_admin.remove_ticket_type(account_id(), str(event.id), type_id, actor=actor())
    except TicketingError as error:
        if error.code == "ticket_type_not_found":
            raise
        row = type_form(TicketType.get_by_id(type_id), event.timezone)
        errors = {"id": type_id, "row": row, "errors": {"_form": translated(error.message)}}
        return types_page(event, date, type_errors=errors), error.status
    flash(_("Ticket type removed."))
    return _back(event, date)


def _type_of(owner: Event, type_id: int) -> TicketType:
    """The ticket type of this event or date (a date's page never changes another's)."""
    found = TicketType.get_or_none((TicketType.id == type_id) & (TicketType.event == owner.id))
    if found is None:
        raise NotFound("Ticket type not found", code="ticket_type_not_found")
    return found


def types_page(event: Event, date: Event | None, **problems: Any) -> str:
    """The page that lists the ticket types: the event's edit page, or its date's page."""
    if date is None:
        return _edit_page(event, edit_form(event), **problems)
    return date_page(event, date, date_form(date, event.timezone), **problems)


def date_page(
    event: Event,
    date: Event,
    form: EventForm,
    *,
    new_type: dict[str, Any] | None = None,
    type_errors: dict[str, Any] | None = None,
) -> str:
    """One date of an event: its details and its ticket types."""
    return render_template(
        "console/event_date.html",
        event=event,
        date=date,
        form=form,
        **_ticket_types(date, event.timezone, new_type, type_errors),
    )


def _ticket_types(
    owner: Event,
    timezone: str,
    new_type: dict[str, Any] | None,
    type_errors: dict[str, Any] | None,
) -> dict[str, Any]:
    """What _ticket_types.html shows of an event's or a date's ticket types."""
    types = _types_of(owner)
    return {
        "types": types,
        "rows": {t.id: type_form(t, timezone) for t in types},
        "new_type": new_type or {"row": blank_form("UTC", rows=1).types[0], "errors": {}},
        "type_errors": type_errors,
    }


def _back(event: Event, date: Event | None) -> Response:
    if date is None:
        return _to_edit(event.id)
    target = url_for("console.event_date_edit", event_id=event.id, date_id=date.id)
    return redirect(target)  # type: ignore[return-value]


def _type_row(event: Event) -> tuple[EventForm, dict[str, str]]:
    form = EventForm(values={"timezone": event.timezone})
    row = {name: request.form.get(name, "").strip() for name in TYPE_FIELDS}
    row["hidden"] = "on" if request.form.get("hidden") else ""
    return form, row


def refused(form: EventForm, error: TicketingError) -> EventForm:
    """``form`` with the service's refusal next to its field, or above the form."""
    name = _FIELD_OF_CODE.get(error.code or "")
    form.errors[name or "_form"] = translated(error.message)
    return form


def _new_page(form: EventForm) -> str:
    return render_template("console/event_new.html", form=form, zones=COMMON_ZONES)


def _edit_page(
    event: Event,
    form: EventForm,
    *,
    new_type: dict[str, Any] | None = None,
    type_errors: dict[str, Any] | None = None,
) -> str:
    return render_template(
        "console/event_edit.html",
        event=event,
        form=form,
        zones=COMMON_ZONES,
        dates=_dates_of(event),
        **_ticket_types(event, event.timezone, new_type, type_errors),
    )


def _dates_of(event: Event) -> list[Event]:
    return list(
        Event.select()
        .where(Event.parent == event.id, Event.deleted_at.is_null())
        .order_by(Event.start_date, Event.id)
    )


def _types_of(event: Event) -> list[TicketType]:
    return list(TicketType.select().where(TicketType.event == event.id).order_by(TicketType.id))


def top_event(event_id: int) -> Event:
    """The account's event (NotFound for another account's, or a date of an event)."""
    event = get_event(account_id(), event_id)
    if event.parent_id is not None:
        return get_event(account_id(), event.parent_id)
    return event


def _usual_zone() -> str:
    """The zone of the account's latest event: a seller's events are mostly in one."""
    latest = (
        Event.select(Event.timezone)
        .where(Event.account == account_id(), Event.deleted_at.is_null())
        .order_by(Event.id.desc())
        .first()
    )
    return latest.timezone if latest is not None else "UTC"


def to_event(event_id: int) -> Response:
    return redirect(url_for("console.event", event_id=event_id))  # type: ignore[return-value]


def _to_edit(event_id: int) -> Response:
    return redirect(url_for("console.event_edit", event_id=event_id))  # type: ignore[return-value]
