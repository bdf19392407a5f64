"""Every new order's risk score, decided in its write transaction (orders.submit._create).

score = min(100, sum of the weights of the signals that fired); the account's thresholds
make it low (confirmed as before), medium (flagged for review, tickets issued) or high
(held: no tickets until a person approves, and a ``fraud.alert`` webhook event). See
docs/fraud.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from tp_api.db import insert_rows, utcnow, write_transaction
from tp_api.models import FraudRefusal, FraudReview
from tp_api.services.errors import TicketingError
from tp_api.services.fraud import signals
from tp_api.services.fraud.settings import config_from_row
from tp_api.services.orders.order_input import OrderInput

log = logging.getLogger(__name__)

# Refused updates of an order that exists (a shop repeating a push): not a buyer's attempt.
_NOT_ATTEMPTS = frozenset({"order_closed", "order_not_found", "order_forbidden"})
REFUSALS_KEPT = timedelta(days=1)
PRUNE_EVERY = timedelta(hours=1)
_last_prune: list[datetime] = []
_REVIEW_OF_LEVEL = {
    "low": FraudReview.NONE,
    "medium": FraudReview.FLAGGED,
    "high": FraudReview.HELD,
}


@dataclass(frozen=True)
class Assessment:
    """A new order's score, its level and the signals that made it."""

    score: int
    level: str
    signals: tuple[str, ...]

    @property
    def held(self) -> bool:
        return self.level == "high"

    def order_fields(self) -> dict[str, object]:
        """The order row's fraud columns."""
        return {
            "fraud_score": self.score,
            "fraud_level": self.level,
            "fraud_signals": " ".join(self.signals),
            "fraud_review": _REVIEW_OF_LEVEL[self.level],
        }


def buyer_of(order_input: OrderInput) -> signals.Buyer:
    """The parts of an incoming order the signals read, normalised."""
    billing = order_input.billing
    return signals.Buyer(
        ip_address=order_input.ip_address.strip(),
        email=billing.email.strip().lower() if billing else "",
        country=billing.country.strip().upper() if billing else "",
        tickets=sum(order_input.ticket_quantities().values()),
    )


def assess(account_id: int, order_input: OrderInput, now: datetime) -> Assessment:
    """Score a new order before its row is inserted (call inside the write transaction)."""
    buyer = buyer_of(order_input)
    facts = signals.read_facts(account_id, buyer, now)
    config = config_from_row(facts.medium_from, facts.high_from, facts.weights)
    fired = signals.fired(buyer, facts)
    score = min(100, sum(config.weights[name] for name in fired))
    return Assessment(score, config.level(score), tuple(fired))


def _prune_refusals(now: datetime) -> None:
    """Forget refusals older than REFUSALS_KEPT, at most once per PRUNE_EVERY per process:
    only the last REFUSAL_WINDOW is ever read."""
    if _last_prune and now - _last_prune[0] < PRUNE_EVERY:
        return
    _last_prune[:] = [now]
    FraudRefusal.delete().where(FraudRefusal.at < now - REFUSALS_KEPT).execute()


def record_refusal(account_id: int, order_input: OrderInput, error: TicketingError) -> None:
    """Remember a refused order attempt for the ``refused_attempts`` signal.

    Called after the refusal, outside the refused order's transaction (which wrote
    nothing); one INSERT. A failure to record is logged, never turned into another error
    for the shop: the refusal it answers matters more.
    """
    if error.code in _NOT_ATTEMPTS:
        return
    buyer = buyer_of(order_input)
    if not (buyer.ip_address or buyer.email):
        return  # nobody to count it against
    row = {
        "account": account_id,
        "at": utcnow(),
        "ip_address": buyer.ip_address[:45],
        "email": buyer.email[:254],
        "code": error.code[:60],
    }
    try:
        with write_transaction():
            insert_rows(FraudRefusal, [row])
            _prune_refusals(row["at"])  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 # the shop's answer is the refusal, whatever happens here
        log.exception("could not record a refused order attempt for account %s", account_id)
