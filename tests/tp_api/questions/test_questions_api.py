"""The seller's questions (issue 19): /api/v1/events/{id}/questions, answers given with the
partner API's personalise call (the ``answers`` extension), and answers read back."""

from __future__ import annotations

import json

import pytest

from tests.admin_api import Admin
from tp_api.models import AuditEntry, OutboxEntry, Question, Ticket, TicketAnswer, TicketStatus
from tp_api.services.delivery.outbox import DELIVER_TICKETS


def _person(ref, **changes):
    data = {
        "ticket_id": ref,
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane@example.com",
        "tel": "+31612345678",
    }
    data.update(changes)
    return data


def _personalise(client, key, event_id, tickets, wp_user_id=7):
    return client.post(
        f"/tp-api/events/{event_id}/tickets/personalize?key={key}&wp_user_id={wp_user_id}",
        data=json.dumps({"tickets": tickets}),
        content_type="application/json",
    )


@pytest.fixture
def shop(client, factory):
    seller = factory.seller()
    event = factory.event(seller)
    ticket_type = factory.ticket_type(event)
    outcome = factory.order(seller, ticket_type, quantity=2)
    refs = [
        t.reference
        for t in Ticket.select().where(Ticket.order == outcome.order_id).order_by(Ticket.id)
    ]
    api = Admin(client, factory.api_key(seller))
    return seller, event, ticket_type, outcome, refs, api


def _ask(api, event_id, **fields):
    answer = api.post(f"/events/{event_id}/questions", fields)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()


def test_questions_are_made_listed_changed_and_audited(shop):
    seller, event, ticket_type, _outcome, _refs, api = shop
    size = _ask(
        api,
        event.id,
        type="choice",
        label="T-shirt size",
        labelNl="Shirtmaat",
        required=True,
        options=[{"label": "Small", "labelNl": "Klein"}, {"label": "Extra large"}],
        ticketTypeIds=[ticket_type.id],
        showOnTicket=True,
    )
    assert [o["value"] for o in size["options"]] == ["small", "extra-large"]
    assert size["position"] == 0 and size["ticketTypeIds"] == [ticket_type.id]
    diet = _ask(api, event.id, type="long_text", label="Dietary needs", helpText="Allergies")
    assert diet["position"] == 1 and diet["ticketTypeIds"] == [] and diet["options"] == []

    listed = api.get(f"/events/{event.id}/questions").get_json()["items"]
    assert [q["label"] for q in listed] == ["T-shirt size", "Dietary needs"]

    changed = api.patch(f"/events/{event.id}/questions/{diet['id']}", {"required": True})
    assert changed.status_code == 200 and changed.get_json()["required"] is True
    actions = [
        e.action
        for e in AuditEntry.select().where(AuditEntry.account == seller.id).order_by(AuditEntry.id)
    ]
    assert actions[-3:] == ["question.created", "question.created", "question.updated"]


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"type": "choice", "label": "Size", "options": [{"label": "S"}]}, "at least two"),
        ({"type": "text", "label": "Name", "options": [{"label": "S"}, {"label": "M"}]}, "Only"),
        (
            {"type": "choice", "label": "Size", "options": [{"label": "S"}, {"label": "s"}]},
            "Two options",
        ),
        ({"type": "text", "label": "X", "ticketTypeIds": [999999]}, "not one of this event"),
        ({"type": "colour", "label": "X"}, "type"),
        ({"type": "text", "label": ""}, "label"),
    ],
)
def test_a_question_that_cannot_be_asked_is_refused_in_words(shop, fields, words):
    _seller, event, *_rest, api = shop
    answer = api.post(f"/events/{event.id}/questions", fields)
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert words in json.dumps(answer.get_json()["error"])
    assert Question.select().count() == 0


def test_another_sellers_event_has_no_questions_to_change(shop, factory, client):
    _seller, event, *_rest, api = shop
    other = Admin(client, factory.api_key(factory.seller()))
    assert other.get(f"/events/{event.id}/questions").status_code == 404
    question = _ask(api, event.id, type="text", label="Company")
    assert other.delete(f"/events/{event.id}/questions/{question['id']}").status_code == 404


