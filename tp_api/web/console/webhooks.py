"""Webhook endpoints and each one's delivery log, with "send again"."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, flash, redirect, render_template, request, url_for

from tp_api.models import DeliveryStatus
from tp_api.services.webhooks import (
    webhook_delivery,
    webhook_endpoints,
    webhook_events,
    webhook_log,
)
from tp_api.web.console import account_id, bp
from tp_api.web.languages import _

PAGE_SIZE = 50
STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED)


@bp.get("/webhooks")
def webhooks() -> str:
    """The account's webhook endpoints, and the form for a new one."""
    return webhooks_page()


@bp.get("/webhooks/<int:endpoint_id>")
def webhook(endpoint_id: int) -> str:
    """One endpoint's deliveries, newest first, each with its attempts."""
    return endpoint_page(endpoint_id)


def endpoint_page(endpoint_id: int, *, issued: dict[str, object] | None = None) -> str:
    """One endpoint with its actions and deliveries (and a new secret, once)."""
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    endpoint = webhook_endpoints.get_endpoint(account_id(), endpoint_id)
    page = webhook_log.list_deliveries(
        account_id(),
        endpoint.id,
        status=status or None,
        limit=PAGE_SIZE,
        cursor=request.args.get("cursor") or None,
    )
    return render_template(
        "console/webhook.html",
        endpoint=endpoint,
        page=page,
        status=status,
        statuses=STATUSES,
        issued=issued,
    )


@bp.post("/webhooks/deliveries/<int:delivery_id>/resend")
def resend(delivery_id: int) -> Response:
    """Send a finished delivery again."""
    delivery = webhook_delivery.resend(account_id(), delivery_id)
    flash(_("The delivery is queued to be sent again."))
    return redirect(  # type: ignore[return-value]
        url_for("console.webhook", endpoint_id=delivery.endpoint_id)
    )


def webhooks_page(
    *,
    issued: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    typed: Mapping[str, object] | None = None,
) -> str:
    """The endpoints list with the form for a new one (and a new secret, once)."""
    return render_template(
        "console/webhooks.html",
        endpoints=webhook_endpoints.list_endpoints(account_id()),
        event_types=webhook_events.EVENT_TYPES,
        issued=issued,
        errors=errors or {},
        typed=typed or {"url": "", "description": "", "event_types": []},
    )
