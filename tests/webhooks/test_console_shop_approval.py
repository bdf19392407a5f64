"""Connecting a shop through WooCommerce's approval screen (``/wc-auth/v1/authorize``):
the console sends the browser there with a signed, 15-minute ``user_id``; WooCommerce's
POST to our callback connects the shop once; the way back shows it tested. WooCommerce's
side is played by the test: its POST is the documented one (FACTS §1.2)."""

from __future__ import annotations

import dataclasses
import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from config.wsgi import create_app
from tests.fake_woo import FakeWoo
from tests.tp_api.console.support import page_text, post_form, sign_in
from tp_api.db import database, utcnow
from tp_api.models import AuditEntry, Shop


@pytest.fixture
def public_app(db, settings):
    """An app on a public https address (as the approval needs) that may reach loopback."""
    configured = dataclasses.replace(
        settings, public_url="https://tickets.example", webhook_allow_private=True
    )
    application = create_app(configured)
    application.config["TESTING"] = True
    yield application
    database.close_all()


@pytest.fixture
def console(public_app, factory, seller):
    client = public_app.test_client()
    assert sign_in(client, factory.staff(seller, email="anna@example.com").email).status_code == 302
    return client


def _approve(console, url: str, name: str = "Main shop"):
    return post_form(
        console, "/console/shops", "/console/shops/approve", {"name": name, "url": url}
    )


def _woocommerce_posts(client, token: str, **changes):
    body = {
        "key_id": 1,
        "user_id": token,
        "consumer_key": "ck_test",
        "consumer_secret": "cs_test",
        "key_permissions": "read_write",
        **changes,
    }
    return client.post("/shops/wc-auth/callback", json=body)


def test_approve_in_woocommerce_then_come_back_to_a_tested_shop(console, public_app):
    sent = _approve(console, "https://localhost:8443")
    assert sent.status_code == 200 and "Continue to WooCommerce" in page_text(sent)
    target = urlsplit(_continue_to(sent))
    assert (target.netloc, target.path) == ("localhost:8443", "/wc-auth/v1/authorize")
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert (query["app_name"], query["scope"]) == ("tp-bridge", "read_write")
    assert query["callback_url"] == "https://tickets.example/shops/wc-auth/callback"
    assert query["return_url"] == "https://tickets.example/console/shops/approved"

    woocommerce = public_app.test_client()  # server to server: no session, no CSRF token
    assert _woocommerce_posts(woocommerce, query["user_id"]).status_code == 200
    shop = Shop.get(Shop.name == "Main shop")
    assert shop.base_url == "https://localhost:8443"
    again = _woocommerce_posts(woocommerce, query["user_id"])
    assert again.status_code == 409  # one token, one shop
    entry = AuditEntry.get(AuditEntry.action == "shop.connected")
    assert entry.actor_label == "anna@example.com"


def test_the_way_back_tests_the_shop(console, public_app):
    with FakeWoo() as woo:
        # The fake shop is on loopback over http; the approval itself insists on https, so
        # the connected shop's address is pointed at the fake before the way back.
        sent = _approve(console, "https://localhost:8443")
        user_id = parse_qs(urlsplit(_continue_to(sent)).query)["user_id"][0]
        assert _woocommerce_posts(public_app.test_client(), user_id).status_code == 200
        Shop.update(base_url=woo.url).execute()
        back = console.get(
            "/console/shops/approved", query_string={"success": "1", "user_id": user_id}
        )
        words = page_text(back)
        assert "WooCommerce version: 9.4.2" in words and "may write: yes" in words
        assert len(woo.webhooks) == 3


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"user_id": "forged"}, 403),
        ({"key_permissions": "read"}, 400),
        ({"consumer_secret": ""}, 400),
    ],
)
def test_a_callback_that_is_not_a_fresh_approval_connects_nothing(
    console, public_app, changes, status
):
    sent = _approve(console, "https://localhost:8443")
    user_id = parse_qs(urlsplit(_continue_to(sent)).query)["user_id"][0]
    answer = _woocommerce_posts(public_app.test_client(), user_id, **changes)
    assert answer.status_code == status
    assert Shop.select().count() == 0


def test_an_approval_expires_after_15_minutes(console, public_app, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    sent = _approve(console, "https://localhost:8443")
    user_id = parse_qs(urlsplit(_continue_to(sent)).query)["user_id"][0]
    time_machine.shift(timedelta(minutes=16))
    assert _woocommerce_posts(public_app.test_client(), user_id).status_code == 403
    assert Shop.select().count() == 0


def test_a_denied_approval_says_so(console):
    denied = console.get("/console/shops/approved", query_string={"success": "0", "user_id": "x"})
    assert "did not approve" in page_text(console.get(denied.headers["Location"]))


def test_an_http_shop_or_a_private_service_cannot_use_the_approval(console, client, factory):
    refused = _approve(console, "http://127.0.0.2:8080")
    assert refused.status_code == 400 and "needs an https:// shop URL" in page_text(refused)
    sign_in(client, factory.staff(factory.seller("Local BV"), email="lo@example.com").email)
    assert "Approve in WooCommerce" not in page_text(client.get("/console/shops"))
    local = post_form(
        client,
        "/console/shops",
        "/console/shops/approve",
        {"name": "S", "url": "https://s.example"},
    )
    assert local.status_code == 400 and "public https:// address" in page_text(local)


def _continue_to(page) -> str:
    found = re.search(r'href="([^"]+)">Continue to WooCommerce<', page.get_data(as_text=True))
    assert found, "no link to WooCommerce"
    return html.unescape(found.group(1))
