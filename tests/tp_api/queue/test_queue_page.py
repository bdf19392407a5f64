"""The hosted waiting room (/queue/{event}) as a customer's browser sees it."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.admin_api import iso
from tests.tp_api.queue.conftest import T0


@pytest.fixture
def event(clock, api):
    event = api.publish(
        api.create(
            title="Drop Night",
            startsAt=iso(T0 + timedelta(days=30)),
            ticketTypes=[{"name": "GA", "price": 2995, "quantity": 50}],
        )
    )
    response = api.call(
        "PUT",
        f"/events/{event['id']}/queue",
        {"queueEnabled": True, "ratePerMinute": 1, "returnUrl": "https://shop.test/p/ga?x=1"},
    )
    assert response.status_code == 200
    return event


@pytest.fixture
def ga(event):
    return event["ticketTypes"][0]["id"]


def enter(client, event, customer, items):
    response = client.get(f"/queue/{event['id']}?customer={customer}&items={items}")
    assert response.status_code == 303, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert location.startswith(f"/queue/{event['id']}/place/")
    return location


def text(response):
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_first_customer_is_sent_back_to_the_shop_with_the_token(client, event, ga):
    page = client.get(enter(client, event, "cus_1", f"{ga}:2"))
    assert page.status_code == 200
    assert "It is your turn" in text(page) and "Drop Night" in text(page)
    assert "Complete your purchase before 12:10" in " ".join(text(page).split())
    body = page.get_data(as_text=True)
    link = re.search(r'id="continue" href="([^"]+)"', body).group(1)
    target = urlsplit(html.unescape(link))
    assert (target.scheme, target.netloc, target.path) == ("https", "shop.test", "/p/ga")
    query = parse_qs(target.query)
    assert query["x"] == ["1"]
    token = query["tp_queue_token"][0]
    assert 'data-state="admitted"' in body and "queue.js" in body
    assert page.headers["Referrer-Policy"] == "no-referrer"
    # The token the shop receives is the place's: the poll says admitted.
    assert client.get(f"/api/v1/queue/{token}").get_json()["status"] == "admitted"


def test_a_waiting_customer_sees_position_and_wait_and_the_page_refreshes(client, event, ga, clock):
    enter(client, event, "cus_1", f"{ga}:1")
    enter(client, event, "cus_2", f"{ga}:1")
    place = enter(client, event, "cus_3", f"{ga}:1")
    page = client.get(place)
    words = " ".join(text(page).split())
    assert "You are in the line" in words
    assert "People ahead of you 1" in words and "about 2 minutes" in words
    # Without script the page refreshes itself; with it, queue.js polls in place.
    assert re.search(
        r'<noscript><meta http-equiv="refresh" content="\d+"></noscript>',
        page.get_data(as_text=True),
    )
    # The same link again finds the same place.
    assert enter(client, event, "cus_3", f"{ga}:1").split("/place/")[0] == place.split("/place/")[0]
    clock.move_to(T0 + timedelta(minutes=2), tick=False)
    assert "It is your turn" in text(client.get(place))


def test_a_turn_that_passed_offers_to_join_again(client, event, ga, clock):
    place = enter(client, event, "cus_1", f"{ga}:1")
    clock.move_to(T0 + timedelta(minutes=10), tick=False)
    page = client.get(place)
    assert "Your turn has passed" in text(page)
    again = re.search(r'href="([^"]+)">Join the line again', page.get_data(as_text=True)).group(1)
    assert client.get(html.unescape(again)).status_code == 303


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("customer=c1", 400, "This link does not work"),
        ("customer=c1&items=abc", 400, "This link does not work"),
        ("items=1:1", 400, "This link does not work"),
    ],
)
def test_a_broken_link_says_so(client, event, query, status, words):
    response = client.get(f"/queue/{event['id']}?{query}")
    assert response.status_code == status and words in text(response)


def test_closed_unknown_and_forged(client, api, event, ga):
    api.call("PUT", f"/events/{event['id']}/queue", {"queueEnabled": False})
    closed = client.get(f"/queue/{event['id']}?customer=c&items={ga}:1")
    assert closed.status_code == 409 and "No waiting line right now" in text(closed)
    missing = client.get(f"/queue/999999?customer=c&items={ga}:1")
    assert missing.status_code == 404 and "Event not found" in text(missing)
    forged = client.get(f"/queue/{event['id']}/place/abc.def.ghi")
    assert forged.status_code == 404 and "Place not found" in text(forged)


def test_the_page_speaks_dutch(client, event, ga):
    place = enter(client, event, "cus_1", f"{ga}:1")
    page = client.get(place + "?lang=nl")
    assert 'lang="nl"' in page.get_data(as_text=True)
    assert "Je bent aan de beurt" in text(page)
