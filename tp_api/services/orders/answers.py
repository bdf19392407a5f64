"""Attendees' answers to the seller's questions: checked, stored with the ticket, and read
back in words.

Answers arrive with a ticket's personalisation (the partner API's ``answers`` extension,
the "my tickets" page) as ``{question id: value}``. Each value is checked against its
question's type; a ticket whose type has a required question without an answer is not
complete, so it stays awaiting details (status 1) until the answer comes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from tp_api.db import tuples, utcnow
from tp_api.models import Question, QuestionKind, Ticket, TicketAnswer
from tp_api.schemas.text_rules import email_problem, text_problem
from tp_api.services.errors import InvalidInput, Said
from tp_api.services.events.question_reads import asks, options_of

MAX_TEXT = 200
MAX_LONG_TEXT = 2000
_PHONE = re.compile(r"^\+?[0-9 ()./-]{4,30}$")
_YES = frozenset({"yes", "true", "1", "ja", "y", "on"})
_NO = frozenset({"no", "false", "0", "nee", "n", "off"})


class AnswerProblem(ValueError):
    """Why a value is no answer to its question (the end of a refusal's sentence)."""


def asked_for(questions: Iterable[Question], ticket: Ticket) -> list[Question]:
    """The questions (of the ticket's top-level event) asked for this ticket's type."""
    return [q for q in questions if asks(q, ticket.ticket_type_id)]


def parse_answers(item: Mapping[str, Any], reference: str) -> dict[int, Any] | None:
    """A ticket's ``answers`` object as ``{question id: raw value}``; None when absent."""
    raw = item.get("answers")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InvalidInput(
            Said("answers of ticket {reference} must be an object", reference=reference)
        )
    parsed: dict[int, Any] = {}
    for key, value in raw.items():
        text = str(key).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 15):
            raise InvalidInput(
                Said(
                    "answers of ticket {reference}: {key} is not a question id",
                    reference=reference,
                    key=text[:40],
                )
            )
        parsed[int(text)] = value
    return parsed


def save_answers(ticket: Ticket, questions: list[Question], given: Mapping[int, Any]) -> None:
    """Check and store ``given`` for the ticket, inside the caller's transaction.

    A question not asked for this ticket is refused; an empty value removes an earlier
    answer. Raises InvalidInput naming the question and the ticket.
    """
    by_id = {q.id: q for q in questions}
    for question_id, raw in sorted(given.items()):
        question = by_id.get(question_id)
        if question is None:
            raise InvalidInput(
                Said(
                    "answer {question_id} of ticket {reference} is not a question for it",
                    question_id=question_id,
                    reference=ticket.reference,
                ),
                code="question_not_found",
            )
        try:
            stored = stored_value(question, raw)
        except AnswerProblem as problem:
            raise InvalidInput(
                Said(
                    "answer {question_id} of ticket {reference} {problem}",
                    question_id=question_id,
                    reference=ticket.reference,
                    problem=str(problem),
                ),
                code="invalid_answer",
            ) from None
        _store(ticket.id, question_id, stored)


def _store(ticket_id: int, question_id: int, stored: str | None) -> None:
    where = (TicketAnswer.ticket == ticket_id) & (TicketAnswer.question == question_id)
    if stored is None:
        TicketAnswer.delete().where(where).execute()
        return
    now = utcnow()
    updated = TicketAnswer.update(value=stored, updated_at=now).where(where).execute()
    if not updated:
        TicketAnswer.create(ticket=ticket_id, question=question_id, value=stored, updated_at=now)


def unanswered(ticket: Ticket, questions: list[Question]) -> list[Question]:
    """The required questions of the ticket's type that it has no answer to yet."""
    required = [q.id for q in asked_for(questions, ticket) if q.required]
    if not required:
        return []
    answered = {
        a.question_id
        for a in TicketAnswer.select(TicketAnswer.question).where(
            TicketAnswer.ticket == ticket.id, TicketAnswer.question.in_(required)
        )
    }
    return [q for q in questions if q.id in required and q.id not in answered]


