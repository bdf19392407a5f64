"""``/r/<code>``: a click is counted (atomically) and the visitor sent to the event's shop
page with the affiliate's code; unknown codes and events without a page answer a 404 page
in the visitor's language; the public rate limit applies."""

from __future__ import annotations

import dataclasses
import threading
from urllib.parse import parse_qs, urlsplit

import pytest

from config.wsgi import create_app
from tests.tp_api.affiliates.support import affiliate
from tests.tp_api.console.support import page_text
from tp_api.db import database
from tp_api.models import AffiliateLink
from tp_api.services.actors import SYSTEM
from tp_api.services.affiliates import links, registry


@pytest.fixture
def shop(factory):
    """A seller whose shop (https://shop.test) sells the event's tickets as product 93."""
    return factory.shop()


@pytest.fixture
def link(shop) -> AffiliateLink:
    seller, _shop, ticket_type = shop
    anna = affiliate(seller, code="anna")
    return AffiliateLink.get(
        AffiliateLink.affiliate == anna.id, AffiliateLink.event == ticket_type.event_id
    )


def clicks(link: AffiliateLink) -> int:
    return int(AffiliateLink.get_by_id(link.id).clicks)


def test_a_click_is_counted_and_sent_to_the_shop_with_the_code(client, link):
    response = client.get(f"/r/{link.code}")
    assert response.status_code == 302
    assert (
        response.headers["Location"]
        == "https://shop.test/?post_type=product&p=93&tp_affiliate=anna"
    )
    assert clicks(link) == 1
    client.get(f"/r/{link.code.upper()}")  # read out and typed: the case does not matter
    assert clicks(link) == 2


def test_a_head_request_is_not_a_click(client, link):
    assert client.head(f"/r/{link.code}").status_code == 302
    assert clicks(link) == 0


def test_the_links_own_address_keeps_its_query_and_fragment(client, shop, link):
    seller = shop[0]
    anna = registry.get_affiliate(seller.id, link.affiliate_id)
    landing = "https://shop.example/e/drop?utm_source=mail&q=a%20b&tp_affiliate=old#tickets"
    links.change_link(seller.id, anna, link.id, landing_url=landing, actor=SYSTEM)
    location = client.get(f"/r/{link.code}").headers["Location"]
    assert location == (
        "https://shop.example/e/drop?utm_source=mail&q=a%20b&tp_affiliate=anna#tickets"
    )
    assert parse_qs(urlsplit(location).query)["tp_affiliate"] == ["anna"]


def test_a_disabled_affiliates_link_leads_on_uncounted_and_without_its_code(client, shop, link):
    registry.update_affiliate(
        shop[0].id, link.affiliate_id, registry.AffiliateChange(enabled=False), actor=SYSTEM
    )
    response = client.get(f"/r/{link.code}")
    assert response.headers["Location"] == "https://shop.test/?post_type=product&p=93"
    assert clicks(link) == 0


@pytest.mark.parametrize("code", ["nosuchcode", "x" * 300, "%E2%80%AE", "a.b", "<script>"])
def test_an_unknown_code_is_a_404_page(client, link, code):
    response = client.get(f"/r/{code}")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Link not found" in page_text(response)
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert clicks(link) == 0


def test_the_404_page_speaks_dutch(client, link):
    response = client.get("/r/nosuchcode", headers={"Accept-Language": "nl"})
    assert response.status_code == 404
    assert 'lang="nl"' in response.get_data(as_text=True)
    assert "Link niet gevonden" in page_text(response)


def test_an_event_without_a_shop_page_is_a_clear_404_and_no_click(client, factory):
    seller = factory.seller()
    factory.event(seller, name="Unsold Night")
    anna = affiliate(seller, code="anna")
    link = AffiliateLink.get(AffiliateLink.affiliate == anna.id)
    response = client.get(f"/r/{link.code}")
    assert response.status_code == 404
    assert "This event has no shop page yet" in page_text(response)
    assert clicks(link) == 0


def test_clicks_at_the_same_moment_are_all_counted(app, link):
    """Each click is one ``clicks = clicks + 1`` UPDATE, never a read then a write."""
    threads, per_thread = 8, 5

    def click() -> None:
        with app.test_client() as own:
            for _ in range(per_thread):
                assert own.get(f"/r/{link.code}").status_code == 302
        database.close()

    workers = [threading.Thread(target=click) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert clicks(link) == threads * per_thread


def test_the_redirect_is_rate_limited_per_address(db, settings, link):
    limited = create_app(dataclasses.replace(settings, rate_limit_public="3/minute"))
    client = limited.test_client()
    statuses = [client.get(f"/r/{link.code}").status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert clicks(link) == 3
