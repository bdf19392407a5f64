"""The "my tickets" page on the real app (Flask's test client), with orders made by the
factory: what it lists, the attendee form and its messages, downloads, links, languages."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask

from bridge.page_links import MyTicketsLinks
from bridge.partner_client import PartnerClient
from bridge.web.my_tickets import create_my_tickets_blueprint
from config.pages import in_process_client
from config.tickets import my_tickets_links
from config.wsgi import create_app
from tests.bridge.html_dom import Node, parse
from tp_api.models import Ticket, TicketStatus, TicketType

DAY2 = {
    "name": "Day 2",
    "status": 1,
    "stock": 100,
    "price": "15.00",
    "featured": False,
    "manage_price_per_ticket": True,
    "manage_stock_per_ticket": True,
    "start_date": 1785866400,
    "end_date": 1785909600,
    "tickets": [{"name": "Sunday", "stock": 100, "price": 15.0, "status": 1, "date": None}],
}


def page_path(settings, account_id: int, wp_user_id: int = 7, locale: str = "") -> str:
    return "/my-tickets/" + my_tickets_links(settings).sign(account_id, wp_user_id, locale)


def tickets_of(order_id: int) -> list[Ticket]:
    return list(Ticket.select().where(Ticket.order == order_id).order_by(Ticket.id))


def attendee_form(ref: str, **values: str) -> dict[str, str]:
    data = {
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane@example.com",
        "tel": "+31612345678",
        **values,
    }
    return {f"{ref}-{name}": value for name, value in data.items()}


@pytest.fixture
def bought(factory, settings):
    """A seller, an event, and customer 7's paid order of two tickets; the page's path."""
    seller = factory.seller("Festival BV")
    event = factory.event(seller, name="Summer Festival")
    outcome = factory.order(seller, factory.ticket_type(event), quantity=2, wp_user_id=7)
    refs = [t.reference for t in tickets_of(outcome.order_id)]
    return seller, event, outcome, refs, page_path(settings, seller.id)


def get_page(client, path: str, status: int = 200) -> Node:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return parse(response.get_data(as_text=True))


def field_error(dom: Node, ref: str, name: str) -> str:
    """The message shown next to a field, checked to be tied to the input for screen readers."""
    field = dom.by_id(f"t-{ref}-{name}")
    assert field.attrs["aria-invalid"] == "true"
    message = dom.by_id(field.attrs["aria-describedby"])
    assert message.parent is field.parent  # in the same field block as the input
    return message.text


def test_the_page_lists_events_orders_and_tickets_with_labelled_fields(client, bought):
    seller, event, outcome, refs, path = bought
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/html"
    dom = parse(response.get_data(as_text=True))
    assert dom.select("html")[0].attrs["lang"] == "en"
    assert dom.select("h1")[0].text == "My tickets"

    section = dom.by_id(f"event-{event.id}")
    assert section.by_id(f"event-{event.id}-title").text == "Summer Festival"
    assert section.select("time")[0].text == "Monday 3 August 2026 18:00 UTC"
    assert section.select("h3", cls="tpmt-order__title")[0].text == f"Order {outcome.reference}"
    # The PDF waits for the attendees.
    assert not section.select("a", cls="tpmt-download--pdf")
    assert "once every ticket of this order has a name" in section.text
    for ref in refs:
        ticket = section.by_id(f"ticket-{ref}")
        assert ticket.select(cls="tpmt-status")[0].text == "Status: Awaiting details"
        assert f"ticket {ref}" in ticket.text
        for name, label in [
            ("first_name", "First name"),
            ("last_name", "Last name"),
            ("email", "E-mail address"),
            ("tel", "Phone number"),
        ]:
            field = ticket.by_id(f"t-{ref}-{name}")
            assert field.attrs["name"] == f"{ref}-{name}" and field.attrs["value"] == ""
            assert ticket.select("label", for_=f"t-{ref}-{name}")[0].text == label
        assert ticket.by_id(f"t-{ref}-email").attrs["type"] == "email"
        assert ticket.by_id(f"t-{ref}-tel").attrs["autocomplete"] == f"section-{ref} tel"
    form = section.by_id(f"event-{event.id}-form")
    assert form.attrs["method"] == "post" and "novalidate" in form.attrs
    assert form.attrs["action"] == f"{path}/events/{event.id}"
    assert form.select("button", type="submit")[0].text == "Save attendee details"


def test_answers_carry_the_security_headers(client, bought):
    path = bought[4]
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "X-Frame-Options" not in response.headers  # shops embed the page
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp and "default-src 'none'" in csp
    assert "script-src 'self'" in csp and "form-action 'self'" in csp
    css = client.get("/my-tickets/static/my_tickets.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert css.headers["Cache-Control"] != "no-store"
    assert ".tpmt-field__input" in css.get_data(as_text=True)
    css.close()


def test_personalising_saves_and_shows_the_tickets_read_only(client, bought):
    seller, event, outcome, refs, path = bought
    form = {
        **attendee_form(refs[0]),
        **attendee_form(refs[1], first_name="John", email="john@example.com"),
    }
    response = client.post(f"{path}/events/{event.id}", data=form)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{path}?saved={event.id}#event-{event.id}"
    saved = {t.reference: t for t in tickets_of(outcome.order_id)}
    assert {t.status for t in saved.values()} == {TicketStatus.ACTIVE}
    assert (saved[refs[1]].first_name, saved[refs[1]].phone) == ("John", "+31612345678")

    dom = get_page(client, f"{path}?saved={event.id}")
    section = dom.by_id(f"event-{event.id}")
    assert section.select(cls="tpmt-notice")[0].text == "Saved. Thank you!"
    assert section.select(cls="tpmt-notice")[0].attrs["role"] == "status"
    assert not section.select("input") and not section.select("form")
    second = section.by_id(f"ticket-{refs[1]}")
    assert second.select(cls="tpmt-status")[0].text == "Status: Active"
    assert "John Doe" in second.text and "john@example.com" in second.text
    assert "can no longer be changed" in second.text
    qr = second.select("a", cls="tpmt-download--qr")[0]
    assert qr.attrs["href"] == f"{path}/tickets/{refs[1]}/qr"
    assert qr.text == f"QR code of ticket {refs[1]}"
    pdf = section.select("a", cls="tpmt-download--pdf")[0]
    assert pdf.attrs["href"] == f"{path}/orders/{outcome.reference}/pdf"


def test_a_blank_ticket_is_left_for_later(client, bought):
    seller, event, outcome, refs, path = bought
    response = client.post(f"{path}/events/{event.id}", data=attendee_form(refs[0]))
    assert response.status_code == 303
    statuses = [t.status for t in tickets_of(outcome.order_id)]
    assert statuses == [TicketStatus.ACTIVE, TicketStatus.CREATED]
    dom = get_page(client, path)
    assert not dom.has_id(f"t-{refs[0]}-first_name")
    assert dom.by_id(f"t-{refs[1]}-first_name").attrs["value"] == ""


def test_missing_fields_are_shown_next_to_each_field_and_typed_values_kept(client, bought):
    seller, event, outcome, refs, path = bought
    form = {
        **attendee_form(refs[0], last_name="  ", tel=""),
        **attendee_form(refs[1], first_name="Jöhn <b>"),
    }
    response = client.post(f"{path}/events/{event.id}", data=form)
    assert response.status_code == 400
    dom = parse(response.get_data(as_text=True))
    assert dom.select("title")[0].text == "Error: My tickets"
    assert field_error(dom, refs[0], "last_name") == "Error: Enter a last name"
    assert field_error(dom, refs[0], "tel") == "Error: Enter a phone number"
    assert "aria-invalid" not in dom.by_id(f"t-{refs[0]}-first_name").attrs
    # Every value typed stays in the form, as typed (escaped, not interpreted).
    assert dom.by_id(f"t-{refs[0]}-email").attrs["value"] == "jane@example.com"
    assert dom.by_id(f"t-{refs[0]}-last_name").attrs["value"] == "  "
    assert dom.by_id(f"t-{refs[1]}-first_name").attrs["value"] == "Jöhn <b>"
    assert not dom.select("b")
    summary = dom.select(cls="tpmt-error-summary")[0]
    assert summary.attrs["role"] == "alert"
    links = [(a.attrs["href"], a.text) for a in summary.select("a")]
    assert links == [
        (f"#t-{refs[0]}-last_name", "Enter a last name"),
        (f"#t-{refs[0]}-tel", "Enter a phone number"),
    ]
    # Nothing was sent: the valid second ticket waits for the first.
    assert {t.status for t in tickets_of(outcome.order_id)} == {TicketStatus.CREATED}


def test_the_servers_refusal_is_shown_next_to_the_field_it_names(client, bought):
    seller, event, outcome, refs, path = bought
    form = {**attendee_form(refs[0]), **attendee_form(refs[1], email="john.example.com")}
    response = client.post(f"{path}/events/{event.id}", data=form)
    assert response.status_code == 400
    dom = parse(response.get_data(as_text=True))
    # The API said "email of ticket <ref> is not an e-mail address"; the page says it kindly.
    assert field_error(dom, refs[1], "email") == (
        "Error: Enter an e-mail address like name@example.com"
    )
    assert dom.by_id(f"t-{refs[1]}-email").attrs["value"] == "john.example.com"
    assert dom.by_id(f"t-{refs[0]}-first_name").attrs["value"] == "Jane"
    # All or nothing: the good ticket was not saved either.
    assert {t.status for t in tickets_of(outcome.order_id)} == {TicketStatus.CREATED}


def test_a_list_of_addresses_or_a_bidi_name_is_refused_on_the_page(client, bought):
    seller, event, outcome, refs, path = bought
    form = {
        **attendee_form(refs[0], email="jane@example.com, v@evil.example"),
        **attendee_form(refs[1], last_name="Doe\u202egpj.exe"),
    }
    response = client.post(f"{path}/events/{event.id}", data=form)
    assert response.status_code == 400
    dom = parse(response.get_data(as_text=True))
    # The API answers the first bad field; either way nothing is saved.
    assert field_error(dom, refs[0], "email") == (
        "Error: Enter an e-mail address like name@example.com"
    )
    assert {t.status for t in tickets_of(outcome.order_id)} == {TicketStatus.CREATED}
    response = client.post(
        f"{path}/events/{event.id}", data=attendee_form(refs[1], last_name="Doe\u202egpj.exe")
    )
    dom = parse(response.get_data(as_text=True))
    assert field_error(dom, refs[1], "last_name") == (
        "Error: Use letters and ordinary characters only (no line breaks)"
    )
    assert {t.status for t in tickets_of(outcome.order_id)} == {TicketStatus.CREATED}


def test_a_server_message_the_page_does_not_know_is_shown_as_written(client, bought):
    seller, event, outcome, refs, path = bought
    form = attendee_form(refs[0], first_name="Ja\x00ne")
    response = client.post(f"{path}/events/{event.id}", data=form)
    assert response.status_code == 400
    dom = parse(response.get_data(as_text=True))
    assert field_error(dom, refs[0], "first_name") == (
        f"Error: first_name of ticket {refs[0]} contains a NUL character"
    )


def test_an_empty_form_asks_for_at_least_one_ticket(client, bought):
    seller, event, outcome, refs, path = bought
    response = client.post(f"{path}/events/{event.id}", data={})
    assert response.status_code == 400
    dom = parse(response.get_data(as_text=True))
    message = dom.by_id(f"event-{event.id}-error")
    assert message.text == "Error: Fill in the details of at least one ticket."
    assert dom.select(cls="tpmt-error-summary")[0].select("a")[0].attrs["href"] == (
        f"#event-{event.id}-form"
    )


def test_active_tickets_are_read_only_and_a_post_cannot_change_them(client, factory, bought):
    seller, event, outcome, refs, path = bought
    factory.personalise_all(seller, outcome)
    dom = get_page(client, path)
    assert not dom.select("input") and not dom.select("form")
    first = dom.by_id(f"ticket-{refs[0]}")
    assert "Attendee0 Doe" in first.text and "a0@example.com" in first.text

    form = attendee_form(refs[0], first_name="Mallory")
    response = client.post(f"{path}/events/{event.id}", data=form)
    assert response.status_code == 303
    assert tickets_of(outcome.order_id)[0].first_name == "Attendee0"


def test_fields_of_tickets_that_are_not_the_customers_are_ignored(client, factory, settings):
    seller = factory.seller()
    event = factory.event(seller)
    mine = factory.order(seller, factory.ticket_type(event), quantity=1, wp_user_id=7)
    theirs = factory.order(seller, factory.ticket_type(event), quantity=1, wp_user_id=8)
    my_ref = tickets_of(mine.order_id)[0].reference
    their_ref = tickets_of(theirs.order_id)[0].reference
    path = page_path(settings, seller.id)
    dom = get_page(client, path)
    assert not dom.has_id(f"ticket-{their_ref}")
    form = {**attendee_form(my_ref), **attendee_form(their_ref, first_name="Mallory")}
    assert client.post(f"{path}/events/{event.id}", data=form).status_code == 303
    assert tickets_of(mine.order_id)[0].status == TicketStatus.ACTIVE
    assert tickets_of(theirs.order_id)[0].status == TicketStatus.CREATED


def follow(client, response, mimetype: str) -> bytes:
    """Fetch the signed file a download route redirected to."""
    assert response.status_code == 302
    assert response.headers["Referrer-Policy"] == "no-referrer"
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}" == "http://tickets.test"
    assert target.query.startswith("secret=")
    file = client.get(f"{target.path}?{target.query}")
    assert file.status_code == 200 and file.mimetype == mimetype
    data = bytes(file.get_data())
    file.close()
    return data


def test_qr_and_pdf_links_redirect_to_files_that_download(client, factory, bought):
    seller, event, outcome, refs, path = bought
    factory.personalise_all(seller, outcome)
    qr = client.get(f"{path}/tickets/{refs[1]}/qr")
    assert qr.headers["Location"].startswith(
        f"http://tickets.test/files/tickets/ticket_{refs[1]}.png?secret="
    )
    assert follow(client, qr, "image/png").startswith(b"\x89PNG\r\n")
    pdf = client.get(f"{path}/orders/{outcome.reference}/pdf")
    assert follow(client, pdf, "application/pdf").startswith(b"%PDF")
    # Each visit asks for a fresh link: nothing signed is printed on the page itself.
    assert "secret=" not in client.get(path).get_data(as_text=True)


def test_downloads_that_are_not_available_are_a_friendly_404(client, factory, settings, bought):
    seller, event, outcome, refs, path = bought
    other = factory.order(seller, factory.ticket_type(event), quantity=1, wp_user_id=8)
    factory.personalise_all(seller, other, wp_user_id=8)
    other_ref = tickets_of(other.order_id)[0].reference
    for target in (
        f"{path}/tickets/{refs[0]}/qr",  # not personalised yet
        f"{path}/orders/{outcome.reference}/pdf",  # ditto
        f"{path}/tickets/{other_ref}/qr",  # another customer's
        f"{path}/orders/{other.reference}/pdf",  # another customer's order
        f"{path}/tickets/no-such-ticket/qr",
        f"{path}/orders/not%20a%20ref/pdf",
    ):
        dom = get_page(client, target, status=404)
        assert dom.select("h1")[0].text == "Not available"
        assert dom.select("a", cls="tpmt-link")[-1].attrs["href"] == path


def test_an_expired_link_is_410_in_the_links_language(client, bought, settings, time_machine):
    seller, event = bought[0], bought[1]
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    path = page_path(settings, seller.id, locale="nl_NL")
    assert client.get(path).status_code == 200
    time_machine.shift(30 * 86400 + 1)
    for response in (
        client.get(path),
        client.post(f"{path}/events/{event.id}", data={}),
        client.get(f"{path}/orders/TP-00001/pdf"),
    ):
        assert response.status_code == 410
        assert response.headers["Cache-Control"] == "no-store"
        dom = parse(response.get_data(as_text=True))
        assert dom.select("html")[0].attrs["lang"] == "nl"
        assert dom.select("h1")[0].text == "Deze link is verlopen"
        assert "Vraag de winkel om een nieuwe link" in dom.text


def test_a_tampered_link_is_404_and_says_nothing_more(client, bought):
    seller, event, outcome, refs, path = bought
    for tampered in (path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb"), "/my-tickets/x"):
        dom = get_page(client, tampered, status=404)
        assert dom.select("h1")[0].text == "Link not found"
        assert "Summer Festival" not in dom.text and refs[0] not in dom.text
    assert client.post(f"{path}x/events/{event.id}", data={}).status_code == 404
    assert client.get(f"{path}x/tickets/{refs[0]}/qr").status_code == 404


def test_dutch_texts_for_a_dutch_locale_and_the_lang_override(client, bought, settings):
    seller, event, outcome, refs, _ = bought
    for locale in ("nl", "nl_NL", "nl-BE"):
        dom = get_page(client, page_path(settings, seller.id, locale=locale))
        assert dom.select("html")[0].attrs["lang"] == "nl"
        assert dom.select("h1")[0].text == "Mijn tickets"
        assert dom.select("time")[0].text == "maandag 3 augustus 2026 18:00 UTC"
        status = dom.by_id(f"ticket-{refs[0]}").select(cls="tpmt-status")[0]
        assert status.text == "Status: Wacht op gegevens"
        assert dom.select("label", for_=f"t-{refs[0]}-last_name")[0].text == "Achternaam"
        assert dom.select("button")[0].text == "Gegevens opslaan"
    dutch = page_path(settings, seller.id, locale="nl")
    response = client.post(f"{dutch}/events/{event.id}", data=attendee_form(refs[0], email="x"))
    dom = parse(response.get_data(as_text=True))
    assert field_error(dom, refs[0], "email") == (
        "Fout: Vul een e-mailadres in zoals naam@voorbeeld.nl"
    )
    # ?lang=en wins over the link, and the page's own links keep it.
    english = get_page(client, f"{dutch}?lang=en")
    assert english.select("h1")[0].text == "My tickets"
    form = english.by_id(f"event-{event.id}-form")
    assert form.attrs["action"] == f"{dutch}/events/{event.id}?lang=en"
    switch = english.select("a", cls="tpmt-languages__link")[0]
    assert (switch.text, switch.attrs["href"]) == ("Nederlands", f"{dutch}?lang=nl")
    assert get_page(client, page_path(settings, seller.id, locale="de")).select("h1")[0].text == (
        "My tickets"
    )


def test_a_customer_without_orders_or_of_another_account_sees_no_tickets(
    client, factory, bought, settings
):
    seller, event, outcome, refs, path = bought
    for other_path in (
        page_path(settings, seller.id, wp_user_id=99),
        page_path(settings, factory.seller().id, wp_user_id=7),
    ):
        dom = get_page(client, other_path)
        assert dom.select(cls="tpmt-empty")[0].text == "There are no tickets for this link yet."
        assert refs[0] not in dom.text and not dom.select("form")


def test_an_account_that_no_longer_exists_gets_a_503_page(client, settings, db):
    dom = get_page(client, page_path(settings, 987654), status=503)
    assert dom.select("h1")[0].text == "Temporarily unavailable"


def test_each_ticket_is_shown_once_when_parent_and_sub_date_are_both_listed(
    client, factory, settings
):
    seller = factory.seller()
    parent = factory.event(seller, name="Festival", children=[DAY2])
    child_type = TicketType.get(TicketType.name == "Sunday")
    first = factory.order(seller, factory.ticket_type(parent), quantity=1)
    second = factory.order(seller, child_type, quantity=1)
    path = page_path(settings, seller.id)
    dom = get_page(client, path)
    refs = [t.reference for t in tickets_of(first.order_id) + tickets_of(second.order_id)]
    for ref in refs:
        assert dom.by_id(f"ticket-{ref}")  # by_id asserts exactly one
    # The Sunday ticket shows its own date under the festival.
    sunday = dom.by_id(f"ticket-{refs[1]}")
    assert sunday.select("time")[0].text == "Tuesday 4 August 2026 18:00 UTC"
    # Personalising the sub-date's ticket through the parent's form works.
    form = {**attendee_form(refs[0]), **attendee_form(refs[1])}
    assert client.post(f"{path}/events/{parent.id}", data=form).status_code == 303
    assert tickets_of(second.order_id)[0].status == TicketStatus.ACTIVE


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
    root = Path(__file__).resolve().parents[2]
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