def stored_value(question: Question, raw: Any) -> str | None:
    """The text stored for ``raw`` as an answer to ``question``; None for no answer.

    Raises AnswerProblem with the end of a sentence ("must be a number").
    """
    if raw is None or raw == "" or raw == []:
        return None
    kind = question.kind
    if kind == QuestionKind.YES_NO:
        return _yes_no(raw)
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return _choices(question, raw)
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise AnswerProblem("must be text")
    text = str(raw).strip()
    if not text:
        return None
    return _CHECKS.get(kind, _short_text)(question, text)


def _short_text(_question: Question, text: str) -> str:
    return _text(text, MAX_TEXT, multiline=False)


def _long_text(_question: Question, text: str) -> str:
    return _text(text, MAX_LONG_TEXT, multiline=True)


def _text(text: str, limit: int, *, multiline: bool) -> str:
    if len(text) > limit:
        raise AnswerProblem(f"is longer than {limit} characters")
    problem = text_problem(text, multiline=multiline)
    if problem:
        raise AnswerProblem(problem)
    return text


def _choice(question: Question, text: str) -> str:
    return _option(question, text)


def _option(question: Question, text: str) -> str:
    # The value or, for people typing it, a label in either language.
    wanted = text.strip().casefold()
    for option in options_of(question):
        if wanted in (option.value.casefold(), option.label.casefold(), option.label_nl.casefold()):
            return option.value
    values = ", ".join(o.value for o in options_of(question))
    raise AnswerProblem(f"must be one of: {values}")


def _choices(question: Question, raw: Any) -> str | None:
    items = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(i, str) for i in items):
        raise AnswerProblem("must be a list of option values")
    chosen = [_option(question, i) for i in items if i.strip()]
    # Kept in the options' order, each once, whatever order they were sent in.
    order = [o.value for o in options_of(question)]
    picked = [v for v in order if v in set(chosen)]
    return json.dumps(picked) if picked else None


def _yes_no(raw: Any) -> str:
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    text = str(raw).strip().casefold() if isinstance(raw, str | int) else ""
    if text in _YES:
        return "yes"
    if text in _NO:
        return "no"
    raise AnswerProblem("must be yes or no")


