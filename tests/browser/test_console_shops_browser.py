"""A WooCommerce shop connected from the console in a real browser, with keys pasted by
hand, against the fake WooCommerce on loopback."""

from __future__ import annotations

import dataclasses

import pytest
from playwright.sync_api import expect

from tests.browser.console_pages import photograph, sign_in
from tests.fake_woo import FakeWoo
from tp_api.models import Shop
from tp_api.web.parts import install, parts_of


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_connect_a_shop_with_pasted_keys(
    app, live_server, open_page, screenshot, staff_seller, kind
):
    # The fake shop listens on loopback, which the operator allows here.
    install(app, dataclasses.replace(parts_of(app), webhook_allow_private=True))
    with FakeWoo() as woo:
        page = open_page(kind)
        sign_in(page, live_server, landing="/console/shops")
        page.get_by_label("Name").fill("Main shop")
        page.get_by_label("Shop URL").fill(woo.url)
        page.get_by_label("Consumer key").fill("ck_test")
        page.get_by_label("Consumer secret").fill("cs_wrong")
        page.get_by_role("button", name="Connect shop").click()
        expect(page.locator("#consumer_key-error")).to_contain_text("The shop refused this key")
        page.get_by_label("Consumer secret").fill("cs_test")
        page.get_by_role("button", name="Connect shop").click()
        expect(page.get_by_text("WooCommerce version: 9.4.2")).to_be_visible()
        expect(page.get_by_role("heading", name="Main shop", exact=True)).to_be_visible()
        photograph(page, screenshot, "console-shop-connected", kind)
        assert len(woo.webhooks) == 3
    assert Shop.get().name == "Main shop"


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_connect_a_shop_by_approving_it_in_woocommerce(
    app, live_server, open_page, screenshot, staff_seller, monkeypatch, kind
):
    """The whole round trip: our console, the shop's approval screen, the key POSTed to our
    callback by the shop, and the way back to a tested shop."""
    from tp_api.web.console import shop_admin

    # The approval is offered on a public https address; the live server is loopback http,
    # where the fake shop reaches it all the same.
    monkeypatch.setattr(shop_admin, "_public_https", lambda: True)
    install(
        app,
        dataclasses.replace(parts_of(app), public_url=live_server, webhook_allow_private=True),
    )
    with FakeWoo() as woo:
        page = open_page(kind)
        sign_in(page, live_server, landing="/console/shops")
        form = page.locator("form", has=page.get_by_role("button", name="Approve in WooCommerce"))
        form.get_by_label("Name").fill("Approved shop")
        form.get_by_label("Shop URL").fill(woo.url)
        form.get_by_role("button", name="Approve in WooCommerce").click()
        page.get_by_role("link", name="Continue to WooCommerce").click()
        expect(page.get_by_role("heading", name="tp-bridge would like to connect")).to_be_visible()
        page.get_by_role("link", name="Approve").click()
        expect(page.get_by_text("WooCommerce version: 9.4.2")).to_be_visible()
        expect(page.get_by_role("heading", name="Approved shop", exact=True)).to_be_visible()
        photograph(page, screenshot, "console-shop-approved", kind)
        assert len(woo.webhooks) == 3
    assert Shop.get().name == "Approved shop"
