"""The "my tickets" page tests' fixture: customer 7's paid order of two tickets."""

from __future__ import annotations

import pytest

from tests.bridge.my_tickets.support import page_path, tickets_of


@pytest.fixture
def bought(factory, settings):
    """A seller, an event, and customer 7's paid order of two tickets; the page's path."""
    seller = factory.seller("Festival BV")
    event = factory.event(seller, name="Summer Festival")
    outcome = factory.order(seller, factory.ticket_type(event), quantity=2, wp_user_id=7)
    refs = [t.reference for t in tickets_of(outcome.order_id)]
    return seller, event, outcome, refs, page_path(settings, seller.id)
