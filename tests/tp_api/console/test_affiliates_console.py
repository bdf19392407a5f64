"""Affiliates in the console: the list with each affiliate's figures, the form to add one
(problems beside their fields), one affiliate's links with theirs; in Dutch; by role."""

from __future__ import annotations

import re

from tests.tp_api.affiliates.support import affiliate, push
from tests.tp_api.console.support import page_text, post_form, sign_in
from tp_api.models import Affiliate, AffiliateLink, AuditEntry


def test_the_list_shows_clicks_orders_revenue_and_commission(client, factory, seller):
    ticket_type = factory.ticket_type(factory.event(seller, name="Harbour Drop"))
    anna = affiliate(seller, name="Anna Rijs", rate=1250, code="anna")
    affiliate(seller, name="Bram", rate=500, code="bram")
    push(seller, ticket_type, quantity=2, wp_order_id="wc_1", affiliate_code="anna")
    push(seller, ticket_type, wp_order_id="wc_2", affiliate_code="ghost")
    link = AffiliateLink.get(AffiliateLink.affiliate == anna.id)
    AffiliateLink.update(clicks=7).where(AffiliateLink.id == link.id).execute()
    text = page_text(client.get("/console/affiliates"))
    assert "Anna Rijs anna 12.5% 7 1 EUR 59.90 EUR 7.49" in text  # 5990 x 12.5 % = 748.75
    assert "Bram bram 5% 0 0 — —" in text
    assert "1 order named an affiliate code that no active affiliate has" in text
    page = page_text(client.get(f"/console/affiliates/{anna.id}"))
    assert "7 clicks" in page and "1 paid order " in page and "EUR 7.49 commission" in page
    assert f"Harbour Drop http://tickets.test/r/{link.code} 7 1 EUR 59.90 EUR 7.49" in page


def test_add_an_affiliate(client, seller):
    response = post_form(
        client,
        "/console/affiliates",
        "/console/affiliates",
        {"name": "Anna Rijs", "email": "anna@example.com", "rate": "12.5", "code": "Anna"},
    )
    made = Affiliate.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/console/affiliates/{made.id}"
    assert (made.code, made.rate_bps, made.email) == ("anna", 1250, "anna@example.com")
    assert "Affiliate Anna Rijs added, with the code anna." in page_text(
        client.get(response.headers["Location"])
    )
    entry = AuditEntry.get(AuditEntry.action == "affiliate.created")
    assert entry.actor_kind == "staff"
    assert "Affiliate added" in page_text(client.get("/console/audit?action=affiliate"))


def test_problems_are_shown_beside_their_fields_with_what_was_typed(client, seller):
    affiliate(seller, code="anna")
    form = {"name": "", "email": "x@", "rate": "150", "code": "ok-code"}
    response = post_form(client, "/console/affiliates", "/console/affiliates", form)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Enter the affiliate&#39;s name." in body
    assert 'id="rate-error">Enter a percentage from 0 to 100, such as 10 or 12.5.' in body
    assert 'aria-invalid="true"' in body and 'value="ok-code"' in body
    form = {"name": "Bram", "email": "x@", "rate": "10", "code": "anna"}
    response = post_form(client, "/console/affiliates", "/console/affiliates", form)
    assert response.status_code == 400
    assert 'id="email-error">Enter one e-mail address, or none' in response.get_data(as_text=True)
    form["email"] = ""
    response = post_form(client, "/console/affiliates", "/console/affiliates", form)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert 'id="code-error">The code anna is taken by another affiliate' in body
    assert Affiliate.select().count() == 1


def test_the_pages_in_dutch(client, factory, seller):
    ticket_type = factory.ticket_type(factory.event(seller))
    anna = affiliate(seller, name="Anna", rate=1250, code="anna")
    push(seller, ticket_type, wp_order_id="wc_1", affiliate_code="anna")
    text = page_text(client.get("/console/affiliates?lang=nl"))
    assert "Een affiliate toevoegen" in text and "Commissiepercentage (%)" in text
    assert re.search(r"Anna anna 12,5% 0 1 € 29,95 € 3,74", text), text
    page = page_text(client.get(f"/console/affiliates/{anna.id}"))
    assert "Trackinglinks" in page and "12,5% commissie" in page


def test_door_staff_do_not_see_affiliates(app, factory):
    owner = factory.seller()
    client = app.test_client()
    sign_in(client, factory.staff(owner, role="door").email)
    assert client.get("/console/affiliates").status_code == 403
    assert 'href="/console/affiliates"' not in client.get("/console/door").get_data(as_text=True)


def test_another_accounts_affiliate_is_not_found(client, factory, seller):
    theirs = affiliate(factory.seller(), code="anna")
    assert client.get(f"/console/affiliates/{theirs.id}").status_code == 404
    assert client.get("/console/affiliates/9007199254740993").status_code == 404
