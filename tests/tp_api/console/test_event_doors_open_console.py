"""When the doors open, set in the console's event form: the minutes before the start from
which tickets are valid at the door (empty: at any time), in English and Dutch."""

from __future__ import annotations

from tests.tp_api.console.support import page_text, post_form
from tests.tp_api.console.test_event_editor import NEW_EVENT, _field_error
from tp_api.models import Event

NEW = "/console/events/new"


def test_a_new_event_opens_its_doors_as_typed_and_an_edit_clears_it(client, seller):
    created = post_form(client, NEW, NEW, {**NEW_EVENT, "admissionOpensMinutes": "45"})
    assert created.status_code == 302, page_text(created)
    event = Event.get(Event.slug == "harbour-jazz-2027")
    assert event.admission_opens_minutes == 45
    edit = f"/console/events/{event.id}/edit"
    assert 'name="admissionOpensMinutes" type="text" value="45"' in client.get(edit).get_data(
        as_text=True
    )
    fields = {k: v for k, v in NEW_EVENT.items() if not k.startswith("ticketTypes")}
    saved = post_form(client, edit, edit, {**fields, "admissionOpensMinutes": ""})
    assert saved.status_code == 302, page_text(saved)
    assert Event.get_by_id(event.id).admission_opens_minutes is None


def test_left_empty_the_doors_open_at_any_time(client, seller):
    assert post_form(client, NEW, NEW, NEW_EVENT).status_code == 302
    assert Event.get(Event.slug == "harbour-jazz-2027").admission_opens_minutes is None


def test_a_wrong_number_is_said_next_to_the_field(client, seller):
    words = post_form(client, NEW, NEW, {**NEW_EVENT, "admissionOpensMinutes": "an hour"})
    assert words.status_code == 422
    assert _field_error(words, "admissionOpensMinutes") == "Enter a whole number."
    week = post_form(client, NEW, NEW, {**NEW_EVENT, "admissionOpensMinutes": "20000"})
    assert _field_error(week, "admissionOpensMinutes") == (
        "Input should be less than or equal to 10080"
    )
    assert Event.select().count() == 0


def test_the_field_in_dutch(client, seller):
    text = page_text(client.get(f"{NEW}?lang=nl"))
    assert "Deuren open (minuten voor de start)" in text
    assert "Vanaf dan zijn tickets geldig aan de deur; leeg: op elk moment." in text


def test_a_date_opens_its_doors_as_typed_and_empty_means_as_the_event(client, factory, seller):
    from tests.tp_api.console.test_event_dates_console import NEW_DATE

    event = factory.event(seller, ticket_stock=100)
    Event.update(admission_opens_minutes=60).where(Event.id == event.id).execute()
    new = f"/console/events/{event.id}/dates/new"
    added = post_form(client, new, new, {**NEW_DATE, "admissionOpensMinutes": "15"})
    assert added.status_code == 302, page_text(added)
    date = Event.get(Event.parent == event.id)
    assert date.admission_opens_minutes == 15
    edit = f"/console/events/{event.id}/dates/{date.id}"
    page = client.get(edit).get_data(as_text=True)
    assert 'name="admissionOpensMinutes" type="text" value="15"' in page
    fields = {k: v for k, v in NEW_DATE.items() if not k.startswith("ticketTypes")}
    wrong = post_form(client, edit, edit, {**fields, "admissionOpensMinutes": "soon"})
    assert wrong.status_code == 422
    assert _field_error(wrong, "admissionOpensMinutes") == "Enter a whole number."
    assert Event.get_by_id(date.id).admission_opens_minutes == 15
    saved = post_form(client, edit, edit, {**fields, "admissionOpensMinutes": ""})
    assert saved.status_code == 302, page_text(saved)
    assert Event.get_by_id(date.id).admission_opens_minutes is None
    assert "Empty: as the event." in page_text(client.get(edit))
