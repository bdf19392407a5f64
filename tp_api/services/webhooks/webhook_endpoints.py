"""The seller's webhook endpoints: create (secret shown once), change, rotate, remove."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tp_api.db import utcnow, write_transaction
from tp_api.models import WebhookEndpoint
from tp_api.services import audit_trail
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.audit_trail import created
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.errors import Conflict, InvalidInput, NotFound, Said
from tp_api.services.webhooks import webhook_events
from tp_api.services.webhooks.signing import new_secret
from tp_api.services.webhooks.url_guard import Resolver, check_destination, resolve

MAX_ENDPOINTS = 20
ROTATION_GRACE = timedelta(hours=24)


@dataclass(frozen=True)
class NewSecret:
    endpoint: WebhookEndpoint
    secret: str


@dataclass(frozen=True)
class EndpointPolicy:
    """Where endpoints may point (the installation's setting) and how names resolve."""

    allow_private: bool = False
    resolver: Resolver = resolve


def parse_event_types(types: list[str]) -> list[str]:
    """Known event types, de-duplicated in catalogue order."""
    unknown = [t for t in types if t not in webhook_events.EVENT_TYPES]
    if unknown:
        raise InvalidInput(
            Said(
                "Unknown event type {event_type!r}; known: {known}",
                event_type=unknown[0],
                known=", ".join(webhook_events.EVENT_TYPES),
            ),
            code="unknown_event_type",
        )
    if not types:
        raise InvalidInput("An endpoint needs at least one event type", code="event_types_missing")
    return [t for t in webhook_events.EVENT_TYPES if t in types]


def create_endpoint(
    account_id: int,
    box: SecretBox,
    policy: EndpointPolicy,
    *,
    url: str,
    event_types: list[str],
    description: str = "",
    actor: Actor = SYSTEM,
) -> NewSecret:
    """Register an endpoint (its URL must reach a public address) and queue a ping to it."""
    actor.require("webhooks:write")
    types = parse_event_types(event_types)  # first: it needs no name lookup
    check_destination(url, allow_private=policy.allow_private, resolver=policy.resolver)
    secret = new_secret()
    with write_transaction():
        count = WebhookEndpoint.select().where(WebhookEndpoint.account == account_id).count()
        if count >= MAX_ENDPOINTS:
            raise InvalidInput(
                Said("At most {limit} webhook endpoints per account", limit=MAX_ENDPOINTS),
                code="too_many_endpoints",
            )
        endpoint = WebhookEndpoint.create(
            account=account_id,
            url=url,
            description=description,
            event_types=" ".join(types),
            secret_sealed=box.seal(secret),
        )
        webhook_events.forget_subscriptions(account_id)
        webhook_events.emit_ping(account_id, endpoint)
        values = created(_values(endpoint))
        audit_trail.record(account_id, actor, "webhook.created", _subject(endpoint), values)
    return NewSecret(endpoint, secret)


def _values(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "url": endpoint.url,
        "event_types": endpoint.event_types,
        "description": endpoint.description,
        "enabled": endpoint.enabled,
    }


def _subject(endpoint: WebhookEndpoint) -> tuple[str, int, str]:
    return ("webhook", endpoint.id, endpoint.url)


def list_endpoints(account_id: int) -> list[WebhookEndpoint]:
    return list(
        WebhookEndpoint.select()
        .where(WebhookEndpoint.account == account_id)
        .order_by(WebhookEndpoint.id)
    )


def get_endpoint(account_id: int, endpoint_id: int) -> WebhookEndpoint:
    """The account's endpoint, or NotFound (another account's is not found)."""
    endpoint = WebhookEndpoint.get_or_none(
        (WebhookEndpoint.id == endpoint_id) & (WebhookEndpoint.account == account_id)
    )
    if endpoint is None:
        raise NotFound("Webhook endpoint not found", code="webhook_not_found")
    return endpoint


def update_endpoint(
    account_id: int,
    endpoint_id: int,
    policy: EndpointPolicy,
    *,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
    actor: Actor = SYSTEM,
) -> WebhookEndpoint:
    """Change an endpoint; enabling it again clears its failure count and notice."""
    actor.require("webhooks:write")
    if url is not None:
        check_destination(url, allow_private=policy.allow_private, resolver=policy.resolver)
    with write_transaction():
        endpoint = get_endpoint(account_id, endpoint_id)
        before = _values(endpoint)
        if url is not None:
            endpoint.url = url
        if event_types is not None:
            endpoint.event_types = " ".join(parse_event_types(event_types))
        if description is not None:
            endpoint.description = description
        if enabled is not None:
            endpoint.enabled = enabled
            if enabled:
                endpoint.failed_deliveries_in_a_row = 0
                endpoint.disabled_reason = None
        endpoint.updated_at = utcnow()
        endpoint.save()
        webhook_events.forget_subscriptions(account_id)
        diff = audit_trail.changed(before, _values(endpoint))
        if diff:
            audit_trail.record(account_id, actor, "webhook.updated", _subject(endpoint), diff)
    return endpoint


def delete_endpoint(account_id: int, endpoint_id: int, *, actor: Actor = SYSTEM) -> None:
    """Remove the endpoint with its delivery log; nothing more is sent to it."""
    actor.require("webhooks:write")
    with write_transaction():
        endpoint = get_endpoint(account_id, endpoint_id)
        gone = {name: [value, None] for name, value in _values(endpoint).items()}
        audit_trail.record(account_id, actor, "webhook.deleted", _subject(endpoint), gone)
        endpoint.delete_instance(recursive=True)
        webhook_events.forget_subscriptions(account_id)


def rotate_secret(
    account_id: int,
    endpoint_id: int,
    box: SecretBox,
    *,
    grace: timedelta = ROTATION_GRACE,
    actor: Actor = SYSTEM,
) -> NewSecret:
    """A new signing secret; the old one keeps signing beside it for ``grace``."""
    actor.require("webhooks:write")
    secret = new_secret()
    with write_transaction():
        endpoint = get_endpoint(account_id, endpoint_id)
        now = utcnow()
        endpoint.previous_secret_sealed = endpoint.secret_sealed
        endpoint.previous_secret_expires_at = now + grace
        endpoint.secret_sealed = box.seal(secret)
        endpoint.updated_at = now
        endpoint.save()
        # The secrets themselves are never written to the trail.
        audit_trail.record(account_id, actor, "webhook.secret_rotated", _subject(endpoint))
    return NewSecret(endpoint, secret)


def ping(account_id: int, endpoint_id: int) -> int:
    """Queue a ``webhook.ping`` to the endpoint; returns the delivery's public number."""
    with write_transaction():
        endpoint = get_endpoint(account_id, endpoint_id)
        if not endpoint.enabled:
            raise Conflict("The endpoint is disabled; enable it first", code="webhook_disabled")
        return webhook_events.emit_ping(account_id, endpoint)
