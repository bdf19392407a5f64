"""Webhook endpoints managed from the console: add one (its signing secret shown once), send
a test ping, switch it off and on, rotate its secret, delete it.

Through the admin API's services (webhooks.webhook_endpoints), with the installation's
destination policy: an endpoint must reach a public address unless the operator allows
private ones.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Response, flash, redirect, request, url_for

from tp_api.services.errors import TicketingError
from tp_api.services.webhooks import webhook_endpoints
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy
from tp_api.web.console import account_id, actor, bp
from tp_api.web.console.webhooks import endpoint_page, webhooks_page
from tp_api.web.languages import _, translated
from tp_api.web.parts import parts

ROTATION_GRACE_HOURS = 24


def _policy() -> EndpointPolicy:
    return EndpointPolicy(allow_private=parts().webhook_allow_private)


@bp.post("/webhooks")
def webhook_create() -> str | tuple[str, int]:
    """A new endpoint for the ticked event types; its secret is on the answer only."""
    url = request.form.get("url", "").strip()
    description = request.form.get("description", "").strip()[:200]
    types = request.form.getlist("event_types")
    try:
        made = webhook_endpoints.create_endpoint(
            account_id(),
            parts().secret_box,
            _policy(),
            url=url,
            event_types=types,
            description=description,
            actor=actor(),
        )
    except TicketingError as error:
        field = "event_types" if "event_type" in (error.code or "") else "url"
        typed = {"url": url, "description": description, "event_types": types}
        page = webhooks_page(errors={field: translated(error.message)}, typed=typed)
        return page, error.status
    issued = {"url": made.endpoint.url, "secret": made.secret}
    return webhooks_page(issued=issued)


@bp.post("/webhooks/<int:endpoint_id>/ping")
def webhook_ping(endpoint_id: int) -> Response:
    """Queue a ``webhook.ping`` to the endpoint."""
    try:
        number = webhook_endpoints.ping(account_id(), endpoint_id)
    except TicketingError as error:
        if error.code == "webhook_not_found":
            raise
        flash(translated(error.message), "problem")
    else:
        flash(
            _(
                "Test ping queued (delivery %(number)s); it shows below once it is sent.",
                number=number,
            )
        )
    return _to_endpoint(endpoint_id)


@bp.post("/webhooks/<int:endpoint_id>/enabled")
def webhook_enabled(endpoint_id: int) -> Response:
    """Switch the endpoint on (its failure count starts again) or off."""
    on = request.form.get("enabled") == "on"
    webhook_endpoints.update_endpoint(
        account_id(), endpoint_id, _policy(), enabled=on, actor=actor()
    )
    flash(_("The endpoint is switched on.") if on else _("The endpoint is switched off."))
    return _to_endpoint(endpoint_id)


@bp.post("/webhooks/<int:endpoint_id>/rotate")
def webhook_rotate(endpoint_id: int) -> str:
    """A new signing secret, shown once; the old one keeps signing beside it for a day."""
    rotated = webhook_endpoints.rotate_secret(
        account_id(),
        endpoint_id,
        parts().secret_box,
        grace=timedelta(hours=ROTATION_GRACE_HOURS),
        actor=actor(),
    )
    return endpoint_page(endpoint_id, issued={"secret": rotated.secret, "rotated": True})


@bp.post("/webhooks/<int:endpoint_id>/delete")
def webhook_delete(endpoint_id: int) -> Response:
    """Remove the endpoint and its delivery log."""
    webhook_endpoints.delete_endpoint(account_id(), endpoint_id, actor=actor())
    flash(_("The endpoint is deleted; nothing more is sent to it."))
    return redirect(url_for("console.webhooks"))  # type: ignore[return-value]


def _to_endpoint(endpoint_id: int) -> Response:
    return redirect(url_for("console.webhook", endpoint_id=endpoint_id))  # type: ignore[return-value]
