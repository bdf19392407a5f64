"""Fraud scoring in the admin API: an order's report and the account's settings."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from tp_api.schemas.base import RequestModel, ResponseModel

Signal = Literal[
    "velocity_breach",
    "first_time_bulk",
    "email_velocity",
    "disposable_email",
    "unusual_country",
    "refused_attempts",
]
Weight = Field(None, ge=0, le=100)


class FraudReportOut(ResponseModel):
    """An order's risk: its score (0-100, null for orders from before scoring), level,
    the signals that made it, what we recommend, and where a person's review stands."""

    order_id: int = Field(description="The order's public number")
    score: int | None
    level: Literal["low", "medium", "high"] | None
    signals: list[str]
    recommendation: Literal["accept", "review", "block"] | None
    review: Literal["none", "flagged", "held", "approved", "rejected"]
    tickets_held: bool = Field(description="True while no tickets are issued (high risk)")
    decided_at: datetime | None = None
    decided_by: str | None = None


class FraudWeights(RequestModel):
    """Each signal's weight (0-100); omitted ones stay as they are."""

    velocity_breach: int | None = Weight
    first_time_bulk: int | None = Weight
    email_velocity: int | None = Weight
    disposable_email: int | None = Weight
    unusual_country: int | None = Weight
    refused_attempts: int | None = Weight


class FraudSettingsUpdate(RequestModel):
    """Scores from ``mediumFrom`` are flagged for review, from ``highFrom`` held."""

    medium_from: int | None = Field(None, ge=1, le=100)
    high_from: int | None = Field(None, ge=1, le=100)
    weights: FraudWeights | None = None


class FraudSettingsOut(ResponseModel):
    medium_from: int
    high_from: int
    weights: dict[str, int]
