"""The audit trail in the console: who changed what and when, filtered, and as CSV."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.numbers import format_decimal
from flask import Response, render_template, request, stream_with_context

from tp_api.services import audit_trail
from tp_api.services.audit_trail import AuditFilter
from tp_api.web import languages
from tp_api.web.console import MAX_ID, account_id, bp
from tp_api.web.languages import N_, _, translated

# The filter's choices: an action group, and what people call it.
ACTION_GROUPS = (
    ("", N_("Every change")),
    ("event", N_("Events")),
    ("ticket_type", N_("Ticket types")),
    ("order", N_("Orders")),
    ("ticket", N_("Tickets")),
    ("partner_key", N_("Partner keys")),
    ("api_key", N_("API keys")),
    ("oauth_client", N_("OAuth clients")),
    ("sandbox", N_("Test mode")),
    ("scanner", N_("Scanners")),
    ("webhook", N_("Webhooks")),
    ("affiliate", N_("Affiliates")),
    ("shop", N_("Shops")),
    ("staff", N_("Staff")),
    ("question", N_("Questions")),
    ("fraud", N_("Fraud review")),
)
# A subject type in words, for "Only the history of ...".
SUBJECT_NAMES = {
    "event": N_("event"),
    "ticket_type": N_("ticket type"),
    "order": N_("order"),
    "ticket": N_("ticket"),
    "partner_key": N_("partner key"),
    "api_key": N_("api key"),
    "oauth_client": N_("OAuth client"),
    "account": N_("test account"),
    "scanner": N_("scanner"),
    "webhook": N_("webhook"),
    "affiliate": N_("affiliate"),
    "shop": N_("shop"),
    "staff": N_("staff user"),
    "question": N_("question"),
}
SUBJECT_TYPES = set(SUBJECT_NAMES)
# The actions the services record, in words; one not listed here is shown from its name
# (``scanner.pairing_issued`` -> "Scanner pairing issued"), in English.
ACTION_NAMES = {
    "event.created": N_("Event created"),
    "event.updated": N_("Event updated"),
    "event.deleted": N_("Event deleted"),
    "event.duplicated": N_("Event duplicated"),
    "event.published": N_("Event published"),
    "event.completed": N_("Event completed"),
    "event.archived": N_("Event archived"),
    "event.cancelled": N_("Event cancelled"),
    "event.date_added": N_("Date added"),
    "event.date_updated": N_("Date updated"),
    "event.date_removed": N_("Date removed"),
    "event.queue_changed": N_("Waiting room changed"),
    "ticket_type.created": N_("Ticket type created"),
    "ticket_type.updated": N_("Ticket type updated"),
    "ticket_type.removed": N_("Ticket type removed"),
    "order.refunded": N_("Order refunded"),
    "order.cancelled": N_("Order cancelled"),
    "ticket.transferred": N_("Ticket transferred"),
    "partner_key.created": N_("Partner key created"),
    "partner_key.revoked": N_("Partner key revoked"),
    "api_key.created": N_("API key created"),
    "api_key.revoked": N_("API key revoked"),
    "api_key.updated": N_("API key's addresses changed"),
    "api_key.address_refused": N_("API key refused from an address not on its list"),
    "partner_key.updated": N_("Partner key's addresses changed"),
    "partner_key.address_refused": N_("Partner key refused from an address not on its list"),
    "oauth_client.created": N_("OAuth client created"),
    "oauth_client.secret_rotated": N_("OAuth client secret rotated"),
    "oauth_client.updated": N_("OAuth client's addresses changed"),
    "oauth_client.revoked": N_("OAuth client revoked"),
    "oauth_client.address_refused": N_("OAuth client refused from an address not on its list"),
    "sandbox.created": N_("Test account made"),
    "sandbox.wiped": N_("Test data wiped"),
    "scanner.created": N_("Scanner created"),
    "scanner.revoked": N_("Scanner revoked"),
    "scanner.pairing_issued": N_("Scanner pairing code issued"),
    "scanner.paired": N_("Scanner paired"),
    "scanner.gate_changed": N_("Scanner's gate changed"),
    "webhook.created": N_("Webhook created"),
    "webhook.updated": N_("Webhook updated"),
    "webhook.deleted": N_("Webhook deleted"),
    "webhook.secret_rotated": N_("Webhook secret rotated"),
    "affiliate.created": N_("Affiliate added"),
    "affiliate.updated": N_("Affiliate changed"),
    "affiliate.link_created": N_("Affiliate link made"),
    "affiliate.link_changed": N_("Affiliate link changed"),
    "shop.connected": N_("Shop connected"),
    "shop.removed": N_("Shop removed"),
    "shop.paused": N_("Shop paused"),
    "shop.resumed": N_("Shop resumed"),
    "shop.product_mapped": N_("Shop product mapped"),
    "shop.product_unmapped": N_("Shop product unmapped"),
    "shop.partner_key_set": N_("Shop's partner key set"),
    "shop.webhooks_restored": N_("Shop's webhooks registered or switched on again"),
    "staff.invited": N_("Staff user invited"),
    "staff.added": N_("Staff user added"),
    "staff.password_set": N_("Staff password changed"),
    "staff.password_set_by_link": N_("Password set through an e-mailed link"),
    "staff.role_changed": N_("Staff role changed"),
    "staff.disabled": N_("Staff user disabled"),
    "staff.enabled": N_("Staff user enabled"),
    "staff.two_factor_on": N_("Two-factor sign-in switched on"),
    "staff.two_factor_off": N_("Two-factor sign-in switched off"),
    "question.created": N_("Question added"),
    "question.updated": N_("Question changed"),
    "question.archived": N_("Question archived (it had answers)"),
    "question.deleted": N_("Question removed"),
    "fraud.approved": N_("Order approved in fraud review"),
    "fraud.rejected": N_("Order rejected in fraud review"),
    "fraud.settings_updated": N_("Fraud settings changed"),
}


@bp.get("/audit")
def audit() -> str:
    """The account's changes, newest first, 50 to a page."""
    filters, problems = _filters()
    before = request.args.get("before", type=int)
    before = before if before is not None and 0 < before <= MAX_ID else None
    page = audit_trail.entries(account_id(), filters, before_id=before)
    return render_template(
        "console/audit.html",
        page=page,
        filters=filters,
        problems=problems,
        groups=[(key, translated(name)) for key, name in ACTION_GROUPS],
        subject_name=translated(SUBJECT_NAMES.get(filters.subject_type, "")),
        changes_of=audit_trail.changes_of,
        query=_query(filters),
    )