def test_a_required_answer_keeps_the_ticket_waiting_until_it_comes(client, shop):
    seller, event, ticket_type, _outcome, refs, api = shop
    size = _ask(
        api,
        event.id,
        type="choice",
        label="Size",
        required=True,
        options=[{"label": "S"}, {"label": "M"}],
    )
    agree = _ask(api, event.id, type="yes_no", label="Photos OK?")

    # Seed 003's body, without answers: names saved, both tickets still awaiting details.
    first = _personalise(client, seller.key, event.id, [_person(refs[0]), _person(refs[1])])
    assert first.status_code == 200
    assert first.get_json()["all_personalized"] is False
    assert {t.status for t in Ticket.select()} == {TicketStatus.CREATED}
    assert Ticket.get(Ticket.reference == refs[0]).first_name == "Jane"
    assert OutboxEntry.select().where(OutboxEntry.kind == DELIVER_TICKETS).count() == 0

    answered = [
        _person(refs[0], answers={str(size["id"]): "M", str(agree["id"]): True}),
        _person(refs[1], answers={str(size["id"]): "s"}),
    ]
    second = _personalise(client, seller.key, event.id, answered)
    assert second.get_json()["all_personalized"] is True
    assert {t.status for t in Ticket.select()} == {TicketStatus.ACTIVE}
    assert OutboxEntry.select().where(OutboxEntry.kind == DELIVER_TICKETS).count() == 1
    stored = sorted((a.ticket.reference, a.question_id, a.value) for a in TicketAnswer.select())
    assert stored == sorted(
        [(refs[0], size["id"], "m"), (refs[0], agree["id"], "yes"), (refs[1], size["id"], "s")]
    )


@pytest.mark.parametrize(
    ("kind", "extra", "value", "problem"),
    [
        ("choice", {"options": [{"label": "S"}, {"label": "M"}]}, "XL", "must be one of: s, m"),
        (
            "multiple_choice",
            {"options": [{"label": "A"}, {"label": "B"}]},
            [1],
            "must be a list of option values",
        ),
        ("yes_no", {}, "maybe", "must be yes or no"),
        ("date", {}, "31-12-2026", "must be a date as YYYY-MM-DD"),
        ("email", {}, "not-an-address", "is not an e-mail address"),
        ("phone", {}, "call me", "must be a phone number"),
        ("number", {}, "twelve", "must be a number"),
        ("text", {}, "x" * 201, "is longer than 200 characters"),
        ("text", {}, "two\nlines", "must not contain control characters"),
        ("text", {}, {"a": 1}, "must be text"),
    ],
)
def test_a_wrong_answer_is_refused_in_the_documents_plain_text(
    client, shop, kind, extra, value, problem
):
    seller, event, _type, _outcome, refs, api = shop
    question = _ask(api, event.id, type=kind, label="Q", **extra)
    body = [_person(refs[0], answers={str(question["id"]): value})]
    answer = _personalise(client, seller.key, event.id, body)
    assert answer.status_code == 400
    assert answer.mimetype == "text/plain"
    assert answer.get_data(as_text=True) == (
        f"answer {question['id']} of ticket {refs[0]} {problem}"
    )
    # All or nothing: the name was not saved either.
    assert Ticket.get(Ticket.reference == refs[0]).first_name == ""


def test_answers_to_questions_not_asked_are_refused(client, shop):
    seller, event, _type, _outcome, refs, api = shop
    body = [_person(refs[0], answers={"12345": "x"})]
    answer = _personalise(client, seller.key, event.id, body)
    assert answer.status_code == 400
    assert answer.get_data(as_text=True) == (
        f"answer 12345 of ticket {refs[0]} is not a question for it"
    )
    not_object = _personalise(client, seller.key, event.id, [_person(refs[0], answers=["x"])])
    assert not_object.get_data(as_text=True) == f"answers of ticket {refs[0]} must be an object"


