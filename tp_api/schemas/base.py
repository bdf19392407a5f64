"""Shared pieces: camelCase JSON, strict request bodies, errors, pagination."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from tp_api.schemas.text_rules import email_problem, text_problem


def _aware(value: datetime) -> datetime:
    # A time without a zone is ambiguous for an event sold across time zones: refuse it.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must include a time zone, e.g. 2026-09-01T19:00:00Z")
    if not 1970 <= value.year <= 9998:
        raise ValueError("must be between the years 1970 and 9998")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
Id = Annotated[int, Field(ge=1, le=2**53, description="An id")]
Cents = Annotated[int, Field(ge=0, le=10_000_000_000, description="Integer cents: 2500 = 25.00")]
Quantity = Annotated[int, Field(ge=0, le=10_000_000)]
Limit = Annotated[int, Field(ge=1, le=100, description="Page size, 1 to 100")]
Cursor = Annotated[
    str,
    Field(max_length=200, description="The `nextCursor` of the previous page"),
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
Slug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=120,
        # Hyphen-separated words of lower-case letters and digits, with at least one letter,
        # so a slug can never be mistaken for an id.
        pattern=r"^(?:[0-9]+-)*[0-9]*[a-z][a-z0-9]*(?:-[a-z0-9]+)*$",
        description="Lower-case letters, digits and hyphens, at least one letter; unique per "
        "account",
    ),
]


def _printable(value: str) -> str:
    # Control characters end up in PDFs, e-mail headers and CSV exports; none belongs in a name.
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value.strip()


def _printable_lines(value: str) -> str:
    problem = text_problem(value, multiline=True)
    if problem:
        raise ValueError(problem)
    return value.strip()


def _email(value: str) -> str:
    problem = email_problem(value.strip())
    if problem:
        raise ValueError(problem)
    return value.strip()


def text(max_length: int, *, min_length: int = 0, multiline: bool = False) -> Any:
    """A string field type: trimmed, printable, with a length range. Only ``multiline`` text
    (a description) may hold line breaks."""
    return Annotated[
        str,
        Field(min_length=min_length, max_length=max_length),
        AfterValidator(_printable_lines if multiline else _printable),
    ]


Email = Annotated[
    str,
    Field(max_length=254, description="One e-mail address"),
    AfterValidator(_email),
]


Name = text(300, min_length=1)


class RequestModel(BaseModel):
    """A request body or query: camelCase names, unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        str_strip_whitespace=False,
    )


class ResponseModel(BaseModel):
    """A response object: camelCase names."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class ErrorDetail(ResponseModel):
    code: str
    message: str
    status: int
    request_id: str
    details: Any | None = None


class ErrorBody(ResponseModel):
    """Every admin-API error: ``{"error": {code, message, status, requestId, details?}}``."""

    error: ErrorDetail


class Page(ResponseModel):
    """A page of a list; pass ``nextCursor`` as ``cursor`` for the next one (null at the end)."""

    next_cursor: str | None = None


class SecretRotation(RequestModel):
    """How long the old secret keeps working beside the new one (webhook signing secrets,
    OAuth client secrets): 24 hours unless said, at most a week, 0 to end it at once."""

    grace_hours: int = Field(24, ge=0, le=168)
