"""The partner API's answers as frozen dataclasses, parsed field by field from the documented JSON.

Part of the standalone client (``bridge.partner_client`` re-exports everything a caller
needs): the standard library only. Parsing is strict about types, so an answer that is not
what the document shows fails loudly (``ResponseShapeError``) instead of putting ``None``
where a number was promised; extra fields are ignored, so a newer server does not break it.

Conversions: Unix timestamps and ISO 8601 strings become aware ``datetime`` values (UTC when
no offset is given); prices become ``Decimal`` (events send ``"29.95"``, ticket types
``29.95``: both arrive as ``Decimal("29.95")``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import IntEnum
from types import MappingProxyType
from typing import Any


class ResponseShapeError(ValueError):
    """The JSON is not shaped as the document says (the message names the field)."""


class TicketStatus(IntEnum):
    """The document's ticket status values."""

    CREATED = 1
    ACTIVE = 2
    SCANNED_IN = 3
    SCANNED_OUT = 4
    CANCELLED = 5


# Personalised tickets, scanned or not, have a QR code and a place in the order PDF.
_DOWNLOADABLE = (TicketStatus.ACTIVE, TicketStatus.SCANNED_IN, TicketStatus.SCANNED_OUT)


@dataclass(frozen=True)
class TicketType:
    """A ticket type inside an event's ``tickets``."""

    id: int
    name: str
    stock: int
    price: Decimal
    status: int
    date: datetime | None
    enabled: bool


@dataclass(frozen=True)
class ChildEvent:
    """A sub-event (e.g. one day of a festival) inside an event's ``children``."""

    id: int
    name: str
    status: int
    stock: int
    price: Decimal
    featured: bool
    tickets: tuple[TicketType, ...]
    manage_price_per_ticket: bool
    manage_stock_per_ticket: bool
    start_date: datetime | None
    end_date: datetime | None
    event_params: Mapping[str, Any]
    password: str | None
    thumbnail: str | None
    location: str | None
    deleted_at: datetime | None


@dataclass(frozen=True)
class Event:
    """A top-level event of ``GET /events``."""

    id: int
    name: str
    city: str | None
    start_date: datetime | None
    end_date: datetime | None
    price: Decimal
    stock: int
    status: int
    tickets: tuple[TicketType, ...]
    children: tuple[ChildEvent, ...]


@dataclass(frozen=True)
class UserEvent:
    """One entry of ``GET /users/{userId}/events``."""

    id: int
    name: str
    start_date: datetime | None


@dataclass(frozen=True)
class OwnedTicket:
    """One ticket of ``GET /events/{eventId}/tickets``. ``id`` is the ticket reference (the
    ``ticket_id`` of the other calls); ``order_id`` the order reference (``TP-00123``)."""

    id: str
    event_name: str
    event_start_date: datetime | None
    start_date: datetime | None
    order_id: str
    name: str
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    status: int
    is_deprecated: bool
    # tp-bridge's extension, only when the event asks questions: the questions asked for
    # this ticket and the answers given so far (by question id, as text).
    question_ids: tuple[int, ...] = ()
    answers: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def awaiting_details(self) -> bool:
        """Whether ``personalize`` would fill this ticket in (status 1, not replaced)."""
        return self.status == TicketStatus.CREATED and not self.is_deprecated

    @property
    def downloadable(self) -> bool:
        """Whether the ticket has a QR code to fetch (personalised, not cancelled/replaced)."""
        return self.status in _DOWNLOADABLE and not self.is_deprecated


@dataclass(frozen=True)
class QuestionOption:
    """One choice of a question: the ``value`` an answer sends, and its label by language."""

    value: str
    label: Mapping[str, str]


@dataclass(frozen=True)
class Question:
    """One of the seller's questions (tp-bridge's ``GET /events/{eventId}/questions``).

    ``type`` is text, long_text, choice, multiple_choice, yes_no, date, email, phone or
    number; ``label`` and ``help`` map a language (``en``, ``nl``) to the text.
    """

    id: int
    type: str
    label: Mapping[str, str]
    help: Mapping[str, str]
    required: bool
    ticket_type_ids: tuple[int, ...]
    options: tuple[QuestionOption, ...]

    def label_in(self, lang: str) -> str:
        """The label in ``lang``, else in English."""
        return self.label.get(lang) or self.label.get("en", "")

    def help_in(self, lang: str) -> str:
        """The help text in ``lang``, else in English (empty when there is none)."""
        return self.help.get(lang) or self.help.get("en", "")


# --- parsers ---------------------------------------------------------------------------------


def parse_event(data: Any) -> Event:
    """A top-level event object."""
    obj = _object(data, "event")
    return Event(
        id=_int(obj, "id"),
        name=_str(obj, "name"),
        city=_opt_str(obj, "city"),
        start_date=_unix(obj, "start_date"),
        end_date=_unix(obj, "end_date"),
        price=_decimal(obj, "price"),
        stock=_int(obj, "stock"),
        status=_int(obj, "status"),
        tickets=_list(obj, "tickets", parse_ticket_type),
        children=_list(obj, "children", parse_child_event),
    )