def test_a_question_for_one_ticket_type_is_asked_only_there(client, factory, shop):
    seller, event, ticket_type, _outcome, refs, api = shop
    other_type = api.post(
        f"/events/{event.id}/ticket-types", {"name": "VIP", "price": 5000, "quantity": 5}
    ).get_json()
    vip_only = _ask(
        api,
        event.id,
        type="text",
        label="Seat wish",
        required=True,
        ticketTypeIds=[other_type["id"]],
    )
    # The General Admission tickets are complete without it, and cannot answer it.
    done = _personalise(client, seller.key, event.id, [_person(refs[0]), _person(refs[1])])
    assert done.get_json()["all_personalized"] is True
    listed = client.get(f"/tp-api/events/{event.id}/tickets?key={seller.key}&wp_user_id=7")
    assert [t["question_ids"] for t in listed.get_json()] == [[], []]
    questions = client.get(f"/tp-api/events/{event.id}/questions?key={seller.key}").get_json()
    assert questions == [
        {
            "id": vip_only["id"],
            "type": "text",
            "label": {"en": "Seat wish", "nl": "Seat wish"},
            "help": {"en": "", "nl": ""},
            "required": True,
            "ticket_type_ids": [other_type["id"]],
            "options": [],
        }
    ]


def test_owned_tickets_are_unchanged_when_nothing_is_asked(client, shop):
    seller, event, _type, _outcome, refs, api = shop
    listed = client.get(f"/tp-api/events/{event.id}/tickets?key={seller.key}&wp_user_id=7")
    assert all("answers" not in t and "question_ids" not in t for t in listed.get_json())
    question = _ask(api, event.id, type="number", label="Age")
    _personalise(
        client, seller.key, event.id, [_person(refs[0], answers={str(question["id"]): "42,5"})]
    )
    listed = client.get(f"/tp-api/events/{event.id}/tickets?key={seller.key}&wp_user_id=7")
    first = listed.get_json()[0]
    assert first["question_ids"] == [question["id"]]
    assert first["answers"] == {str(question["id"]): "42.5"}


def test_answers_show_in_the_order_and_outlive_their_question(client, shop):
    seller, event, _type, outcome, refs, api = shop
    size = _ask(
        api,
        event.id,
        type="multiple_choice",
        label="Workshops",
        options=[{"label": "Clay"}, {"label": "Glass"}, {"label": "Wood"}],
    )
    body = [_person(refs[0], answers={str(size["id"]): ["wood", "Clay"]})]
    assert _personalise(client, seller.key, event.id, body).status_code == 200

    def answers_of_first_ticket():
        order = api.get(f"/orders/{outcome.number}").get_json()
        return order["tickets"][0]["answers"]

    assert answers_of_first_ticket() == [
        {
            "questionId": size["id"],
            "label": "Workshops",
            "value": ["clay", "wood"],
            "text": "Clay, Wood",
        }
    ]
    # Relabel an option and drop another: the answer keeps its values.
    api.patch(
        f"/events/{event.id}/questions/{size['id']}",
        {"options": [{"label": "Ceramics", "value": "clay"}, {"label": "Glass"}]},
    )
    assert answers_of_first_ticket()[0]["text"] == "Ceramics, wood"
    # Removing an answered question archives it; its answers stay.
    assert api.delete(f"/events/{event.id}/questions/{size['id']}").status_code == 204
    listed = api.get(f"/events/{event.id}/questions").get_json()["items"]
    assert [(q["id"], q["archived"]) for q in listed] == [(size["id"], True)]
    assert answers_of_first_ticket()[0]["value"] == ["clay", "wood"]
    # No longer asked of new tickets.
    questions = client.get(f"/tp-api/events/{event.id}/questions?key={seller.key}").get_json()
    assert questions == []
    # An unanswered question is deleted outright.
    lone = _ask(api, event.id, type="text", label="Company")
    assert api.delete(f"/events/{event.id}/questions/{lone['id']}").status_code == 204
    assert Question.get_or_none(Question.id == lone["id"]) is None
