"""Fixtures of the bridge's tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.loopback import serving
from tp_api.models import Ticket


@pytest.fixture
def service(app: Any) -> Iterator[str]:
    """Our service's partner API on a loopback port: what a shop's server would call."""
    with serving(app) as base:
        yield f"{base}/tp-api"


@pytest.fixture
def two_tickets(factory):
    """A seller, an event, and customer 7's paid order of two tickets with their references."""
    seller = factory.seller()
    event = factory.event(seller, name="Summer Festival")
    outcome = factory.order(seller, factory.ticket_type(event), quantity=2, wp_user_id=7)
    refs = [
        t.reference
        for t in Ticket.select().where(Ticket.order == outcome.order_id).order_by(Ticket.id)
    ]
    return seller, event, outcome, refs
