"""Transferring a ticket to a new holder from the console: the order page links each ticket
that can still be transferred to a form for the new holder.

Through the admin API's service (orders.ticket_actions.transfer_ticket) and request model
(TicketTransfer): the ticket is re-issued, its old code and files stop working, the new
holder is e-mailed their ticket and the old holder told (docs/tickets.md, "E-mails").
"""

from __future__ import annotations

from typing import Any, cast

from flask import Response, flash, redirect, render_template, request, url_for

from tp_api.models import Order, Ticket, TicketStatus
from tp_api.schemas.orders import TicketTransfer
from tp_api.services.errors import NotFound, TicketingError
from tp_api.services.orders import ticket_actions
from tp_api.services.orders.personalise import AttendeeInput
from tp_api.web.api_routes import ValidationFailed, validate
from tp_api.web.console import account_id, actor, bp
from tp_api.web.console.event_editor import Page
from tp_api.web.console.event_form import placed_problem
from tp_api.web.languages import _, translated

_FIELDS = ("firstName", "lastName", "email", "phone")
TRANSFERABLE = (TicketStatus.CREATED, TicketStatus.ACTIVE)


@bp.route("/orders/<int:number>/tickets/<reference>/transfer", methods=["GET", "POST"])
def transfer_ticket(number: int, reference: str) -> Page:
    """The new holder's form; the ticket is re-issued to them."""
    order, ticket = _ticket_of(number, reference)
    if request.method == "GET":
        return _page(order, ticket, {name: "" for name in _FIELDS}, {})
    typed = {name: request.form.get(name, "").strip() for name in _FIELDS}
    errors: dict[str, str] = {}
    try:
        holder = validate(TicketTransfer, typed, "body")
    except ValidationFailed as failed:
        for detail in failed.details or []:
            name, message = placed_problem(detail["field"], detail["message"])
            errors.setdefault(name or "_form", message)
        return _page(order, ticket, typed, errors), 422
    try:
        ticket_actions.transfer_ticket(
            account_id(),
            ticket.reference,
            AttendeeInput(
                ticket.reference, holder.first_name, holder.last_name, holder.email, holder.phone
            ),
            actor=actor(),
        )
    except TicketingError as error:
        errors["_form"] = translated(error.message)
        return _page(order, ticket, typed, errors), error.status
    new_holder = " ".join((holder.first_name, holder.last_name))
    flash(
        _(
            "Ticket %(reference)s now belongs to %(name)s; it is on its way to %(email)s.",
            reference=ticket.reference,
            name=new_holder,
            email=holder.email,
        )
    )
    return cast(Response, redirect(url_for("console.order", number=order.number)))


def _ticket_of(number: int, reference: str) -> tuple[Order, Ticket]:
    """The account's order and one of its tickets that can still be transferred."""
    order = Order.get_or_none((Order.number == number) & (Order.account == account_id()))
    ticket = (
        Ticket.get_or_none((Ticket.reference == reference[:32]) & (Ticket.order == order.id))
        if order is not None
        else None
    )
    if order is None or ticket is None or ticket.is_deprecated:
        raise NotFound("Ticket not found", code="ticket_not_found")
    return order, ticket


def _page(order: Order, ticket: Ticket, typed: dict[str, Any], errors: dict[str, str]) -> str:
    return render_template(
        "console/ticket_transfer.html",
        order=order,
        ticket=ticket,
        transferable=ticket.status in TRANSFERABLE,
        typed=typed,
        errors=errors,
    )
