"""Orders: search, one order in full, and the refund and cancel actions."""

from __future__ import annotations

from babel.numbers import format_decimal
from flask import Response, flash, redirect, render_template, request, url_for

from tp_api.models import OrderStatus
from tp_api.services.errors import InvalidInput, TicketingError
from tp_api.services.orders import answers as ticket_answers
from tp_api.services.orders import order_queries, refunds
from tp_api.services.validation import clean_text
from tp_api.web import languages
from tp_api.web.console import MAX_ID, account_id, actor, bp, queries
from tp_api.web.languages import N_, _, translated

PAGE_SIZE = 50
STATUSES = sorted(
    {
        OrderStatus.PENDING,
        OrderStatus.PROCESSING,
        OrderStatus.COMPLETED,
        OrderStatus.CANCELLED,
        OrderStatus.REFUNDED,
        OrderStatus.EXPIRED,
    }
)
# An order's status in words (the stored value is the shop's, in English).
_STATUS_WORDS = {
    OrderStatus.PENDING: N_("pending"),
    OrderStatus.PROCESSING: N_("processing"),
    OrderStatus.COMPLETED: N_("completed"),
    OrderStatus.CANCELLED: N_("cancelled"),
    OrderStatus.REFUNDED: N_("refunded"),
    OrderStatus.EXPIRED: N_("expired"),
}


@bp.app_template_filter("order_status")
def order_status(status: str) -> str:
    """An order's status as the page's language says it (an unknown one as it is)."""
    return translated(_STATUS_WORDS[status]) if status in _STATUS_WORDS else status


@bp.get("/orders")
def orders() -> str:
    """Newest orders first, searchable by reference, shop order number, e-mail or name."""
    search = clean_text(request.args.get("q", "").strip()[:200], "The search")
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    event_id = request.args.get("event", type=int)
    event_id = event_id if event_id is not None and 0 < event_id <= MAX_ID else None
    problem = ""
    try:
        page = order_queries.list_orders(
            account_id(),
            order_queries.OrderFilter(
                search=search or None, status=status or None, event_id=event_id
            ),
            limit=PAGE_SIZE,
            cursor=request.args.get("cursor") or None,
        )
    except InvalidInput as refused:  # a search too short to look up: said beside the box
        if refused.code != "search_too_short":
            raise
        page, problem = order_queries.OrderPage([], None), translated(refused.message)
    return render_template(
        "console/orders.html",
        page=page,
        search=search,
        search_problem=problem,
        status=status,
        statuses=STATUSES,
        event_id=event_id,
    )


@bp.get("/orders/<int:number>")
def order(number: int) -> str:
    """The order with its lines (and each ticket type's stock left), tickets and refunds."""
    detail = order_queries.get_order(account_id(), number)
    left = queries.units_left_of_types(
        [line.ticket_type_id for line in detail.lines if line.ticket_type_id]
    )
    to_refund = queries.shop_orders_to_refund(detail.order.id)
    return render_template(
        "console/order.html",
        detail=detail,
        left=left,
        to_refund=to_refund,
        answers=_answers(detail),
    )


@bp.post("/orders/<int:number>/refund")
def refund(number: int) -> Response | tuple[str, int]:
    """Refund the whole order or the quantities entered per line."""
    try:
        request_ = _refund_request()
        made = refunds.refund_order(account_id(), number, request_, actor=actor())
    except TicketingError as error:
        return _order_page_with_error(number, error)
    amount = format_decimal(made.amount_cents / 100, "#,##0.00", locale=languages.current())
    flash(_("Refunded %(amount)s; the tickets are cancelled and back in stock.", amount=amount))
    return redirect(url_for("console.order", number=number))  # type: ignore[return-value]


@bp.post("/orders/<int:number>/cancel")
def cancel(number: int) -> Response | tuple[str, int]:
    """Cancel an unpaid (pending or expired) order: what it held goes back on sale."""
    try:
        refunds.cancel_unpaid_order(account_id(), number, actor=actor())
    except TicketingError as error:
        return _order_page_with_error(number, error)
    flash(_("The order is cancelled; the tickets it held are back on sale."))
    return redirect(url_for("console.order", number=number))  # type: ignore[return-value]


def _order_page_with_error(number: int, error: TicketingError) -> tuple[str, int]:
    detail = order_queries.get_order(account_id(), number)
    left = queries.units_left_of_types(
        [line.ticket_type_id for line in detail.lines if line.ticket_type_id]
    )
    message = translated(error.message)
    page = render_template(
        "console/order.html", detail=detail, left=left, error=message, answers=_answers(detail)
    )
    return page, error.status


def _answers(detail: order_queries.OrderDetail) -> dict[int, list[ticket_answers.ShownAnswer]]:
    """Each ticket's answers, the questions in the page's language (the detail has English)."""
    lang = languages.current()
    if lang == "en" or not detail.answers:
        return detail.answers
    return ticket_answers.shown_for_tickets([t.id for t in detail.tickets], lang=lang)


def _refund_request() -> refunds.RefundRequest:
    reason = clean_text(request.form.get("reason", "").strip()[:500], "reason")
    seen = request.form.get("refunds_seen", "")
    # The form carries how many refunds the order had when it was shown: sent twice, the
    # second one finds one more and refunds nothing.
    expected = int(seen) if seen.isascii() and seen.isdigit() and len(seen) < 9 else None
    if expected is None:
        raise InvalidInput("The form is incomplete; reload the order and try again")
    if request.form.get("whole") == "yes":
        return refunds.RefundRequest(reason=reason, expected_refunds=expected)
    lines: dict[int, int] = {}
    for name, value in request.form.items():
        if not name.startswith("line-") or not value.strip():
            continue
        try:
            line_number, units = int(name[5:]), int(value)
        except ValueError:
            raise InvalidInput(
                _("%(value)s is not a number of tickets", value=repr(value))
            ) from None
        if units < 0:
            raise InvalidInput("A number of tickets to refund cannot be negative")
        if units:
            lines[line_number] = units
    if not lines:
        raise InvalidInput("Choose the tickets to refund, or refund the whole order")
    return refunds.RefundRequest(reason=reason, line_numbers=lines, expected_refunds=expected)
