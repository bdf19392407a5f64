"""The seller's questions to attendees, and answers, in the admin API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from tp_api.schemas.base import Id, RequestModel, ResponseModel, text

QuestionType = Literal[
    "text",
    "long_text",
    "choice",
    "multiple_choice",
    "yes_no",
    "date",
    "email",
    "phone",
    "number",
]
OptionValue = text(60, min_length=1)
Label = text(300, min_length=1)
DutchLabel = text(300)
Help = text(500)


class OptionIn(RequestModel):
    """One choice: ``value`` is what an answer stores (made from the label when left out)."""

    label: Label  # type: ignore[valid-type]
    label_nl: DutchLabel = ""  # type: ignore[valid-type]
    value: OptionValue | None = None  # type: ignore[valid-type]


class _Options(RequestModel):
    @model_validator(mode="after")
    def _check_options(self) -> _Options:
        options = getattr(self, "options", None)
        if options is not None and len(options) > 100:
            raise ValueError("at most 100 options")
        return self


class QuestionCreate(_Options):
    """A question asked for every ticket of the event (and its dates), or only for the
    ticket types listed."""

    type: QuestionType
    label: Label  # type: ignore[valid-type]
    label_nl: DutchLabel = ""  # type: ignore[valid-type]
    help_text: Help = ""  # type: ignore[valid-type]
    help_text_nl: Help = ""  # type: ignore[valid-type]
    required: bool = False
    position: int | None = Field(None, ge=0, le=10_000, description="Asked in this order")
    ticket_type_ids: list[Id] = Field(default_factory=list, max_length=200)
    options: list[OptionIn] = Field(default_factory=list, max_length=100)
    show_on_ticket: bool = False


class QuestionUpdate(_Options):
    """Fields to change; the type of a question stays what it was made as."""

    label: Label | None = None  # type: ignore[valid-type]
    label_nl: DutchLabel | None = None  # type: ignore[valid-type]
    help_text: Help | None = None  # type: ignore[valid-type]
    help_text_nl: Help | None = None  # type: ignore[valid-type]
    required: bool | None = None
    position: int | None = Field(None, ge=0, le=10_000)
    ticket_type_ids: list[Id] | None = Field(None, max_length=200)
    options: list[OptionIn] | None = Field(None, max_length=100)
    show_on_ticket: bool | None = None


class OptionOut(ResponseModel):
    value: str
    label: str
    label_nl: str


class QuestionOut(ResponseModel):
    id: int
    event_id: int
    type: QuestionType
    label: str
    label_nl: str
    help_text: str
    help_text_nl: str
    required: bool
    position: int
    ticket_type_ids: list[int] = Field(description="Empty: every ticket type of the event")
    options: list[OptionOut]
    show_on_ticket: bool
    archived: bool = Field(description="Removed while it had answers: no longer asked")
    created_at: datetime
    updated_at: datetime


class QuestionList(ResponseModel):
    items: list[QuestionOut]


class AnswerOut(ResponseModel):
    question_id: int
    label: str = Field(description="The question as it reads now")
    value: str | list[str] | bool | None = Field(
        description="As stored: text, a list for multiple choice, true/false for yes/no"
    )
    text: str = Field(description="The answer in words, as the PDF and exports show it")
