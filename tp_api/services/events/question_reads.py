"""Reading the seller's questions: which a ticket is asked, their options and ticket types.

Only models here, so the renderers, the answers and the attendee list can read questions
without importing the services that change them (tp_api.services.events.questions).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from tp_api.models import Event, Question


@dataclass(frozen=True)
class Option:
    """One choice of a question: the stored ``value`` and its labels."""

    value: str
    label: str
    label_nl: str = ""


def options_of(question: Question) -> list[Option]:
    """The question's choices, in their order (empty unless it is a choice question)."""
    return [
        Option(str(o.get("value", "")), str(o.get("label", "")), str(o.get("labelNl", "")))
        for o in json.loads(question.options or "[]")
    ]


def type_ids_of(question: Question) -> list[int]:
    """The ticket types it is asked for; empty means every type of the event."""
    return [int(i) for i in json.loads(question.ticket_type_ids or "[]")]


def asks(question: Question, ticket_type_id: int) -> bool:
    """Whether ``question`` is asked for a ticket of this type."""
    ids = type_ids_of(question)
    return not ids or ticket_type_id in ids


def root_event_id(event: Event) -> int:
    """The top-level event whose questions a ticket of ``event`` (maybe a date) answers."""
    return event.parent_id or event.id


def questions_of(event_ids: Iterable[int], *, archived: bool = False) -> list[Question]:
    """The questions of these top-level events in the order they are asked (archived ones
    too when ``archived``: they still label old answers)."""
    ids = sorted(set(event_ids))
    if not ids:
        return []
    query = Question.select().where(Question.event.in_(ids))
    if not archived:
        query = query.where(Question.archived_at.is_null())
    return list(query.order_by(Question.event, Question.position, Question.id))
