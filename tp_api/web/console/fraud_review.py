"""Fraud review: the queue of flagged and held orders, and Approve / Reject.

The order's own page shows its report (templates/console/fraud_report.html, included by
order.html) from the order's row, at no extra query.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for

from tp_api.models import Order
from tp_api.services.errors import TicketingError
from tp_api.services.fraud import review
from tp_api.services.fraud.reports import signal_names
from tp_api.web.console import MAX_ID, account_id, actor, bp
from tp_api.web.languages import N_, _, translated

# What each signal means, for a person deciding.
SIGNAL_WORDS = {
    "velocity_breach": N_("Many orders from one IP address in a few minutes"),
    "first_time_bulk": N_("Many tickets for a first-time buyer"),
    "email_velocity": N_("Many orders from one e-mail address in a few minutes"),
    "disposable_email": N_("A throwaway e-mail address"),
    "unusual_country": N_("A billing country this account rarely sells to"),
    "refused_attempts": N_("Refused order attempts from the same IP or e-mail address"),
}
LEVEL_WORDS = {"low": N_("low risk"), "medium": N_("medium risk"), "high": N_("high risk")}


@bp.app_template_filter("fraud_signals")
def fraud_signals(order: Order) -> list[str]:
    """The order's signals in words, in the page's language."""
    return [translated(SIGNAL_WORDS.get(name, name)) for name in signal_names(order)]


@bp.app_template_filter("fraud_level")
def fraud_level(level: str) -> str:
    """A risk level in words ("" for an order scored before fraud scoring)."""
    return translated(LEVEL_WORDS[level]) if level in LEVEL_WORDS else ""


@bp.get("/fraud")
def fraud_queue() -> str:
    """Flagged and held orders waiting for a person, newest first."""
    before = request.args.get("before", type=int)
    before = before if before is not None and 0 < before <= MAX_ID else None
    page = review.review_queue(account_id(), actor=actor(), before_id=before)
    return render_template("console/fraud_queue.html", page=page)


@bp.post("/fraud/<int:number>/approve")
def fraud_approve(number: int) -> Response:
    """Accept the order; a held one gets its tickets now."""
    try:
        order = review.approve(account_id(), number, actor=actor())
    except TicketingError as error:
        flash(translated(error.message), "problem")
    else:
        flash(_("Order %(reference)s is approved.", reference=order.reference))
    return _back(number)


@bp.post("/fraud/<int:number>/reject")
def fraud_reject(number: int) -> Response:
    """Refuse the order: it is cancelled and its tickets go back on sale."""
    try:
        outcome = review.reject(account_id(), number, actor=actor())
    except TicketingError as error:
        flash(translated(error.message), "problem")
    else:
        flash(_("The order is rejected and cancelled; its tickets are back on sale."))
        for problem in outcome.needs_attention:
            flash(problem, "problem")
    return _back(number)


def _back(number: int) -> Response:
    # Back where the button was: the queue, or the order's page.
    if request.form.get("back") == "order":
        return redirect(url_for("console.order", number=number))  # type: ignore[return-value]
    return redirect(url_for("console.fraud_queue"))  # type: ignore[return-value]
