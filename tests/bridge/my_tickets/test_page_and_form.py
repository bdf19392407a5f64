"""The "my tickets" page on the real app (Flask's test client): what it lists, the attendee
form, its messages next to the fields, and what it refuses."""

from __future__ import annotations

from tests.bridge.html_dom import parse
from tests.bridge.my_tickets.support import (
    attendee_form,
    field_error,
    get_page,
    page_path,
    tickets_of,
)
from tp_api.models import TicketStatus


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
