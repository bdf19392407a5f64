"""Outgoing webhooks: the seller's endpoints, the events sent and every delivery attempt."""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.accounts import Account
from tp_api.models.base import BaseModel, created_at_field, new_public_number


class WebhookEndpoint(BaseModel):
    """A URL of the seller's that hears the event types it subscribes to.

    The signing secret is kept sealed (Fernet, like shop credentials): signing needs it in
    clear, so it cannot be stored as a hash. During a rotation the previous secret keeps
    signing beside the new one until ``previous_secret_expires_at``.
    """

    account = peewee.ForeignKeyField(Account, backref="webhook_endpoints", on_delete="CASCADE")
    account_id: int  # the foreign key's column (peewee's accessor)
    url = peewee.CharField(max_length=2000)
    description = peewee.CharField(max_length=200, default="")
    # Space-separated event types.
    event_types = peewee.TextField()
    enabled = peewee.BooleanField(default=True)
    secret_sealed = peewee.TextField()
    previous_secret_sealed = peewee.TextField(null=True)
    previous_secret_expires_at = UtcDateTimeField(null=True)
    failed_deliveries_in_a_row = peewee.IntegerField(default=0)
    disabled_reason = peewee.CharField(max_length=500, null=True)
    created_at = created_at_field()
    updated_at = created_at_field()


class WebhookEvent(BaseModel):
    """One event as sent: ``public_id`` is the ``webhook-id`` receivers de-duplicate by, and
    ``body`` the exact JSON signed and sent (the same bytes on every attempt)."""

    account = peewee.ForeignKeyField(Account, on_delete="CASCADE")
    account_id: int  # the foreign key's column (peewee's accessor)
    public_id = peewee.CharField(max_length=40, unique=True)
    event_type = peewee.CharField(max_length=50)
    body = peewee.TextField()
    created_at = created_at_field()


class DeliveryStatus:
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WebhookDelivery(BaseModel):
    """An event on its way to one endpoint."""

    endpoint = peewee.ForeignKeyField(WebhookEndpoint, backref="deliveries", on_delete="CASCADE")
    endpoint_id: int  # the foreign key's column (peewee's accessor)
    event = peewee.ForeignKeyField(WebhookEvent, backref="deliveries", on_delete="CASCADE")
    event_id: int  # the foreign key's column (peewee's accessor)
    # The delivery's id in the admin API: random, as the row id counts every tenant's events.
    number = peewee.BigIntegerField(unique=True, default=new_public_number)
    status = peewee.CharField(max_length=20, default=DeliveryStatus.PENDING)
    attempts = peewee.IntegerField(default=0)
    next_attempt_at = UtcDateTimeField(null=True)
    last_attempt_at = UtcDateTimeField(null=True)
    finished_at = UtcDateTimeField(null=True)
    created_at = created_at_field()
    # Retries stop three days after this: the creation, or a resend by hand, whose first
    # attempt is ``window_first_attempt`` (the schedule starts again there).
    window_started_at = created_at_field()
    window_first_attempt = peewee.IntegerField(default=1)

    class Meta:
        indexes = (
            (("endpoint", "event"), True),
            (("endpoint", "id"), False),
        )


class WebhookAttempt(BaseModel):
    """One HTTP attempt of a delivery, for the seller to read."""

    delivery = peewee.ForeignKeyField(WebhookDelivery, backref="attempt_log", on_delete="CASCADE")
    delivery_id: int  # the foreign key's column (peewee's accessor)
    number = peewee.IntegerField()
    attempted_at = UtcDateTimeField()
    status_code = peewee.IntegerField(null=True)
    duration_ms = peewee.IntegerField()
    response_excerpt = peewee.TextField(default="")
    error = peewee.TextField(null=True)
