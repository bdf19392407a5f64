"""``tp-bridge webhook ...``: outgoing webhook endpoints and their delivery log."""

from __future__ import annotations

import click

from config.cli_common import command_line_actor, database_session, echo_json
from config.settings import Settings
from config.shops import secret_box
from tp_api.services.admin_render import delivery_out, webhook_out
from tp_api.services.credentials import partner_keys
from tp_api.services.webhooks import (
    webhook_delivery,
    webhook_endpoints,
    webhook_events,
    webhook_log,
)
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy


@click.group()
def webhook() -> None:
    """Outgoing webhook endpoints (the admin API's /api/v1/webhooks)."""


def _policy(settings: Settings) -> EndpointPolicy:
    return EndpointPolicy(allow_private=settings.webhook_allow_private)


@webhook.command("create")
@click.option("--account", "account_name", required=True)
@click.option("--url", required=True)
@click.option(
    "--event",
    "event_types",
    required=True,
    multiple=True,
    type=click.Choice(webhook_events.EVENT_TYPES),
    help="An event type to send (repeatable).",
)
@click.option("--description", default="")
@click.pass_obj
def webhook_create(
    settings: Settings, account_name: str, url: str, event_types: tuple[str, ...], description: str
) -> None:
    """Register an endpoint; its signing secret is printed once. A ping is queued to it."""
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        created = webhook_endpoints.create_endpoint(
            owner.id,
            secret_box(settings),
            _policy(settings),
            url=url,
            event_types=list(event_types),
            description=description,
            actor=command_line_actor(),
        )
        out = webhook_out(created.endpoint).model_dump(mode="json", by_alias=True)
    echo_json({**out, "secret": created.secret})


@webhook.command("list")
@click.option("--account", "account_name", required=True)
@click.pass_obj
def webhook_list(settings: Settings, account_name: str) -> None:
    """The account's endpoints (never their secrets)."""
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        rows = webhook_endpoints.list_endpoints(owner.id)
        echo_json([webhook_out(e).model_dump(mode="json", by_alias=True) for e in rows])


@webhook.command("delete")
@click.option("--account", "account_name", required=True)
@click.argument("endpoint_id", type=int)
@click.pass_obj
def webhook_delete(settings: Settings, account_name: str, endpoint_id: int) -> None:
    """Remove an endpoint and its delivery log."""
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        webhook_endpoints.delete_endpoint(owner.id, endpoint_id, actor=command_line_actor())
    echo_json({"deleted": endpoint_id})


@webhook.command("ping")
@click.option("--account", "account_name", required=True)
@click.argument("endpoint_id", type=int)
@click.pass_obj
def webhook_ping(settings: Settings, account_name: str, endpoint_id: int) -> None:
    """Queue a webhook.ping to the endpoint."""
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        delivery_id = webhook_endpoints.ping(owner.id, endpoint_id)
    echo_json({"delivery_id": delivery_id})


@webhook.command("rotate-secret")
@click.option("--account", "account_name", required=True)
@click.option("--grace-hours", default=24, show_default=True, type=click.IntRange(0, 168))
@click.argument("endpoint_id", type=int)
@click.pass_obj
def webhook_rotate(
    settings: Settings, account_name: str, grace_hours: int, endpoint_id: int
) -> None:
    """A new signing secret (printed once); the old one signs beside it for the grace time."""
    from datetime import timedelta

    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        rotated = webhook_endpoints.rotate_secret(
            owner.id,
            endpoint_id,
            secret_box(settings),
            grace=timedelta(hours=grace_hours),
            actor=command_line_actor(),
        )
    echo_json(
        {
            "endpoint_id": endpoint_id,
            "secret": rotated.secret,
            "previous_secret_expires_at": rotated.endpoint.previous_secret_expires_at,
        }
    )


@webhook.command("deliveries")
@click.option("--account", "account_name", required=True)
@click.option("--status", type=click.Choice(["pending", "succeeded", "failed"]))
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100))
@click.argument("endpoint_id", type=int)
@click.pass_obj
def webhook_deliveries(
    settings: Settings, account_name: str, status: str | None, limit: int, endpoint_id: int
) -> None:
    """The endpoint's latest deliveries with every attempt."""
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        page = webhook_log.list_deliveries(
            owner.id, endpoint_id, status=status, limit=limit, cursor=None
        )
        echo_json([delivery_out(d).model_dump(mode="json", by_alias=True) for d in page.items])


@webhook.command("resend")
@click.option("--account", "account_name", required=True)
@click.argument("delivery_id", type=int)
@click.pass_obj
def webhook_resend(settings: Settings, account_name: str, delivery_id: int) -> None:
    """Send a finished delivery again (same event id)."""
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        delivery = webhook_delivery.resend(owner.id, delivery_id)
    echo_json({"delivery_id": delivery.number, "status": delivery.status})
