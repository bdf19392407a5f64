"""The "my tickets" page where it runs: escaping, the shop's stylesheet and CSP, standing
alone (nothing of tp_api), inside a shop's own server, and per-visitor budgets."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from bridge.page_links import MyTicketsLinks
from bridge.partner_client import PartnerClient
from bridge.web.my_tickets import create_my_tickets_blueprint
from config.pages import in_process_client
from config.tickets import my_tickets_links
from config.wsgi import create_app
from tests.bridge.html_dom import parse
from tests.bridge.my_tickets.support import (
    attendee_form,
    get_page,
    page_path,
    tickets_of,
)
from tp_api.models import TicketStatus


def test_names_from_the_api_are_escaped(client, factory, settings):
    seller = factory.seller()
    event = factory.event(seller, name="<script>alert(1)</script> Gala")
    factory.order(seller, factory.ticket_type(event), quantity=1)
    html = client.get(page_path(settings, seller.id)).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Gala" in html


def test_the_shops_stylesheet_comes_after_ours_and_is_allowed_by_the_csp(db, settings, bought):
    seller = bought[0]
    styled = dataclasses.replace(
        settings, my_tickets_stylesheet="https://shop.example/theme/tickets.css?v=3"
    )
    app = create_app(styled)
    response = app.test_client().get(page_path(styled, seller.id))
    dom = parse(response.get_data(as_text=True))
    sheets = [link.attrs["href"] for link in dom.select("link", rel="stylesheet")]
    assert sheets == [
        "/my-tickets/static/my_tickets.css",
        "https://shop.example/theme/tickets.css?v=3",
    ]
    csp = response.headers["Content-Security-Policy"]
    assert "style-src 'self' https://shop.example;" in csp
    assert "font-src 'self' https://shop.example;" in csp


def test_the_page_imports_nothing_of_tp_api():
    # It talks to the service through the partner client only, so it runs in a shop too.
    code = (
        "import sys, bridge.web.my_tickets;"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules} & {'tp_api', 'config'})))"
    )
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


@pytest.mark.parametrize(
    ("stylesheet_url", "frame_ancestors"),
    [
        ("javascript:alert(1)", "*"),
        ("https://shop.example;script-src *", "*"),
        ("https://shop.example/a.css", "*; script-src *"),
    ],
)
def test_the_blueprint_refuses_values_that_would_bend_its_csp(stylesheet_url, frame_ancestors):
    with pytest.raises(ValueError):
        create_my_tickets_blueprint(
            links=MyTicketsLinks(["s"]),
            client_for=lambda account_id: None,  # type: ignore[arg-type,return-value]
            stylesheet_url=stylesheet_url,
            frame_ancestors=frame_ancestors,
        )


def test_a_host_that_serves_one_account_answers_other_links_as_unknown(app, bought, settings):
    """A shop hosting the page with its own key refuses links of other accounts (404)."""
    seller, event, outcome, refs, path = bought

    def client_for(account_id: int):
        if account_id != seller.id:
            raise LookupError(account_id)
        return in_process_client(app, account_id)

    shop = Flask("shop")
    shop.register_blueprint(
        create_my_tickets_blueprint(links=my_tickets_links(settings), client_for=client_for)
    )
    client = shop.test_client()
    page = client.get(path)
    assert page.status_code == 200 and refs[0] in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"  # set by the page, not our app
    other = client.get(page_path(settings, seller.id + 1))
    assert other.status_code == 404 and "Link not found" in other.get_data(as_text=True)


def test_the_page_runs_inside_a_shops_own_server_over_http(service, bought):
    """A Python shop serves the page itself: its own secret signs the links, and the page
    reaches our partner API over HTTP with the shop's key."""
    seller, event, outcome, refs, _ = bought
    shop_links = MyTicketsLinks(["the-shops-own-secret"])
    shop = Flask("shop")
    shop.register_blueprint(
        create_my_tickets_blueprint(
            links=shop_links,
            client_for=lambda account_id: PartnerClient(service, seller.key),
            url_prefix="/account/tickets",
        )
    )
    client = shop.test_client()
    path = "/account/tickets/" + shop_links.sign(seller.id, 7, "nl")
    dom = get_page(client, path)
    assert dom.select("h1")[0].text == "Mijn tickets"
    assert dom.by_id(f"event-{event.id}-title").text == "Summer Festival"
    form = {**attendee_form(refs[0]), **attendee_form(refs[1])}
    saved = client.post(f"{path}/events/{event.id}", data=form)
    assert saved.status_code == 303 and saved.headers["Location"].startswith(path)
    assert {t.status for t in tickets_of(outcome.order_id)} == {TicketStatus.ACTIVE}
    qr = client.get(f"{path}/tickets/{refs[0]}/qr")
    assert qr.status_code == 302
    assert qr.headers["Location"].startswith(f"http://tickets.test/files/tickets/ticket_{refs[0]}")


def test_each_visitor_has_their_own_budget_and_too_many_views_get_the_page_not_json(
    db, settings, factory
):
    """The page is limited per visitor address (the "public" class), and its in-process
    partner calls count against that visitor, not against one shared 127.0.0.1."""
    seller = factory.seller("Festival BV")
    event = factory.event(seller, name="Summer Festival")
    factory.order(seller, factory.ticket_type(event), quantity=1, wp_user_id=7)
    limited = create_app(
        dataclasses.replace(settings, rate_limit_public="2/minute", rate_limit_partner="4/minute")
    )
    client = limited.test_client()
    path = page_path(settings, seller.id)

    def view(address: str) -> int:
        return client.get(path, environ_base={"REMOTE_ADDR": address}).status_code

    assert [view("198.51.100.1") for _ in range(2)] == [200, 200]
    third = client.get(path, environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert third.status_code == 429
    assert third.mimetype == "text/html" and "<main" in third.get_data(as_text=True)
    # Two page views cost the first visitor 4 partner calls; another visitor is unaffected.
    assert [view("198.51.100.2") for _ in range(2)] == [200, 200]
