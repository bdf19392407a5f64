"""A shop product mapped to a ticket type on the console's products page in a real browser,
against the fake WooCommerce on loopback: the ticket type found by name, the mapping saved,
and our stock set in the shop when the outbox worker runs the sync it queued."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from config.shops import secret_box
from config.workers import outbox_worker
from tests.browser.console_pages import photograph, sign_in
from tests.fake_woo import FakeWoo
from tests.webhooks.support import drain
from tp_api.services.shops import connections


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_map_a_product_and_our_stock_reaches_the_shop(
    live_server, open_page, screenshot, factory, staff_seller, settings, kind
):
    factory.ticket_type(factory.event(staff_seller, name="Canal Concert", ticket_stock=30))
    jazz = factory.event(staff_seller, name="Harbour Jazz", ticket_stock=40)
    factory.order(staff_seller, factory.ticket_type(jazz), quantity=3)  # 37 left to sell
    with FakeWoo() as woo:
        woo.products[93] = {
            "id": 93, "name": "Standing ticket", "sku": "JAZZ-ST", "type": "simple",
            "manage_stock": True, "stock_quantity": 12,
        }  # fmt: skip
        shop = connections.add_shop(
            secret_box(settings), staff_seller.id, "Main shop", platform="woocommerce",
            base_url=woo.url, consumer_key="ck_test", consumer_secret="cs_test",
        ).shop  # fmt: skip
        page = open_page(kind)
        sign_in(page, live_server, landing=f"/console/shops/{shop.id}/products")
        page.get_by_label("Ticket types to choose from").fill("harbour")
        page.get_by_role("button", name="Find ticket types").click()
        expect(page.get_by_text("The lists offer 1 ticket type.")).to_be_visible()
        picker = page.get_by_label("Ticket type sold by Standing ticket")
        picker.select_option(label="Harbour Jazz · General Admission")
        page.get_by_role("button", name="Map Standing ticket").click()
        expect(page.get_by_role("status")).to_contain_text("A sync of the shop is queued")
        row = page.get_by_role("row", name="Standing ticket")
        expect(row).to_contain_text("Harbour Jazz · General Admission")
        assert woo.products[93]["stock_quantity"] == 12  # the shop's, until the sync runs

        drain(outbox_worker(settings))
        assert woo.products[93]["stock_quantity"] == 37
        page.reload()
        expect(row.get_by_role("cell").nth(0)).to_have_text("37")  # the shop's stock now
        photograph(page, screenshot, "console-shop-products-mapped", kind)
