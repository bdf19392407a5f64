"""The "my tickets" page's downloads, expired and tampered links, languages, and customers
with nothing to show."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.bridge.html_dom import parse
from tests.bridge.my_tickets.support import (
    DAY2,
    attendee_form,
    field_error,
    get_page,
    page_path,
    tickets_of,
)
from tp_api.models import TicketStatus, TicketType


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


def test_the_event_goes_into_the_customers_calendar(client, factory, bought):
    from icalendar import Calendar

    from tp_api.models import Event

    seller, event, outcome, refs, path = bought
    page = client.get(path).get_data(as_text=True)
    link = f"{path}/events/{event.id}/calendar.ics"
    assert f'href="{link}"' in page and "Add to calendar (.ics)" in page
    answer = client.get(link)
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="summer-festival.ics"'
    assert answer.headers["Cache-Control"] == "no-store"
    [entry] = Calendar.from_ical(answer.get_data()).walk("VEVENT")
    stored = Event.get_by_id(event.id)
    assert str(entry["SUMMARY"]) == "Summer Festival"
    assert str(entry["LOCATION"]) == stored.city
    assert entry.decoded("DTSTART").replace(tzinfo=None) == stored.start_date.replace(tzinfo=None)
    assert entry.decoded("DTEND").replace(tzinfo=None) == stored.end_date.replace(tzinfo=None)
    # The same UID as the e-mail's attachment: importing both keeps one entry.
    assert str(entry["UID"]) == f"tp-event-{event.id}@tickets.test"
    # Not the customer's event, or no such event: the page's 404.
    other = factory.event(seller, name="Other")
    assert client.get(f"{path}/events/{other.id}/calendar.ics").status_code == 404
    assert client.get(f"{path}/events/999999/calendar.ics").status_code == 404


def test_no_wallet_links_while_the_service_offers_no_wallet(client, factory, bought):
    seller, event, outcome, refs, path = bought
    factory.personalise_all(seller, outcome)
    dom = get_page(client, path)
    assert dom.by_id(f"ticket-{refs[0]}").select("a", cls="tpmt-download--qr")
    assert not [a for a in dom.select("a") if "/wallet/" in a.attrs.get("href", "")]
    for wallet in ("apple", "google"):
        assert client.get(f"{path}/tickets/{refs[0]}/wallet/{wallet}").status_code == 404
