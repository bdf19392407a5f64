"""Events with their sales per ticket type, and one event's sales over time."""

from __future__ import annotations

from flask import render_template, request

from tp_api.models.events import EventLifecycle
from tp_api.services.events.event_catalogue import effective_status, event_node
from tp_api.web import languages
from tp_api.web.console import account_id, bp, queries
from tp_api.web.console.charts import month_names, sales_chart
from tp_api.web.languages import N_, translated

CHART_DAYS = (7, 30, 90)
# An event's state as its badge says it (the English words are the stored values).
_EVENT_STATUS = {
    EventLifecycle.DRAFT: N_("draft"),
    EventLifecycle.PUBLISHED: N_("published"),
    EventLifecycle.SOLD_OUT: N_("sold_out"),
    EventLifecycle.COMPLETED: N_("completed"),
    EventLifecycle.ARCHIVED: N_("archived"),
    EventLifecycle.CANCELLED: N_("cancelled"),
}


@bp.get("/events")
def events() -> str:
    """Every event with sold, left and money taken per ticket type."""
    offset = request.args.get("offset", type=int) or 0
    page = queries.events_with_sales(account_id(), offset=min(max(offset, 0), 10**9))
    return render_template("console/events.html", events=page.events, next_offset=page.next_offset)


@bp.get("/events/<int:event_id>")
def event(event_id: int) -> str:
    """One event: its ticket types and a chart of tickets sold per day."""
    sales = queries.event_with_sales(account_id(), event_id)
    days = request.args.get("days", type=int) or 30
    days = days if days in CHART_DAYS else 30
    per_day = queries.sales_per_day(account_id(), sales.event.id, days=days)
    return render_template(
        "console/event.html",
        sales=sales,
        status=effective_status(event_node(sales.event)),
        per_day=per_day,
        chart=sales_chart(per_day, months=month_names(languages.current())),
        days=days,
        day_choices=CHART_DAYS,
    )


@bp.app_template_filter("event_status")
def event_status(status: str) -> str:
    """An event's state (``draft``, ``sold_out``...) in the page's language."""
    return translated(_EVENT_STATUS[status]) if status in _EVENT_STATUS else status
