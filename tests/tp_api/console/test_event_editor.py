"""Creating, editing, publishing, duplicating, cancelling and deleting events in the console,
with a signed-in test client: the admin API's rules, problems next to their fields."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from tests.factories import order_body
from tests.tp_api.console.support import page_text, post_form
from tp_api.models import (
    AuditEntry,
    Event,
    EventLifecycle,
    Order,
    OrderStatus,
    PartnerKey,
    TicketType,
)
from tp_api.services.events import event_lifecycle
from tp_api.services.orders.order_input import parse_partner_order
from tp_api.services.orders.submit import submit_order


def _field_error(response, name: str) -> str:
    """The problem shown under input ``name`` ('' when none)."""
    html = response.get_data(as_text=True)
    found = re.search(rf'id="{re.escape(name.replace(".", "-"))}-error">([^<]*)<', html)
    assert found, f"no error slot for {name}"
    return found.group(1)


NEW_EVENT = {
    "title": "Harbour Jazz 2027",
    "description": "Two stages by the water.",
    "venueName": "Pier 5",
    "city": "Rotterdam",
    "startsAt": "2027-07-03T19:30",
    "endsAt": "2027-07-03T23:00",
    "timezone": "Europe/Amsterdam",
    "currency": "EUR",
    "slug": "harbour-jazz-2027",
    "ticketTypes.0.name": "Standing",
    "ticketTypes.0.price": "29,95",
    "ticketTypes.0.quantity": "300",
    "ticketTypes.0.minPerOrder": "1",
    "ticketTypes.0.maxPerOrder": "6",
    "ticketTypes.1.name": "Balcony",
    "ticketTypes.1.price": "45",
    "ticketTypes.1.quantity": "40",
    "ticketTypes.1.minPerOrder": "1",
    "ticketTypes.1.hidden": "on",
    "ticketTypes.2.minPerOrder": "1",  # an empty row as offered: ignored
}


def _create(client, **changes: str):
    return post_form(client, "/console/events/new", "/console/events/new", {**NEW_EVENT, **changes})


def test_a_new_event_is_a_draft_with_its_ticket_types_in_its_zone(client, seller):
    response = _create(client)
    assert response.status_code == 302, page_text(response)
    event = Event.get(Event.slug == "harbour-jazz-2027")
    assert response.headers["Location"].endswith(f"/console/events/{event.id}")
    assert (event.account_id, event.lifecycle, event.location) == (
        seller.id,
        EventLifecycle.DRAFT,
        "Pier 5",
    )
    # 19:30 in Amsterdam in July is 17:30 UTC.
    assert event.start_date == datetime(2027, 7, 3, 17, 30, tzinfo=UTC)
    types = list(TicketType.select().where(TicketType.event == event).order_by(TicketType.id))
    assert [(t.name, t.price_cents, t.stock, t.max_per_order, t.hidden) for t in types] == [
        ("Standing", 2995, 300, 6, False),
        ("Balcony", 4500, 40, None, True),
    ]
    page = client.get(f"/console/events/{event.id}")
    assert "Event created as a draft: Harbour Jazz 2027" in page_text(page)


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"title": ""}, "title", "Fill this in."),
        ({"startsAt": ""}, "startsAt", "Enter when the event starts."),
        ({"startsAt": "next friday"}, "startsAt", "Enter a date and time."),
        ({"endsAt": "2027-07-03T18:00"}, "endsAt", "Must not be before the start."),
        ({"timezone": "Mars/Olympus"}, "timezone", "Not a time zone we know"),
        ({"currency": "EURO"}, "currency", ""),
        ({"ticketTypes.0.price": "cheap"}, "ticketTypes.0.price", "Enter a price such as 29.95"),
        ({"ticketTypes.0.quantity": ""}, "ticketTypes.0.quantity", "Enter how many tickets"),
        ({"ticketTypes.1.maxPerOrder": "0"}, "ticketTypes.1.maxPerOrder", ""),
        (
            {"ticketTypes.0.minPerOrder": "4", "ticketTypes.0.maxPerOrder": "2"},
            "ticketTypes.0.maxPerOrder",
            "Must not be below the minimum.",
        ),
    ],
)
def test_a_refused_form_keeps_what_was_typed_and_says_why_beside_the_field(
    client, seller, changes, field, problem
):
    response = _create(client, **changes)
    assert response.status_code == 422
    said = _field_error(response, field)
    assert said and problem in said
    html = response.get_data(as_text=True)
    assert 'value="Pier 5"' in html and 'value="Balcony"' in html
    assert Event.select().count() == 0


def test_a_taken_slug_is_said_beside_the_slug(client, seller):
    assert _create(client).status_code == 302
    again = _create(client, title="Another")
    assert again.status_code == 409
    assert _field_error(again, "slug") == "Slug is already taken"


def test_add_a_ticket_type_row_without_losing_what_was_typed(client, seller):
    response = _create(client, add_row="1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="ticketTypes.2.name"' in html and 'value="Harbour Jazz 2027"' in html
    assert Event.select().count() == 0


def test_edit_the_event_and_its_ticket_types_with_the_admin_apis_rules(client, factory, seller):
    event = factory.event(seller, name="Old name", ticket_stock=10)
    ticket_type = factory.ticket_type(event)
    factory.order(seller, ticket_type, quantity=4)
    edit = f"/console/events/{event.id}/edit"
    page = client.get(edit)
    assert page.status_code == 200 and 'value="Old name"' in page.get_data(as_text=True)

    saved = post_form(
        client,
        edit,
        edit,
        {"title": "New name", "startsAt": "2027-01-02T20:00", "timezone": "UTC", "currency": "EUR"},
    )
    assert saved.status_code == 302
    assert Event.get_by_id(event.id).name == "New name"

    type_path = f"/console/events/{event.id}/ticket-types/{ticket_type.id}"
    row = {"name": "GA", "price": "30", "quantity": "3", "minPerOrder": "1"}
    below = post_form(client, edit, type_path, row)
    assert below.status_code == 422
    assert "below the 4 tickets already sold" in _field_error(
        below, f"type-{ticket_type.id}-quantity"
    )
    assert post_form(client, edit, type_path, {**row, "quantity": "12"}).status_code == 302
    fresh = TicketType.get_by_id(ticket_type.id)
    assert (fresh.name, fresh.price_cents, fresh.stock) == ("GA", 3000, 12)

    removed = post_form(client, edit, type_path + "/remove", {})
    assert removed.status_code == 422
    assert "Cannot remove a ticket type that has sold tickets" in page_text(removed)

    added = post_form(
        client,
        edit,
        f"/console/events/{event.id}/ticket-types",
        {"name": "VIP", "price": "99.5", "quantity": "5", "minPerOrder": "1"},
    )
    assert added.status_code == 302
    vip = TicketType.get(TicketType.name == "VIP")
    assert vip.price_cents == 9950
    assert (
        post_form(
            client, edit, f"/console/events/{event.id}/ticket-types/{vip.id}/remove", {}
        ).status_code
        == 302
    )
    assert TicketType.get_or_none(TicketType.name == "VIP") is None


def test_publish_then_see_it_in_the_partner_catalogue(client, seller):
    assert _create(client).status_code == 302
    event = Event.get()
    page = f"/console/events/{event.id}"
    assert post_form(client, page, f"{page}/publish", {}).status_code == 302
    assert Event.get_by_id(event.id).lifecycle == EventLifecycle.PUBLISHED
    listed = client.get(f"/tp-api/events?key={seller.key}").get_json()
    assert "Harbour Jazz 2027" in [e["name"] for e in listed]


def test_publishing_without_ticket_types_is_refused_on_the_page(client, seller):
    response = post_form(
        client,
        "/console/events/new",
        "/console/events/new",
        {k: v for k, v in NEW_EVENT.items() if not k.startswith("ticketTypes")},
    )
    assert response.status_code == 302
    event = Event.get()
    page = f"/console/events/{event.id}"
    refused = post_form(client, page, f"{page}/publish", {})
    assert "needs at least one ticket type" in page_text(client.get(refused.headers["Location"]))
    assert Event.get_by_id(event.id).lifecycle == EventLifecycle.DRAFT


def test_cancel_says_what_it_refunds_then_does_it(client, factory, seller):
    event = factory.event(seller, name="Rainy Day")
    ticket_type = factory.ticket_type(event)
    factory.order(seller, ticket_type, quantity=2)
    factory.order(seller, ticket_type, quantity=1)
    factory.order(seller, ticket_type, quantity=1, paid=False)
    confirm = client.get(f"/console/events/{event.id}/cancel")
    words = page_text(confirm)
    assert "2 paid orders are refunded" in words and "1 unpaid order is cancelled" in words
    assert "0 of the paid orders came from a shop" in words
    assert Event.get_by_id(event.id).lifecycle == EventLifecycle.PUBLISHED  # nothing yet

    done = post_form(
        client,
        f"/console/events/{event.id}/cancel",
        f"/console/events/{event.id}/cancel",
        {"reason": "storm"},
    )
    assert done.status_code == 302
    assert Event.get_by_id(event.id).lifecycle == EventLifecycle.CANCELLED
    statuses = sorted(o.status for o in Order.select())
    assert statuses == [OrderStatus.CANCELLED, OrderStatus.REFUNDED, OrderStatus.REFUNDED]
    assert "2 orders refunded, 1 unpaid orders cancelled" in page_text(
        client.get(done.headers["Location"])
    )


def test_cancel_preview_counts_paid_shop_orders(factory):
    seller, _, ticket_type = factory.shop()
    key_id = PartnerKey.get(PartnerKey.account == seller.id).id
    for wp_order_id, paid in (("wc_88", True), ("wc_89", False), ("ORDER-9", True)):
        body = order_body(ticket_type.id, wp_order_id=wp_order_id, paid=paid)
        submit_order(seller.id, parse_partner_order(body), partner_key_id=key_id)
    preview = event_lifecycle.cancel_preview(seller.id, str(ticket_type.event_id))
    # wc_88 is the shop's order 88 (bound on push); ORDER-9 names no shop order.
    assert (preview.orders_to_refund, preview.orders_to_cancel) == (2, 1)
    assert preview.shop_orders_to_refund == 1


def test_duplicate_to_new_dates_then_delete_the_draft(client, factory, seller):
    event = factory.event(seller, name="Spring Fair")
    path = f"/console/events/{event.id}/duplicate"
    missing = post_form(client, path, path, {"title": "Spring Fair 2028"})
    assert missing.status_code == 422
    assert _field_error(missing, "startsAt") == "Enter when the copy starts."
    copied = post_form(
        client, path, path, {"title": "Spring Fair 2028", "startsAt": "2028-04-01T10:00"}
    )
    assert copied.status_code == 302
    copy = Event.get(Event.name == "Spring Fair 2028")
    assert copy.lifecycle == EventLifecycle.DRAFT
    assert TicketType.select().where(TicketType.event == copy).count() == 1

    page = f"/console/events/{copy.id}"
    assert post_form(client, page, f"{page}/delete", {}).status_code == 302
    assert Event.get_by_id(copy.id).deleted_at is not None
    kept = post_form(
        client, f"/console/events/{event.id}", f"/console/events/{event.id}/delete", {}
    )
    assert "Only draft events can be deleted" in page_text(client.get(kept.headers["Location"]))


def test_another_accounts_event_cannot_be_edited_or_cancelled(client, factory, seller):
    other = factory.event(factory.seller("Someone Else"))
    assert client.get(f"/console/events/{other.id}/edit").status_code == 404
    page = "/console/events/new"
    assert post_form(client, page, f"/console/events/{other.id}/cancel", {}).status_code == 404
    assert Event.get_by_id(other.id).lifecycle == EventLifecycle.PUBLISHED


def test_reminders_are_on_for_a_new_event_and_switched_off_and_on_in_the_form(
    client, factory, seller
):
    blank = client.get("/console/events/new").get_data(as_text=True)
    assert re.search(r'name="sendReminders" type="checkbox" checked', blank)
    assert _create(client, sendReminders="on").status_code == 302
    event = Event.get(Event.slug == "harbour-jazz-2027")
    assert event.send_reminders is True
    edit = f"/console/events/{event.id}/edit"
    typed = {"title": "Harbour Jazz 2027", "startsAt": "2027-07-03T19:30", "timezone": "UTC"}
    # An unticked box is not posted: reminders off.
    assert post_form(client, edit, edit, {**typed, "currency": "EUR"}).status_code == 302
    assert Event.get_by_id(event.id).send_reminders is False
    page = client.get(edit).get_data(as_text=True)
    assert re.search(r'name="sendReminders" type="checkbox">', page)
    assert post_form(client, edit, edit, {**typed, "sendReminders": "on"}).status_code == 302
    assert Event.get_by_id(event.id).send_reminders is True


def test_the_reminder_box_speaks_dutch(client, seller):
    page = client.get("/console/events/new?lang=nl").get_data(as_text=True)
    assert "Stuur tickethouders een herinnering per e-mail" in page


def test_archive_after_sales_end_and_not_before(client, factory, seller):
    event = factory.event(seller, name="Summer Night")
    page = f"/console/events/{event.id}"
    assert "Archive" not in page_text(client.get(page))  # published: not offered
    early = post_form(client, page, f"{page}/archive", {})
    assert early.status_code == 302
    assert "completed, cancelled" in page_text(client.get(early.headers["Location"]))
    assert Event.get_by_id(event.id).lifecycle == EventLifecycle.PUBLISHED

    post_form(client, page, f"{page}/complete", {})
    assert re.search(r">\s*Archive\s*</button>", client.get(page).get_data(as_text=True))
    done = post_form(client, page, f"{page}/archive", {})
    assert done.status_code == 302 and done.headers["Location"].endswith(page)
    assert "Archived: Summer Night." in page_text(client.get(done.headers["Location"]))
    assert Event.get_by_id(event.id).lifecycle == EventLifecycle.ARCHIVED
    entry = AuditEntry.get(AuditEntry.action == "event.archived")
    assert (entry.subject_id, entry.actor_kind) == (event.id, "staff")
    assert json.loads(entry.changes) == {"lifecycle": ["completed", "archived"]}
    assert ">Archive<" not in client.get(page).get_data(as_text=True)  # nothing more to do
