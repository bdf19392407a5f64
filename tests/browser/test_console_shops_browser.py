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
