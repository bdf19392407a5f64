"""The door API's tests: ``door`` is an event with three personalised tickets, their codes
and a scanner's key."""

from __future__ import annotations

import pytest

from config.tickets import ticket_tools
from tp_api.services.delivery.ticket_files import ticket_code
from tp_api.services.door import scanners


@pytest.fixture
def door(factory, settings, app):
    seller = factory.seller()
    event = factory.event(seller, name="Fest", ticket_stock=50)
    outcome = factory.order(seller, factory.ticket_type(event), quantity=3)
    tickets = factory.personalise_all(seller, outcome)
    scanner = scanners.create_scanner(seller.id, "Gate A", [event.id])
    tools = ticket_tools(settings)
    codes = [ticket_code(tools, t) for t in tickets]
    return {
        "seller": seller,
        "event": event,
        "tickets": tickets,
        "codes": codes,
        "key": scanner.secret,
        "tools": tools,
    }