@bp.get("/audit.csv")
def audit_csv() -> Response:
    """The filtered changes as a CSV file (every page)."""
    filters, _problems = _filters()
    return Response(
        stream_with_context(audit_trail.export_csv(account_id(), filters)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-trail.csv"'},
    )


@bp.app_template_filter("audit_value")
def audit_value(value: Any, field: str) -> str:
    """A before or after value as a person reads it (prices are stored in cents)."""
    if value is None or value == "":
        return "—"
    if field in ("price", "refunded") and isinstance(value, int):
        return str(format_decimal(value / 100, "#,##0.00", locale=languages.current()))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


@bp.app_template_filter("audit_action")
def audit_action(action: str) -> str:
    """An entry's action in words: ``event.published`` -> "Event published"."""
    if action in ACTION_NAMES:
        return translated(ACTION_NAMES[action])
    return action.replace("_", " ").replace(".", " ").capitalize()


def _filters() -> tuple[AuditFilter, dict[str, str]]:
    args = request.args
    problems: dict[str, str] = {}
    groups = {key for key, _name in ACTION_GROUPS}
    action = args.get("action", "")
    subject_type = args.get("subject_type", "")
    subject_id = args.get("subject_id", type=int)
    filters = AuditFilter(
        action=action if action in groups else "",
        actor=args.get("actor", "").strip()[:100],
        subject_type=subject_type if subject_type in SUBJECT_TYPES else "",
        subject_id=subject_id if subject_id is not None and 0 < subject_id <= MAX_ID else None,
        day_from=_day(args.get("from", ""), "from", problems),
        day_to=_day(args.get("to", ""), "to", problems),
    )
    return filters, problems


def _day(typed: str, name: str, problems: dict[str, str]) -> date | None:
    if not typed:
        return None
    try:
        return date.fromisoformat(typed)
    except ValueError:
        problems[name] = _("Enter a date such as 2026-12-31.")
        return None


def _query(filters: AuditFilter) -> dict[str, str]:
    """The filters as query parameters, for the next page and the CSV link."""
    values = {
        "action": filters.action,
        "actor": filters.actor,
        "subject_type": filters.subject_type,
        "subject_id": "" if filters.subject_id is None else str(filters.subject_id),
        "from": filters.day_from.isoformat() if filters.day_from else "",
        "to": filters.day_to.isoformat() if filters.day_to else "",
    }
    return {k: v for k, v in values.items() if v}
