"""The seller's questions to attendees: ``/api/v1/events/{id}/questions``."""

from __future__ import annotations

from flask import g

from tp_api.schemas.questions import QuestionCreate, QuestionList, QuestionOut, QuestionUpdate
from tp_api.services.admin_render import question_out
from tp_api.services.events import questions
from tp_api.web.admin import bp
from tp_api.web.api_routes import operation

READ, WRITE = ("events:read",), ("events:write",)
_ALL = "/events/<id_or_slug>/questions"
_ONE = _ALL + "/<int:question_id>"


@operation(
    bp,
    _ALL,
    "GET",
    summary="List an event's questions",
    tag="Questions",
    scopes=READ,
    response=QuestionList,
    errors=(404,),
)
def list_questions(id_or_slug: str) -> QuestionList:
    """In the order they are asked, archived ones last (they still label old answers)."""
    found = questions.event_questions(g.caller.account_id, id_or_slug, archived=True)
    found.sort(key=lambda q: q.archived_at is not None)
    return QuestionList(items=[question_out(q) for q in found])


@operation(
    bp,
    _ALL,
    "POST",
    summary="Ask attendees a question",
    tag="Questions",
    scopes=WRITE,
    body=QuestionCreate,
    response=QuestionOut,
    status=201,
    errors=(400, 404, 422),
)
def add_question(id_or_slug: str, body: QuestionCreate) -> QuestionOut:
    """Asked for every ticket of the event and its dates, or for the ticket types listed."""
    question = questions.add_question(g.caller.account_id, id_or_slug, body, actor=g.caller.actor)
    return question_out(question)


@operation(
    bp,
    _ONE,
    "PATCH",
    summary="Change a question",
    tag="Questions",
    scopes=WRITE,
    body=QuestionUpdate,
    response=QuestionOut,
    errors=(400, 404),
)
def update_question(id_or_slug: str, question_id: int, body: QuestionUpdate) -> QuestionOut:
    """Answers already given stay as they were given."""
    question = questions.update_question(
        g.caller.account_id, id_or_slug, question_id, body, actor=g.caller.actor
    )
    return question_out(question)


@operation(
    bp,
    _ONE,
    "DELETE",
    summary="Stop asking a question",
    tag="Questions",
    scopes=WRITE,
    status=204,
    errors=(404,),
)
def remove_question(id_or_slug: str, question_id: int) -> None:
    """A question with answers is archived (its answers stay readable); one without is
    deleted."""
    questions.remove_question(g.caller.account_id, id_or_slug, question_id, actor=g.caller.actor)
