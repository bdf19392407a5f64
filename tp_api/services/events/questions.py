"""The seller's questions to attendees: made, changed and removed per event, each change
in the audit trail in its own transaction.

A question belongs to a top-level event and is asked for the tickets of the event and its
dates, of every ticket type or of the ones it lists. A question that has answers is
archived when removed (no longer asked, its answers kept); changing a label or an option's
label keeps every answer, because answers store the option's value.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from tp_api.db import utcnow, write_transaction
from tp_api.models import Event, Question, QuestionKind, TicketAnswer, TicketType
from tp_api.schemas.questions import OptionIn, QuestionCreate, QuestionUpdate
from tp_api.services import audit_trail
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.errors import InvalidInput, NotFound, Said, Unprocessable
from tp_api.services.events.event_admin import locked_event
from tp_api.services.events.event_catalogue import find_event
from tp_api.services.events.question_reads import options_of, questions_of, type_ids_of

MAX_QUESTIONS = 50


def event_questions(account_id: int, id_or_slug: str, *, archived: bool = False) -> list[Question]:
    """The questions of one of the account's events (NotFound for another's)."""
    event = find_event(account_id, id_or_slug)
    return questions_of([event.id], archived=archived)


def add_question(
    account_id: int, id_or_slug: str, data: QuestionCreate, *, actor: Actor = SYSTEM
) -> Question:
    """A new question of the event, asked from now on (after the others unless placed)."""
    actor.require("events:write")
    with write_transaction():
        event = locked_event(account_id, id_or_slug)
        live = questions_of([event.id])
        if len(live) >= MAX_QUESTIONS:
            raise Unprocessable(
                Said("An event has at most {limit} questions", limit=MAX_QUESTIONS),
                code="too_many_questions",
            )
        now = utcnow()
        position = data.position
        if position is None:
            position = max((q.position for q in live), default=-1) + 1
        question = Question.create(
            account=account_id,
            event=event.id,
            kind=data.type,
            label=data.label,
            label_nl=data.label_nl,
            help_text=data.help_text,
            help_text_nl=data.help_text_nl,
            required=data.required,
            position=position,
            ticket_type_ids=json.dumps(_checked_types(event, data.ticket_type_ids)),
            options=json.dumps(_checked_options(data.type, data.options)),
            show_on_ticket=data.show_on_ticket,
            created_at=now,
            updated_at=now,
        )
        values = audit_trail.created(question_values(question))
        audit_trail.record(account_id, actor, "question.created", _subject(question), values)
    return question


def update_question(
    account_id: int,
    id_or_slug: str,
    question_id: int,
    data: QuestionUpdate,
    *,
    actor: Actor = SYSTEM,
) -> Question:
    """Change the fields sent. Answers already given stay as they are: a question made
    required later does not make tickets already personalised incomplete."""
    actor.require("events:write")
    changes = data.model_dump(exclude_unset=True)
    with write_transaction():
        event = locked_event(account_id, id_or_slug)
        question = _question_of(event, question_id)
        before = question_values(question)
        for field in ("label", "label_nl", "help_text", "help_text_nl", "required"):
            if changes.get(field) is not None:
                setattr(question, field, changes[field])
        for field in ("position", "show_on_ticket"):
            if changes.get(field) is not None:
                setattr(question, field, changes[field])
        if data.ticket_type_ids is not None:
            question.ticket_type_ids = json.dumps(_checked_types(event, data.ticket_type_ids))
        if data.options is not None:
            question.options = json.dumps(_checked_options(question.kind, data.options))
        diff = audit_trail.changed(before, question_values(question))
        if diff:
            question.updated_at = utcnow()
            question.save()
            audit_trail.record(account_id, actor, "question.updated", _subject(question), diff)
    return question


def remove_question(
    account_id: int, id_or_slug: str, question_id: int, *, actor: Actor = SYSTEM
) -> bool:
    """Stop asking a question. One with answers is archived (its answers stay in the
    exports and the order view); one without is deleted. Returns True when archived."""
    actor.require("events:write")
    with write_transaction():
        event = locked_event(account_id, id_or_slug)
        question = _question_of(event, question_id)
        answered = TicketAnswer.select().where(TicketAnswer.question == question.id).exists()
        if answered:
            now = utcnow()
            question.archived_at = question.updated_at = now
            question.save()
        else:
            question.delete_instance()
        audit_trail.record(
            account_id,
            actor,
            "question.archived" if answered else "question.deleted",
            _subject(question),
        )
    return answered


def question_values(question: Question) -> dict[str, Any]:
    """What the audit trail compares."""
    return {
        "type": question.kind,
        "label": question.label,
        "label_nl": question.label_nl,
        "help_text": question.help_text,
        "help_text_nl": question.help_text_nl,
        "required": question.required,
        "position": question.position,
        "ticket_type_ids": type_ids_of(question),
        "options": [o.value for o in options_of(question)],
        "show_on_ticket": question.show_on_ticket,
    }


def _subject(question: Question) -> tuple[str, int | None, str]:
    return ("question", question.id, question.label)


def _question_of(event: Event, question_id: int) -> Question:
    question = Question.get_or_none(
        (Question.id == question_id) & (Question.event == event.id) & Question.archived_at.is_null()
    )
    if question is None:
        raise NotFound("Question not found", code="question_not_found")
    return question


def _checked_types(event: Event, ids: Sequence[int]) -> list[int]:
    """The ids, each a ticket type of the event or of one of its dates."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    scope = Event.select(Event.id).where((Event.id == event.id) | (Event.parent == event.id))
    found = {
        t.id
        for t in TicketType.select(TicketType.id).where(
            TicketType.id.in_(wanted), TicketType.event.in_(scope)
        )
    }
    missing = [i for i in wanted if i not in found]
    if missing:
        raise InvalidInput(
            Said("Ticket type {type_id} is not one of this event's", type_id=missing[0]),
            code="ticket_type_not_found",
        )
    return wanted


def _checked_options(kind: str, options: Sequence[OptionIn]) -> list[dict[str, str]]:
    """The options as stored, with a value for each; only choice questions have them."""
    if kind not in QuestionKind.WITH_OPTIONS:
        if options:
            raise InvalidInput("Only choice questions have options", code="options_not_allowed")
        return []
    if len(options) < 2:
        raise InvalidInput("A choice question needs at least two options", code="too_few_options")
    stored: list[dict[str, str]] = []
    seen: set[str] = set()
    for option in options:
        value = option.value or option_value(option.label)
        if value.casefold() in seen:
            raise InvalidInput(
                Said("Two options have the value {value}", value=value), code="duplicate_option"
            )
        seen.add(value.casefold())
        stored.append({"value": value, "label": option.label, "labelNl": option.label_nl})
    return stored


def option_value(label: str) -> str:
    """A stable value made from an option's label: lower-case ASCII words and hyphens."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    value = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]
    return value or label.strip()[:60]
