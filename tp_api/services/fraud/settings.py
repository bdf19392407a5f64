"""Each account's fraud thresholds and signal weights (``GET/PATCH /api/v1/fraud/settings``).

An account without a stored row uses the defaults; a stored row keeps only the weights
that differ from them, so a default changed in a later release reaches every account that
never changed that weight.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from tp_api.db import utcnow, write_transaction
from tp_api.models import FraudSettings
from tp_api.services import audit_trail
from tp_api.services.actors import Actor
from tp_api.services.errors import Said, Unprocessable
from tp_api.services.fraud.signals import DEFAULT_WEIGHTS, SIGNALS

DEFAULT_MEDIUM_FROM = 30
DEFAULT_HIGH_FROM = 70


@dataclass(frozen=True)
class FraudConfig:
    """Scores from ``medium_from`` are flagged for review; from ``high_from`` held."""

    medium_from: int = DEFAULT_MEDIUM_FROM
    high_from: int = DEFAULT_HIGH_FROM
    weights: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    def level(self, score: int) -> str:
        """``low``, ``medium`` or ``high``."""
        if score >= self.high_from:
            return "high"
        return "medium" if score >= self.medium_from else "low"


DEFAULTS = FraudConfig()


def config_from_row(
    medium_from: int | None, high_from: int | None, weights: str | None
) -> FraudConfig:
    """The settings as stored (None: no row, the defaults)."""
    if medium_from is None or high_from is None:
        return DEFAULTS
    stored = json.loads(weights or "{}")
    merged = {name: int(stored.get(name, DEFAULT_WEIGHTS[name])) for name in SIGNALS}
    return FraudConfig(medium_from, high_from, merged)


def get_settings(account_id: int, *, actor: Actor) -> FraudConfig:
    """The account's settings (the defaults until someone changes them)."""
    actor.require("orders:read")
    row = FraudSettings.get_or_none(FraudSettings.account == account_id)
    if row is None:
        return DEFAULTS
    return config_from_row(row.medium_from, row.high_from, row.weights)


@dataclass(frozen=True)
class SettingsChange:
    """What to change; None leaves a value as it is."""

    medium_from: int | None = None
    high_from: int | None = None
    weights: Mapping[str, int] | None = None


def update_settings(account_id: int, change: SettingsChange, *, actor: Actor) -> FraudConfig:
    """Change the account's thresholds or weights (recorded in the audit trail).

    Raises Unprocessable when the medium threshold is not below the high one, a weight is
    outside 0-100 or names no signal.
    """
    actor.require("orders:write")
    with write_transaction():
        row = FraudSettings.get_or_none(FraudSettings.account == account_id)
        before = (
            DEFAULTS
            if row is None
            else config_from_row(row.medium_from, row.high_from, row.weights)
        )
        after = _applied(before, change)
        values = {
            "medium_from": after.medium_from,
            "high_from": after.high_from,
            "weights": json.dumps(
                {n: w for n, w in after.weights.items() if w != DEFAULT_WEIGHTS[n]},
                sort_keys=True,
            ),
            "updated_at": utcnow(),
        }
        if row is None:
            FraudSettings.create(account=account_id, **values)
        else:
            FraudSettings.update(**values).where(FraudSettings.id == row.id).execute()
        audit_trail.record(
            account_id,
            actor,
            "fraud.settings_updated",
            ("fraud_settings", None, "Fraud settings"),
            audit_trail.changed(_plain(before), _plain(after)),
        )
        return after


def _applied(before: FraudConfig, change: SettingsChange) -> FraudConfig:
    weights = dict(before.weights)
    for name, weight in (change.weights or {}).items():
        if name not in DEFAULT_WEIGHTS:
            raise Unprocessable(
                Said("There is no fraud signal named {name}", name=name), code="unknown_signal"
            )
        if not 0 <= weight <= 100:
            raise Unprocessable("A signal's weight is from 0 to 100", code="invalid_weight")
        weights[name] = weight
    medium = before.medium_from if change.medium_from is None else change.medium_from
    high = before.high_from if change.high_from is None else change.high_from
    if not 1 <= medium < high <= 100:
        raise Unprocessable(
            "The medium threshold must be at least 1 and below the high one, which is at most 100",
            code="invalid_thresholds",
        )
    return FraudConfig(medium, high, weights)


def _plain(config: FraudConfig) -> dict[str, object]:
    return {
        "medium_from": config.medium_from,
        "high_from": config.high_from,
        **{f"weight.{name}": config.weights[name] for name in SIGNALS},
    }
