"""Fraud scoring: each account's settings, and the order attempts the partner API refused.

An order's own score, level, signals and review state are columns of ``Order`` (written by
the order's INSERT, so scoring adds no row to the hot path).
"""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.accounts import Account
from tp_api.models.base import BaseModel, created_at_field


class FraudReview:
    """Values of ``Order.fraud_review``: where an order stands with a person's review."""

    NONE = ""  # low risk (or scored before migration 0023): nothing to review
    FLAGGED = "review"  # medium: tickets issued, a person should look
    HELD = "held"  # high: no tickets until a person approves
    APPROVED = "approved"
    REJECTED = "rejected"

    # What the console's queue lists.
    OPEN = (FLAGGED, HELD)


class FraudSettings(BaseModel):
    """An account's thresholds and signal weights; an account without a row uses the
    defaults (tp_api.services.fraud.settings)."""

    account = peewee.ForeignKeyField(Account, unique=True, on_delete="CASCADE")
    account_id: int  # the foreign key's column (peewee's accessor)
    medium_from = peewee.SmallIntegerField()
    high_from = peewee.SmallIntegerField()
    # {"velocity_breach": 40, ...}: only the weights that differ from the defaults.
    weights = peewee.TextField(default="{}")
    updated_at = created_at_field()

    class Meta:
        table_name = "fraud_settings"


class FraudRefusal(BaseModel):
    """An order the partner API refused (stock, sale rules, validation), kept for the
    ``refused_attempts`` signal: who tried, and when."""

    account = peewee.ForeignKeyField(Account, on_delete="CASCADE")
    account_id: int  # the foreign key's column (peewee's accessor)
    at = UtcDateTimeField()
    ip_address = peewee.CharField(max_length=45, default="")
    email = peewee.CharField(max_length=254, default="")
    code = peewee.CharField(max_length=60, default="")

    class Meta:
        table_name = "fraud_refusal"
        indexes = (
            (("account", "ip_address", "at"), False),
            (("account", "email", "at"), False),
        )
