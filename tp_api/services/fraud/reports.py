"""An order's fraud report, as the admin API, the console and the ``fraud.alert`` webhook
event show it."""

from __future__ import annotations

from typing import Any

from tp_api.models import AuditEntry, FraudReview, Order
from tp_api.schemas.fraud import FraudReportOut

RECOMMENDATIONS = {"low": "accept", "medium": "review", "high": "block"}
# The stored review state as the API names it ("" is nothing to review).
_REVIEW_NAMES = {
    FraudReview.NONE: "none",
    FraudReview.FLAGGED: "flagged",
    FraudReview.HELD: "held",
    FraudReview.APPROVED: "approved",
    FraudReview.REJECTED: "rejected",
}
DECISIONS = ("fraud.approved", "fraud.rejected")


def signal_names(order: Order) -> list[str]:
    """The signals that fired for the order, in the order they are listed."""
    return order.fraud_signals.split()


def report_out(order: Order, decision: AuditEntry | None = None) -> FraudReportOut:
    """The order's report; ``decision`` is the audit entry of a person's approval or
    rejection, when there was one."""
    level = order.fraud_level or None
    return FraudReportOut(
        order_id=order.number,
        score=order.fraud_score,
        level=level,  # type: ignore[arg-type] # one of the three, as stored
        signals=signal_names(order),
        recommendation=RECOMMENDATIONS.get(level or ""),  # type: ignore[arg-type]
        review=_REVIEW_NAMES.get(order.fraud_review, "none"),  # type: ignore[arg-type]
        tickets_held=order.fraud_review == FraudReview.HELD,
        decided_at=decision.at if decision else None,
        decided_by=decision.actor_label if decision else None,
    )


def last_decision(account_id: int, number: int) -> AuditEntry | None:
    """The latest approval or rejection of the order in the audit trail."""
    return (
        AuditEntry.select()
        .where(
            AuditEntry.account == account_id,
            AuditEntry.subject_type == "order",
            AuditEntry.subject_id == number,
            AuditEntry.action.in_(DECISIONS),
        )
        .order_by(AuditEntry.id.desc())
        .first()
    )


def report_data(order: Order) -> dict[str, Any]:
    """The report as JSON data (the ``fraud.alert`` event's ``fraud`` part)."""
    return report_out(order).model_dump(mode="json", by_alias=True)
