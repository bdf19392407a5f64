"""The hosted waiting room in a real browser at phone width: a customer waits, sees their
place, is let through and lands on the shop's product page with their token; in Dutch too."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, request

from tests.browser.checks import assert_accessible, assert_axe_clean
from tests.loopback import serving
from tp_api.db import utcnow
from tp_api.models import QueuePlace, WaitingRoom
from tp_api.services.actors import SYSTEM
from tp_api.services.queue.room_settings import RoomChange, configure


@pytest.fixture
def shop():
    """A shop's product page on loopback: where a customer lands when it is their turn."""
    product = Flask("fake_shop")

    @product.get("/product/ga")
    def page() -> str:
        token = request.args.get("tp_queue_token", "")
        return f"<!doctype html><html lang=en><title>GA</title><h1>Shop</h1><p id=t>{token}</p>"

    with serving(product) as base:
        yield base


@pytest.fixture
def room(factory, shop):
    seller = factory.seller("Drop BV")
    event = factory.event(seller, name="Drop Night")
    ga = factory.ticket_type(event)
    configure(
        seller.id,
        str(event.id),
        RoomChange(enabled=True, rate_per_minute=1, return_url=f"{shop}/product/ga"),
        actor=SYSTEM,
    )
    # One a minute from now: the first customer goes through at once, the second waits for
    # the next minute.
    WaitingRoom.update(starts_at=utcnow()).execute()
    return event, ga


def test_a_customer_waits_then_goes_to_the_shop_with_a_token(
    live_server, open_page, room, shop, screenshot
):
    event, ga = room
    first = open_page("phone")
    first.goto(f"{live_server}/queue/{event.id}?customer=cus_1&items={ga.id}:2")
    assert first.locator("h1").inner_text() == "It is your turn"
    first.wait_for_url(f"{shop}/product/ga?*", timeout=10_000)

    waiting = open_page("phone")
    waiting.goto(f"{live_server}/queue/{event.id}?customer=cus_2&items={ga.id}:1")
    assert waiting.locator("h1").inner_text() == "You are in the line"
    assert waiting.locator("#position").inner_text() == "0"
    assert_accessible(waiting)
    assert_axe_clean(waiting)
    screenshot(waiting, "queue-waiting-phone")
    # Rather than wait out the minute, the turn is brought forward to a few seconds from
    # now; the page, polling by itself, notices and takes the customer to the shop.
    QueuePlace.update(admit_at=utcnow() + timedelta(seconds=2)).where(
        QueuePlace.event == event.id, QueuePlace.seq == 2
    ).execute()
    waiting.wait_for_url(f"{shop}/product/ga?*", timeout=30_000)
    token = parse_qs(urlsplit(waiting.url).query)["tp_queue_token"][0]
    assert waiting.locator("#t").inner_text() == token


def test_the_waiting_room_in_dutch(live_server, open_page, room, screenshot):
    event, ga = room
    first = open_page("phone", locale="nl-NL")
    first.goto(f"{live_server}/queue/{event.id}?customer=cus_nl1&items={ga.id}:1")
    # Read at once: the page takes the customer to the shop after three seconds.
    assert first.locator("html").get_attribute("lang") == "nl"
    assert first.locator("h1").inner_text() == "Je bent aan de beurt"
    assert first.locator("#continue").inner_text() == "Verder naar de winkel"
    page = open_page("phone", locale="nl-NL")
    page.goto(f"{live_server}/queue/{event.id}?customer=cus_nl2&items={ga.id}:1")
    assert page.locator("h1").inner_text() == "Je staat in de rij"
    assert page.locator("#wait").inner_text() == "ongeveer een minuut"
    assert_accessible(page)
    assert_axe_clean(page)
    screenshot(page, "queue-waiting-phone-nl")
    broken = open_page("phone", locale="nl-NL")
    broken.goto(f"{live_server}/queue/{event.id}?customer=cus_x")
    assert broken.locator("h1").inner_text() == "Deze link werkt niet"
    assert_axe_clean(broken)