def _date(_question: Question, text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat() if len(text) == 10 else _bad_date()
    except ValueError:
        return _bad_date()


def _bad_date() -> str:
    raise AnswerProblem("must be a date as YYYY-MM-DD")


def _email(_question: Question, text: str) -> str:
    if email_problem(text):
        raise AnswerProblem("is not an e-mail address")
    return text


def _phone(_question: Question, text: str) -> str:
    if not _PHONE.match(text) or sum(c.isdigit() for c in text) < 4:
        raise AnswerProblem("must be a phone number")
    return text


def _number(_question: Question, text: str) -> str:
    try:
        number = Decimal(text.replace(",", ".") if text.count(",") == 1 else text)
    except InvalidOperation:
        raise AnswerProblem("must be a number") from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
        raise AnswerProblem("must be a number")
    return format(number.normalize(), "f")


_CHECKS = {
    QuestionKind.TEXT: _short_text,
    QuestionKind.LONG_TEXT: _long_text,
    QuestionKind.CHOICE: _choice,
    QuestionKind.DATE: _date,
    QuestionKind.EMAIL: _email,
    QuestionKind.PHONE: _phone,
    QuestionKind.NUMBER: _number,
}


# --- reading answers back -------------------------------------------------------------------


@dataclass(frozen=True)
class ShownAnswer:
    """An answer as people read it: the question's label and the answer in words."""

    question_id: int
    label: str
    text: str
    value: str | list[str] | bool
    show_on_ticket: bool


def answers_of(ticket_ids: Iterable[int]) -> dict[int, dict[int, str]]:
    """The stored answers of these tickets: ``{ticket id: {question id: stored}}``."""
    ids = sorted(set(ticket_ids))
    found: dict[int, dict[int, str]] = {}
    for start in range(0, len(ids), 500):
        rows = tuples(
            TicketAnswer.select(
                TicketAnswer.ticket, TicketAnswer.question, TicketAnswer.value
            ).where(TicketAnswer.ticket.in_(ids[start : start + 500]))
        )
        for ticket_id, question_id, value in rows:
            found.setdefault(ticket_id, {})[question_id] = value
    return found


def shown(
    questions: list[Question], stored: Mapping[int, str], *, lang: str = "en"
) -> list[ShownAnswer]:
    """The answers in the questions' order (archived questions too), in ``lang``."""
    return [
        ShownAnswer(
            question_id=q.id,
            label=label_in(q, lang),
            text=answer_text(q, stored[q.id], lang=lang),
            value=answer_value(q, stored[q.id]),
            show_on_ticket=q.show_on_ticket,
        )
        for q in questions
        if q.id in stored
    ]


def label_in(question: Question, lang: str) -> str:
    """The question's label in ``lang`` (English when it has no Dutch)."""
    return (question.label_nl if lang == "nl" else "") or question.label


def answer_value(question: Question, stored: str) -> str | list[str] | bool:
    """The stored answer as JSON gives it: a list for multiple choice, a bool for yes/no."""
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return [str(v) for v in json.loads(stored)]
    if question.kind == QuestionKind.YES_NO:
        return stored == "yes"
    return stored


_YES_NO_WORDS = {"en": {"yes": "Yes", "no": "No"}, "nl": {"yes": "Ja", "no": "Nee"}}


def answer_text(question: Question, stored: str, *, lang: str = "en") -> str:
    """The answer in words: option labels for choices, Yes/No (Ja/Nee) for yes/no."""
    if question.kind == QuestionKind.YES_NO:
        return _YES_NO_WORDS.get(lang, _YES_NO_WORDS["en"]).get(stored, stored)
    if question.kind in QuestionKind.WITH_OPTIONS:
        labels = {
            o.value: (o.label_nl if lang == "nl" else "") or o.label for o in options_of(question)
        }
        values = answer_value(question, stored)
        chosen = values if isinstance(values, list) else [str(values)]
        # An option removed since keeps its value as its words.
        return ", ".join(labels.get(v, v) for v in chosen)
    return stored


def shown_for_tickets(
    ticket_ids: Iterable[int], *, lang: str = "en"
) -> dict[int, list[ShownAnswer]]:
    """Each ticket's answers in words (one query when none has any), by ticket id."""
    stored = answers_of(ticket_ids)
    if not stored:
        return {}
    question_ids = {qid for answers in stored.values() for qid in answers}
    questions = list(
        Question.select()
        .where(Question.id.in_(sorted(question_ids)))
        .order_by(Question.position, Question.id)
    )
    return {
        ticket_id: shown(questions, answers, lang=lang) for ticket_id, answers in stored.items()
    }


@dataclass(frozen=True)
class TicketQuestions:
    """What a ticket is asked and what it answered so far (for the partner API's owned
    tickets): the questions' ids and the stored answers as JSON gives them."""

    question_ids: list[int]
    answers: dict[int, str | list[str] | bool]


def questions_of_tickets(
    questions: list[Question], tickets: Iterable[Ticket]
) -> dict[int, TicketQuestions]:
    """For each ticket (by id), the questions of its type and its answers; {} when the
    event asks nothing."""
    if not questions:
        return {}
    tickets = list(tickets)
    stored = answers_of(t.id for t in tickets)
    by_id = {q.id: q for q in questions}
    found: dict[int, TicketQuestions] = {}
    for ticket in tickets:
        mine = stored.get(ticket.id, {})
        found[ticket.id] = TicketQuestions(
            question_ids=[q.id for q in asked_for(questions, ticket)],
            answers={
                qid: answer_value(by_id[qid], value) for qid, value in mine.items() if qid in by_id
            },
        )
    return found
