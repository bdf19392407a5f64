"""An event's questions in the console (issue 19): add, refuse beside the field, change
with options kept by value, remove (archived when answered); answers on the order page,
in the attendee list and its CSV; in Dutch too."""

from __future__ import annotations

import csv
import html
import io
import re

from tests.tp_api.console.support import page_text, post_form
from tp_api.db import utcnow
from tp_api.models import AuditEntry, Question, TicketAnswer


def _add(client, event, **fields: str):
    path = f"/console/events/{event.id}/questions"
    data = {"type": "text", "label": "", "labelNl": "", "helpText": "", "helpTextNl": ""}
    data.update(fields)
    return post_form(client, path, path, data)


def _field_error(response, name: str) -> str:
    html = response.get_data(as_text=True)
    found = re.search(rf'id="{re.escape(name)}-error">([^<]*)<', html)
    assert found, f"no error slot for {name}"
    return found.group(1)


def _answer(factory, seller, event, question, value):
    outcome = factory.order(seller, factory.ticket_type(event), quantity=1)
    tickets = factory.personalise_all(seller, outcome)
    # Answered as the partner API stores it (the API's own tests cover the checking).
    TicketAnswer.create(
        ticket=tickets[0].id, question=question.id, value=value, updated_at=utcnow()
    )
    return outcome, tickets[0]


def test_add_a_choice_question_then_change_its_labels_keeping_answers(client, factory, seller):
    event = factory.event(seller, name="Harbour Jazz")
    ticket_type = factory.ticket_type(event)
    page = client.get(f"/console/events/{event.id}")
    assert f'href="/console/events/{event.id}/questions"' in page.get_data(as_text=True)
    response = _add(
        client,
        event,
        type="choice",
        label="T-shirt size",
        labelNl="Shirtmaat",
        options="Small | Klein\nLarge | Groot",
        ticketTypeIds=str(ticket_type.id),
        required="on",
        showOnTicket="on",
    )
    assert response.status_code == 302, page_text(response)
    question = Question.get()
    assert (question.kind, question.required, question.show_on_ticket) == ("choice", True, True)
    listed = page_text(client.get(f"/console/events/{event.id}/questions"))
    assert "T-shirt size" in listed and "Choice (one)" in listed and "General Admission" in listed

    edit_path = f"/console/events/{event.id}/questions/{question.id}"
    form = client.get(edit_path).get_data(as_text=True)
    assert "small = Small | Klein" in form  # the value, kept when the label changes
    _outcome, ticket = _answer(factory, seller, event, question, "small")
    changed = post_form(
        client,
        edit_path,
        edit_path,
        {
            "label": "Shirt size",
            "labelNl": "Shirtmaat",
            "helpText": "",
            "helpTextNl": "",
            "options": "small = Petite | Klein\nLarge | Groot",
            "ticketTypeIds": str(ticket_type.id),
            "required": "on",
        },
    )
    assert changed.status_code == 302, page_text(changed)
    question = Question.get_by_id(question.id)
    assert question.label == "Shirt size" and not question.show_on_ticket
    assert '"value": "small", "label": "Petite"' in question.options
    assert TicketAnswer.get(TicketAnswer.ticket == ticket.id).value == "small"
    actions = [e.action for e in AuditEntry.select().order_by(AuditEntry.id)]
    assert actions[-2:] == ["question.created", "question.updated"]


def test_a_question_that_cannot_be_asked_is_refused_beside_its_field(client, factory, seller):
    event = factory.event(seller)
    no_label = _add(client, event, label="")
    assert no_label.status_code == 422
    assert _field_error(no_label, "label") == "Fill this in."
    one_option = _add(client, event, type="choice", label="Size", options="Only one")
    assert one_option.status_code == 400
    assert _field_error(one_option, "options") == "A choice question needs at least two options"
    assert 'value="Size"' in one_option.get_data(as_text=True)  # what was typed stays
    dutch = post_form(
        client,
        f"/console/events/{event.id}/questions?lang=nl",
        f"/console/events/{event.id}/questions?lang=nl",
        {"type": "text", "label": "Bedrijf", "options": "A\nB"},
    )
    assert _field_error(dutch, "options") == "Alleen keuzevragen hebben mogelijkheden"
    assert Question.select().count() == 0


def test_answers_show_on_the_order_the_attendee_list_and_its_csv(client, factory, seller):
    event = factory.event(seller)
    _add(client, event, type="yes_no", label="Photos OK?", labelNl="Foto's goed?")
    question = Question.get()
    outcome, ticket = _answer(factory, seller, event, question, "yes")

    order = client.get(f"/console/orders/{outcome.number}")
    assert "Photos OK? Yes" in page_text(order)
    attendees = page_text(client.get(f"/console/events/{event.id}/attendees"))
    assert "Photos OK? Yes" in attendees
    exported = client.get(f"/console/events/{event.id}/attendees.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0][-1] == "Photos OK?"
    assert [r[-1] for r in rows[1:] if r[0] == ticket.reference] == ["Yes"]
    # In Dutch, the question's Dutch label and Ja (the choice of language then sticks).
    dutch = client.get(f"/console/orders/{outcome.number}?lang=nl")
    assert "Foto's goed? Ja" in html.unescape(page_text(dutch))


def test_removing_a_question_keeps_its_answers(client, factory, seller):
    event = factory.event(seller)
    _add(client, event, type="text", label="Company")
    _add(client, event, type="text", label="Unused")
    company, unused = list(Question.select().order_by(Question.id))
    outcome, ticket = _answer(factory, seller, event, company, "ACME")
    for question in (company, unused):
        path = f"/console/events/{event.id}/questions/{question.id}"
        removed = post_form(client, path, path + "/remove", {})
        assert removed.status_code == 302
    assert Question.get_by_id(company.id).archived_at is not None
    assert Question.get_or_none(Question.id == unused.id) is None
    listed = page_text(client.get(f"/console/events/{event.id}/questions"))
    assert "1 question is no longer asked; its answers are kept." in listed
    assert "Company ACME" in page_text(client.get(f"/console/orders/{outcome.number}"))
    assert TicketAnswer.select().where(TicketAnswer.ticket == ticket.id).count() == 1
    assert client.get(f"/console/events/{event.id}/questions/{company.id}").status_code == 404
