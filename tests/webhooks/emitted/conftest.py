"""Fixtures of the emitted-events tests: a shop, the shop hearing every event, a door."""

from __future__ import annotations

import pytest

from config.tickets import ticket_tools
from tests.webhooks.emitted.support import Shop, make_shop, subscribe
from tp_api.services.delivery.ticket_files import ticket_code
from tp_api.services.door import scanners


@pytest.fixture
def shop(factory, client) -> Shop:
    return make_shop(factory, client)


@pytest.fixture
def hooked(shop, settings) -> Shop:
    """The shop with an endpoint hearing every event type."""
    subscribe(settings, shop.seller)
    return shop


@pytest.fixture
def door(hooked, factory, settings):
    outcome = factory.order(hooked.seller, hooked.ticket_type, quantity=2)
    tickets = factory.personalise_all(hooked.seller, outcome)
    scanner = scanners.create_scanner(hooked.seller.id, "Gate A", [hooked.event.id])
    tools = ticket_tools(settings)
    return {
        "shop": hooked,
        "tickets": tickets,
        "codes": [ticket_code(tools, t) for t in tickets],
        "key": scanner.secret,
        "scanner_id": scanner.scanner.id,
    }
