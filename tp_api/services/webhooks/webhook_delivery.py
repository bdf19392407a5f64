"""Delivering webhook events: what to send on an attempt, and what an attempt's outcome
means (done, try again later, or give up), decided in one transaction per attempt.

The HTTP request itself is made by the worker (sync.webhook_sender); the domain only
prepares the signed request and records the answer.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from tp_api.db import lock_rows, utcnow, write_transaction
from tp_api.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.errors import Conflict, NotFound
from tp_api.services.webhooks import webhook_events
from tp_api.services.webhooks.signing import signature_header

log = logging.getLogger(__name__)

# After the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, then every 10 h (the last delay
# repeats), each +-10 %, until three days after the event (Svix's schedule, stretched).
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
)
GIVE_UP_AFTER = timedelta(days=3)
# An endpoint whose deliveries failed for good this many times in a row is switched off.
DISABLE_AFTER_FAILED_DELIVERIES = 3
EXCERPT_CHARS = 500
USER_AGENT = "tp-bridge-webhooks/1"


@dataclass(frozen=True)
class Outgoing:
    """One signed request, ready to send."""

    delivery_id: int
    attempt: int
    url: str
    body: str
    headers: dict[str, str]


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None
    duration_ms: int
    response_excerpt: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def prepare(delivery_id: int, attempt: int, box: SecretBox, now: datetime) -> Outgoing | None:
    """The request of this attempt, or None when there is nothing (more) to send."""
    row = (
        WebhookDelivery.select(WebhookDelivery, WebhookEndpoint, WebhookEvent)
        .join(WebhookEndpoint)
        .switch(WebhookDelivery)
        .join(WebhookEvent)
        .where(WebhookDelivery.id == delivery_id)
        .first()
    )
    if row is None or row.status != DeliveryStatus.PENDING or row.attempts >= attempt:
        return None  # finished, removed, or a repeat of an attempt already recorded
    endpoint, event = row.endpoint, row.event
    if not endpoint.enabled:
        _finish(row, DeliveryStatus.FAILED, now)
        return None
    in_use = [box.open(endpoint.secret_sealed)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_sealed and expires is not None and expires > now:
        in_use.append(box.open(endpoint.previous_secret_sealed))
    timestamp = int(now.timestamp())
    return Outgoing(
        delivery_id=delivery_id,
        attempt=attempt,
        url=endpoint.url,
        body=event.body,
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": event.public_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature_header(in_use, event.public_id, timestamp, event.body),
            "X-TP-Event": event.event_type,
        },
    )


def record(
    delivery_id: int,
    attempt: int,
    result: AttemptResult,
    now: datetime,
    rng: random.Random | None = None,
) -> str:
    """Log the attempt and decide: ``succeeded``, ``retry`` (next attempt queued) or
    ``failed``. A repeated record of the same attempt changes nothing (``duplicate``)."""
    with write_transaction():
        query = WebhookDelivery.select().where(WebhookDelivery.id == delivery_id)
        delivery = lock_rows(query).first()
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return "duplicate"
        if delivery.attempts >= attempt:
            return "duplicate"
        WebhookAttempt.create(
            delivery=delivery.id,
            number=attempt,
            attempted_at=now,
            status_code=result.status_code,
            duration_ms=result.duration_ms,
            response_excerpt=result.response_excerpt[:EXCERPT_CHARS],
            error=(result.error or None) and result.error[:2000],
        )
        delivery.attempts = attempt
        delivery.last_attempt_at = now
        endpoint = WebhookEndpoint.get_by_id(delivery.endpoint_id)
        if result.ok:
            _finish(delivery, DeliveryStatus.SUCCEEDED, now)
            if endpoint.failed_deliveries_in_a_row:
                endpoint.failed_deliveries_in_a_row = 0
                endpoint.save(only=[WebhookEndpoint.failed_deliveries_in_a_row])
            return "succeeded"
        next_at = next_attempt_at(
            delivery.window_started_at,
            attempt - delivery.window_first_attempt + 1,
            now,
            rng or random.Random(),  # noqa: S311
        )  # noqa: S311
        if next_at is None:
            _finish(delivery, DeliveryStatus.FAILED, now)
            _count_failure(endpoint)
            return "failed"
        delivery.next_attempt_at = next_at
        delivery.save()
        webhook_events.schedule_attempt(
            delivery.id, attempt + 1, next_at, account_id=endpoint.account_id
        )
        return "retry"


def retry_delay(attempt: int) -> timedelta:
    """The delay (before jitter) after attempt number ``attempt`` of a window."""
    return RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]


def next_attempt_at(
    window_started_at: datetime, attempt: int, now: datetime, rng: random.Random
) -> datetime | None:
    """When the attempt after ``attempt`` (counted from the window's first) runs, or None
    when the delivery is given up."""
    delay = retry_delay(attempt) * (0.9 + rng.random() * 0.2)
    at = now + delay
    return at if at - window_started_at <= GIVE_UP_AFTER else None


def _finish(delivery: WebhookDelivery, status: str, now: datetime) -> None:
    delivery.status = status
    delivery.finished_at = now
    delivery.next_attempt_at = None
    delivery.save()


def _count_failure(endpoint: WebhookEndpoint) -> None:
    endpoint.failed_deliveries_in_a_row += 1
    if endpoint.enabled and endpoint.failed_deliveries_in_a_row >= DISABLE_AFTER_FAILED_DELIVERIES:
        endpoint.enabled = False
        endpoint.disabled_reason = (
            f"Disabled after {endpoint.failed_deliveries_in_a_row} deliveries failed in a row "
            f"(each retried for {GIVE_UP_AFTER.days} days); fix the receiver and enable it again"
        )
        webhook_events.forget_subscriptions(endpoint.account_id)
        log.warning(
            "webhook endpoint %s (account %s, %s) disabled: %s",
            endpoint.id,
            endpoint.account_id,
            endpoint.url,
            endpoint.disabled_reason,
        )
    endpoint.updated_at = utcnow()
    endpoint.save()


def resend(account_id: int, number: int) -> WebhookDelivery:
    """Send a finished delivery (by its public number) again now (same event id, so receivers
    can de-duplicate)."""
    with write_transaction():
        delivery = (
            WebhookDelivery.select(WebhookDelivery, WebhookEndpoint)
            .join(WebhookEndpoint)
            .where(WebhookDelivery.number == number, WebhookEndpoint.account == account_id)
            .first()
        )
        if delivery is None:
            raise NotFound("Delivery not found", code="delivery_not_found")
        if delivery.status == DeliveryStatus.PENDING:
            raise Conflict("The delivery is still being attempted", code="delivery_pending")
        if not delivery.endpoint.enabled:
            raise Conflict("The endpoint is disabled; enable it first", code="webhook_disabled")
        now = utcnow()
        delivery.status = DeliveryStatus.PENDING
        delivery.finished_at = None
        delivery.next_attempt_at = now
        delivery.window_started_at = now  # the three-day retry window starts again
        delivery.window_first_attempt = delivery.attempts + 1
        delivery.save()
        webhook_events.schedule_attempt(
            delivery.id, delivery.attempts + 1, now, account_id=account_id
        )
    return delivery
