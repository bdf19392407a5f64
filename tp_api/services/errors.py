"""The errors services raise. Each carries a stable code; one handler per API renders it.

``status`` is the natural HTTP status; an API whose contract prescribes another status for
a given code (the partner API does) maps the code itself.
"""

from __future__ import annotations

from typing import Any


class Said(str):
    """A refusal's sentence that carries its values apart from its words:
    ``Said("Shop {name!r} already exists", name=name)`` is the string the API answers (the
    words filled in, as an f-string would), and a page in another language can look the
    words up and fill in the same values (tp_api.web.languages.translated)."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Said:
        said = super().__new__(cls, template.format(**values))
        said.template = template
        said.values = values
        return said


class TicketingError(Exception):
    """Base class: a refusal the caller can act on, never a crash."""

    status = 400
    default_code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = details


class InvalidInput(TicketingError):
    """A parameter is missing or has an invalid value."""

    status = 400
    default_code = "invalid_input"


class NotFound(TicketingError):
    """The thing asked for does not exist for this caller."""

    status = 404
    default_code = "not_found"


class Forbidden(TicketingError):
    """The caller is known but may not touch this resource."""

    status = 403
    default_code = "forbidden"


class Unauthenticated(TicketingError):
    """No valid credential was presented."""

    status = 403
    default_code = "unauthenticated"


class TooManyAttempts(TicketingError):
    """The client failed authentication too often and is refused for a while."""

    status = 429
    default_code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after_s: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s


class Conflict(TicketingError):
    """The request is valid but the current state does not allow it."""

    status = 409
    default_code = "conflict"


class Unprocessable(TicketingError):
    """The request is well-formed but its content cannot be applied (e.g. removing a sold
    ticket type, an Idempotency-Key reused with another body)."""

    status = 422
    default_code = "unprocessable"


class OutOfStock(Conflict):
    """Not enough units of a ticket type (or of an event's shared pool) are left."""

    default_code = "out_of_stock"
