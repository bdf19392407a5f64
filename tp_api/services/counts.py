"""Counts of what the service did (orders created, paid and refunded; scans by result), told
to one listener once the change that did it has committed.

The domain knows no metrics library: the composition root sets the listener (config/metrics.py
turns the counts into Prometheus counters). Counted after the commit, so an order whose
transaction rolled back is never counted, and counted where the change is made, so every
way in (partner API, admin API, console, shop webhooks, the sync daemon) counts alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

from tp_api.db import after_commit

ORDER_CREATED = "order_created"
ORDER_PAID = "order_paid"
ORDER_REFUNDED = "order_refunded"
SCAN = "scan"  # labels: direction, result

# (name, labels, amount): what happened, how many times.
Listener = Callable[[str, Mapping[str, str], int], None]

_listener: list[Listener] = []


def listen(listener: Listener | None) -> None:
    """Tell ``listener`` every count from now on (None: nobody). One listener per process:
    building the app twice (the tests do) replaces it rather than counting twice."""
    _listener[:] = [listener] if listener is not None else []


def count(name: str, amount: int = 1, **labels: str) -> None:
    """Count ``amount`` of ``name`` once the open write transaction commits (at once
    outside one). Costs nothing but a check while nobody listens."""
    if not _listener or amount <= 0:
        return
    after_commit(partial(_tell, name, labels, amount))


def _tell(name: str, labels: Mapping[str, str], amount: int) -> None:
    for listener in _listener:
        listener(name, labels, amount)
