"""The audit trail in the console: who changed what and when, filtered, and as CSV."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, render_template, request, stream_with_context

from tp_api.services import audit_trail
from tp_api.services.audit_trail import AuditFilter
from tp_api.web.console import MAX_ID, account_id, bp

# The filter's choices: an action group, and what people call it.
ACTION_GROUPS = (
    ("", "Every change"),
    ("event", "Events"),
    ("ticket_type", "Ticket types"),
    ("order", "Orders"),
    ("ticket", "Tickets"),
    ("partner_key", "Partner keys"),
    ("api_key", "API keys"),
    ("scanner", "Scanners"),
    ("webhook", "Webhooks"),
)
SUBJECT_TYPES = {
    "event",
    "ticket_type",
    "order",
    "ticket",
    "partner_key",
    "api_key",
    "scanner",
    "webhook",
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
        groups=ACTION_GROUPS,
        changes_of=audit_trail.changes_of,
        query=_query(filters),
    )


@bp.get("/audit.csv")
def audit_csv() -> Response:
    """The filtered changes as a CSV file (every page)."""
    filters, _ = _filters()
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
        return f"{value / 100:,.2f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _filters() -> tuple[AuditFilter, dict[str, str]]:
    args = request.args
    problems: dict[str, str] = {}
    groups = {key for key, _ in ACTION_GROUPS}
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
        problems[name] = "Enter a date such as 2026-12-31."
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
