"""Affiliates in the console: every affiliate with its clicks, orders, revenue and
commission, the form to add one, and each affiliate's tracking links with their figures.

Through the same services as the admin API (services.affiliates); a refusal comes back with
what was typed and the problem beside its field.
"""

from __future__ import annotations

from typing import cast

from babel.numbers import format_decimal
from flask import Response, flash, redirect, render_template, request, url_for

from tp_api.services.affiliates import codes, earnings, registry, reports
from tp_api.services.errors import TicketingError
from tp_api.web import languages
from tp_api.web.console import MAX_ID, account_id, actor, bp
from tp_api.web.languages import _, translated
from tp_api.web.parts import parts

_FIELDS = ("name", "email", "rate", "code")
# Which field a refusal of the service belongs beside.
_FIELD_OF_CODE = {
    "affiliate_name_invalid": "name",
    "affiliate_email_invalid": "email",
    "affiliate_rate_invalid": "rate",
    "affiliate_code_invalid": "code",
    "affiliate_code_taken": "code",
}


@bp.app_template_filter("affiliate_rate")
def affiliate_rate(percent: float) -> str:
    """A commission rate as the page's language writes it: ``12.5%``, in Dutch ``12,5%``."""
    return f"{format_decimal(percent, '#,##0.##', locale=languages.current())}%"


@bp.get("/affiliates")
def affiliates() -> str:
    """The account's affiliates with their figures, and the form for a new one."""
    return _list_page({name: "" for name in _FIELDS}, {})


@bp.post("/affiliates")
def affiliate_create() -> str | tuple[str, int] | Response:
    """Register an affiliate from the form; its page next."""
    typed = {name: request.form.get(name, "").strip() for name in _FIELDS}
    errors: dict[str, str] = {}
    if not typed["name"]:
        errors["name"] = _("Enter the affiliate's name.")
    try:
        rate = codes.rate_bps(typed["rate"] or "x")
    except TicketingError:
        errors["rate"] = _("Enter a percentage from 0 to 100, such as 10 or 12.5.")
    if errors:
        return _list_page(typed, errors), 422
    draft = registry.AffiliateDraft(typed["name"], rate, typed["email"], typed["code"])
    try:
        made = registry.create_affiliate(account_id(), draft, actor=actor())
    except TicketingError as error:
        errors[_FIELD_OF_CODE.get(error.code, "_form")] = translated(error.message)
        return _list_page(typed, errors), error.status
    flash(_("Affiliate %(name)s added, with the code %(code)s.", name=made.name, code=made.code))
    return cast(Response, redirect(url_for("console.affiliate", affiliate_id=made.id)))


@bp.get("/affiliates/<int:affiliate_id>")
def affiliate(affiliate_id: int) -> str:
    """One affiliate's figures and tracking links (one per published event at least)."""
    found = registry.get_affiliate(account_id(), affiliate_id)
    return render_template(
        "console/affiliate.html",
        affiliate=reports.affiliates_out(account_id(), [found])[0],
        links=reports.links_out(found, parts().public_url),
    )


def _list_page(typed: dict[str, str], errors: dict[str, str]) -> str:
    after = request.args.get("after", type=int)
    after = after if after is not None and 0 < after <= MAX_ID else None
    page = registry.list_affiliates(account_id(), after_id=after)
    return render_template(
        "console/affiliates.html",
        affiliates=reports.affiliates_out(account_id(), page.affiliates),
        next_after_id=page.next_after_id,
        unattributed=earnings.unattributed_orders(account_id()),
        typed=typed,
        errors=errors,
    )
