"""Outgoing webhook endpoints and their delivery log: ``/api/v1/webhooks``."""

from __future__ import annotations

from datetime import timedelta

from flask import g

from tp_api.schemas.base import SecretRotation
from tp_api.schemas.webhooks import (
    DeliveryList,
    DeliveryListQuery,
    DeliveryOut,
    Queued,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookOut,
    WebhookSecret,
    WebhookUpdate,
)
from tp_api.services.admin_render import delivery_out, webhook_out
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.webhooks import webhook_delivery, webhook_endpoints, webhook_log
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy
from tp_api.web.admin import bp, issued_secret
from tp_api.web.api_routes import operation
from tp_api.web.parts import parts

HOOKS = ("webhooks:write",)
_ONE = "/webhooks/<int:endpoint_id>"


def _box() -> SecretBox:
    return parts().secret_box


def _policy() -> EndpointPolicy:
    return EndpointPolicy(allow_private=parts().webhook_allow_private)


@operation(
    bp,
    "/webhooks",
    "GET",
    summary="List webhook endpoints",
    tag="Webhooks",
    scopes=HOOKS,
    response=WebhookList,
)
def list_webhooks() -> WebhookList:
    """The account's endpoints (never their secrets)."""
    endpoints = webhook_endpoints.list_endpoints(g.caller.account_id)
    return WebhookList(items=[webhook_out(e) for e in endpoints])


@operation(
    bp,
    "/webhooks",
    "POST",
    summary="Create a webhook endpoint",
    tag="Webhooks",
    scopes=HOOKS,
    body=WebhookCreate,
    response=WebhookCreated,
    status=201,
    errors=(400,),
)
def create_webhook(body: WebhookCreate) -> WebhookCreated:
    """The signing secret is in this response only; a ``webhook.ping`` is queued to it."""
    created = webhook_endpoints.create_endpoint(
        g.caller.account_id,
        _box(),
        _policy(),
        url=body.url,
        event_types=list(body.event_types),
        description=body.description,
        actor=g.caller.actor,
    )
    issued_secret(f"webhook endpoint {created.endpoint.id}")
    return WebhookCreated(**webhook_out(created.endpoint).model_dump(), secret=created.secret)


@operation(
    bp,
    _ONE,
    "GET",
    summary="Get a webhook endpoint",
    tag="Webhooks",
    scopes=HOOKS,
    response=WebhookOut,
    errors=(404,),
)
def get_webhook(endpoint_id: int) -> WebhookOut:
    """One endpoint, with why it was disabled if it was."""
    return webhook_out(webhook_endpoints.get_endpoint(g.caller.account_id, endpoint_id))


@operation(
    bp,
    _ONE,
    "PATCH",
    summary="Update a webhook endpoint",
    tag="Webhooks",
    scopes=HOOKS,
    body=WebhookUpdate,
    response=WebhookOut,
    errors=(400, 404),
)
def update_webhook(endpoint_id: int, body: WebhookUpdate) -> WebhookOut:
    """Change the URL, event types or description; ``enabled: true`` switches it back on."""
    endpoint = webhook_endpoints.update_endpoint(
        g.caller.account_id,
        endpoint_id,
        _policy(),
        url=body.url,
        event_types=list(body.event_types) if body.event_types is not None else None,
        description=body.description,
        enabled=body.enabled,
        actor=g.caller.actor,
    )
    return webhook_out(endpoint)


@operation(
    bp,
    _ONE,
    "DELETE",
    summary="Delete a webhook endpoint",
    tag="Webhooks",
    scopes=HOOKS,
    status=204,
    errors=(404,),
)
def delete_webhook(endpoint_id: int) -> None:
    """Nothing more is sent to it; its delivery log goes with it."""
    webhook_endpoints.delete_endpoint(g.caller.account_id, endpoint_id, actor=g.caller.actor)


@operation(
    bp,
    _ONE + "/ping",
    "POST",
    summary="Send a webhook.ping",
    tag="Webhooks",
    scopes=HOOKS,
    response=Queued,
    status=202,
    errors=(404,),
)
def ping_webhook(endpoint_id: int) -> Queued:
    """Queue a ``webhook.ping`` to check the receiver."""
    return Queued(delivery_id=webhook_endpoints.ping(g.caller.account_id, endpoint_id))


@operation(
    bp,
    _ONE + "/rotate-secret",
    "POST",
    summary="Rotate the signing secret",
    tag="Webhooks",
    scopes=HOOKS,
    body=SecretRotation,
    response=WebhookSecret,
    errors=(400, 404),
)
def rotate_webhook_secret(endpoint_id: int, body: SecretRotation) -> WebhookSecret:
    """A new secret; the old one also signs (a second signature) for ``graceHours``."""
    rotated = webhook_endpoints.rotate_secret(
        g.caller.account_id,
        endpoint_id,
        _box(),
        grace=timedelta(hours=body.grace_hours),
        actor=g.caller.actor,
    )
    issued_secret(f"a new secret for webhook endpoint {endpoint_id}")
    return WebhookSecret(
        secret=rotated.secret,
        previous_secret_expires_at=rotated.endpoint.previous_secret_expires_at,
    )


@operation(
    bp,
    _ONE + "/deliveries",
    "GET",
    summary="The delivery log",
    tag="Webhooks",
    scopes=HOOKS,
    query=DeliveryListQuery,
    response=DeliveryList,
    errors=(400, 404),
)
def list_webhook_deliveries(endpoint_id: int, query: DeliveryListQuery) -> DeliveryList:
    """Deliveries newest first, each with every attempt (status, duration, excerpt)."""
    page = webhook_log.list_deliveries(
        g.caller.account_id,
        endpoint_id,
        status=query.status,
        limit=query.limit,
        cursor=query.cursor,
    )
    return DeliveryList(items=[delivery_out(d) for d in page.items], next_cursor=page.next_cursor)


@operation(
    bp,
    "/webhooks/deliveries/<int:delivery_id>/resend",
    "POST",
    summary="Re-send a delivery",
    tag="Webhooks",
    scopes=HOOKS,
    response=DeliveryOut,
    status=202,
    errors=(404, 409),
)
def resend_webhook_delivery(delivery_id: int) -> DeliveryOut:
    """Send a finished (failed or succeeded) delivery again, with the same event id."""
    webhook_delivery.resend(g.caller.account_id, delivery_id)
    return delivery_out(webhook_log.get_delivery(g.caller.account_id, delivery_id))