def parse_child_event(data: Any) -> ChildEvent:
    """A child event object."""
    obj = _object(data, "child event")
    params = obj.get("event_params")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise ResponseShapeError("event_params is not an object")
    return ChildEvent(
        id=_int(obj, "id"),
        name=_str(obj, "name"),
        status=_int(obj, "status"),
        stock=_int(obj, "stock"),
        price=_decimal(obj, "price"),
        featured=_bool(obj, "featured"),
        tickets=_list(obj, "tickets", parse_ticket_type),
        manage_price_per_ticket=_bool(obj, "manage_price_per_ticket"),
        manage_stock_per_ticket=_bool(obj, "manage_stock_per_ticket"),
        start_date=_unix(obj, "start_date"),
        end_date=_unix(obj, "end_date"),
        event_params=MappingProxyType(params),
        password=_opt_str(obj, "password"),
        thumbnail=_opt_str(obj, "thumbnail"),
        location=_opt_str(obj, "location"),
        deleted_at=_unix(obj, "deleted_at"),
    )


def parse_ticket_type(data: Any) -> TicketType:
    """A ticket type object."""
    obj = _object(data, "ticket type")
    return TicketType(
        id=_int(obj, "id"),
        name=_str(obj, "name"),
        stock=_int(obj, "stock"),
        price=_decimal(obj, "price"),
        status=_int(obj, "status"),
        date=_unix(obj, "date"),
        enabled=_bool(obj, "enabled"),
    )


def parse_user_event(data: Any) -> UserEvent:
    """An entry of the user's events."""
    obj = _object(data, "user event")
    return UserEvent(_int(obj, "id"), _str(obj, "name"), _iso(obj, "start_date"))


def parse_owned_ticket(data: Any) -> OwnedTicket:
    """A ticket of the user's tickets for an event."""
    obj = _object(data, "ticket")
    return OwnedTicket(
        id=_str(obj, "id"),
        event_name=_str(obj, "event_name"),
        event_start_date=_iso(obj, "event_start_date"),
        start_date=_iso(obj, "start_date"),
        order_id=_str(obj, "order_id"),
        name=_str(obj, "name"),
        first_name=_opt_str(obj, "first_name"),
        last_name=_opt_str(obj, "last_name"),
        email=_opt_str(obj, "email"),
        phone=_opt_str(obj, "phone"),
        status=_int(obj, "status"),
        is_deprecated=_bool(obj, "is_deprecated"),
        question_ids=_ids(obj, "question_ids"),
        answers=MappingProxyType(dict(_optional_object(obj, "answers"))),
    )


def parse_question(data: Any) -> Question:
    """One question of the event's questions."""
    obj = _object(data, "question")
    options = obj.get("options", [])
    if not isinstance(options, list):
        raise ResponseShapeError("question.options is not a list")
    return Question(
        id=_int(obj, "id"),
        type=_str(obj, "type"),
        label=_texts(obj, "label"),
        help=_texts(obj, "help"),
        required=_bool(obj, "required"),
        ticket_type_ids=_ids(obj, "ticket_type_ids"),
        options=tuple(
            QuestionOption(_str(_object(o, "option"), "value"), _texts(o, "label")) for o in options
        ),
    )


def _ids(obj: dict[str, Any], field: str) -> tuple[int, ...]:
    value = obj.get(field) or []
    if not isinstance(value, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in value
    ):
        raise ResponseShapeError(f"{field} is not a list of ids")
    return tuple(value)


def _optional_object(obj: dict[str, Any], field: str) -> dict[str, Any]:
    value = obj.get(field) or {}
    if not isinstance(value, dict):
        raise ResponseShapeError(f"{field} is not an object")
    return value


def _texts(obj: dict[str, Any], field: str) -> Mapping[str, str]:
    value = _optional_object(obj, field)
    if not all(isinstance(v, str) for v in value.values()):
        raise ResponseShapeError(f"{field} is not a text per language")
    return MappingProxyType(dict(value))


def _object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ResponseShapeError(f"{what} is not a JSON object")
    return data


def _list(obj: dict[str, Any], field: str, parse: Any) -> tuple[Any, ...]:
    value = obj.get(field)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ResponseShapeError(f"{field} is not a list")
    return tuple(parse(item) for item in value)


def _int(obj: dict[str, Any], field: str) -> int:
    value = obj.get(field)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ResponseShapeError(f"{field} is not an integer")
    return value


def _bool(obj: dict[str, Any], field: str) -> bool:
    value = obj.get(field)
    if not isinstance(value, bool):
        raise ResponseShapeError(f"{field} is not a boolean")
    return value


def _str(obj: dict[str, Any], field: str) -> str:
    value = obj.get(field)
    if not isinstance(value, str):
        raise ResponseShapeError(f"{field} is not a string")
    return value


def _opt_str(obj: dict[str, Any], field: str) -> str | None:
    value = obj.get(field)
    if value is not None and not isinstance(value, str):
        raise ResponseShapeError(f"{field} is not a string or null")
    return value


def _decimal(obj: dict[str, Any], field: str) -> Decimal:
    value = obj.get(field)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ResponseShapeError(f"{field} is not a price")
    try:
        # str() first: Decimal(29.95) would be 29.949999999999999289...
        price = Decimal(str(value))
    except InvalidOperation:
        raise ResponseShapeError(f"{field} is not a price") from None
    if not price.is_finite():
        raise ResponseShapeError(f"{field} is not a price")
    return price


def _unix(obj: dict[str, Any], field: str) -> datetime | None:
    value = obj.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ResponseShapeError(f"{field} is not a Unix timestamp")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise ResponseShapeError(f"{field} is not a Unix timestamp") from None


def _iso(obj: dict[str, Any], field: str) -> datetime | None:
    value = obj.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ResponseShapeError(f"{field} is not an ISO 8601 date")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ResponseShapeError(f"{field} is not an ISO 8601 date") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
