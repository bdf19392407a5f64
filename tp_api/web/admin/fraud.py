"""Fraud scoring: an order's report, a person's approval or rejection, and the account's
thresholds and weights (``/api/v1/orders/{id}/fraud``, ``/api/v1/fraud/settings``)."""

from __future__ import annotations

from flask import g

from tp_api.schemas.fraud import FraudReportOut, FraudSettingsOut, FraudSettingsUpdate
from tp_api.services.fraud import review
from tp_api.services.fraud import settings as fraud_settings
from tp_api.web.admin import bp
from tp_api.web.api_routes import operation

READ, WRITE = ("orders:read",), ("orders:write",)


def _settings_out(config: fraud_settings.FraudConfig) -> FraudSettingsOut:
    return FraudSettingsOut(
        medium_from=config.medium_from, high_from=config.high_from, weights=dict(config.weights)
    )


@operation(
    bp,
    "/orders/<int:order_id>/fraud",
    "GET",
    summary="Get an order's fraud report",
    tag="Fraud",
    scopes=READ,
    response=FraudReportOut,
    errors=(404,),
)
def get_order_fraud(order_id: int) -> FraudReportOut:
    """Score (0-100), level, the signals that fired, the recommendation and the review."""
    return review.fraud_report(g.caller.account_id, order_id, actor=g.caller.actor)


@operation(
    bp,
    "/orders/<int:order_id>/fraud/approve",
    "POST",
    summary="Approve a flagged or held order",
    tag="Fraud",
    scopes=WRITE,
    response=FraudReportOut,
    errors=(404, 409),
)
def approve_order_fraud(order_id: int) -> FraudReportOut:
    """A held, paid order gets its tickets now; recorded in the audit trail."""
    review.approve(g.caller.account_id, order_id, actor=g.caller.actor)
    return review.fraud_report(g.caller.account_id, order_id, actor=g.caller.actor)


@operation(
    bp,
    "/orders/<int:order_id>/fraud/reject",
    "POST",
    summary="Reject a flagged or held order",
    tag="Fraud",
    scopes=WRITE,
    response=FraudReportOut,
    errors=(404, 409),
)
def reject_order_fraud(order_id: int) -> FraudReportOut:
    """The order is cancelled and its units released; recorded in the audit trail."""
    review.reject(g.caller.account_id, order_id, actor=g.caller.actor)
    return review.fraud_report(g.caller.account_id, order_id, actor=g.caller.actor)


@operation(
    bp,
    "/fraud/settings",
    "GET",
    summary="Get the fraud thresholds and weights",
    tag="Fraud",
    scopes=READ,
    response=FraudSettingsOut,
)
def get_fraud_settings() -> FraudSettingsOut:
    """Scores from ``mediumFrom`` are flagged for review, from ``highFrom`` held."""
    return _settings_out(fraud_settings.get_settings(g.caller.account_id, actor=g.caller.actor))


@operation(
    bp,
    "/fraud/settings",
    "PATCH",
    summary="Change the fraud thresholds or weights",
    tag="Fraud",
    scopes=WRITE,
    body=FraudSettingsUpdate,
    response=FraudSettingsOut,
    errors=(400, 422),
)
def update_fraud_settings(body: FraudSettingsUpdate) -> FraudSettingsOut:
    """Applies to orders created from now on; recorded in the audit trail."""
    weights = body.weights.model_dump(exclude_none=True) if body.weights else None
    change = fraud_settings.SettingsChange(body.medium_from, body.high_from, weights)
    config = fraud_settings.update_settings(g.caller.account_id, change, actor=g.caller.actor)
    return _settings_out(config)
