"""The partner API's plain-text errors as exceptions (bridge.partner_client raises them).

Standard library and requests only, like the client: a shop can copy both on their own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests

_MAX_MESSAGE = 1000


class PartnerError(Exception):
    """The partner API refused a call, or could not be reached.

    ``status`` is the HTTP status (None when no answer came); ``message`` the server's
    plain-text body, exactly as sent (e.g. ``Wordpress user not specified``).
    """

    def __init__(self, status: int | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.status!r}, {self.message!r})"


class BadRequest(PartnerError):
    """``400``: a parameter is missing or invalid (the text names it)."""


class Unauthorized(PartnerError):
    """``401``: in the document's words, the resource was not found or the caller may not see
    it (``Ticket not found``, ``Not allowed to see this order``, ``File not found``)."""


class Forbidden(PartnerError):
    """``403``: the key is missing, unknown or revoked (``Unauthorized``), or the order belongs
    to another account."""


class NotFound(PartnerError):
    """``404``: e.g. ``Event not found``, ``External user has no orders``."""


class Conflict(PartnerError):
    """``409``: e.g. not enough tickets left for an order."""


class RateLimited(PartnerError):
    """``429``: too many calls, or too many failed keys; ``retry_after`` in seconds if given."""

    def __init__(self, status: int | None, message: str, retry_after: float | None = None):
        super().__init__(status, message)
        self.retry_after = retry_after


class ServerError(PartnerError):
    """``5xx``: the service failed (retried for GETs before this is raised)."""


class PartnerUnavailable(PartnerError):
    """No answer: the connection failed or timed out (retried for GETs before this is raised)."""


class UnexpectedResponse(PartnerError):
    """An answer the document does not describe: another status, a redirect, or a body that
    is not the documented JSON."""


_ERRORS: dict[int, type[PartnerError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
}


def error_for(method: str, path: str, response: requests.Response) -> PartnerError:
    """The exception for a refused call: by status, with the server's text (capped)."""
    status = response.status_code
    if 300 <= status < 400:
        target = urlsplit(response.headers.get("Location", ""))
        where = f"{target.scheme}://{target.netloc}{target.path}" if target.netloc else "?"
        return UnexpectedResponse(status, f"{method} {path}: redirected to {where}")
    message = response.text[:_MAX_MESSAGE]
    if status == 429:
        return RateLimited(status, message, retry_after(response))
    if status >= 500:
        return ServerError(status, message)
    return _ERRORS.get(status, PartnerError)(status, message)


def retry_after(response: requests.Response) -> float | None:
    """The response's ``Retry-After`` in seconds (see :func:`retry_after_seconds`)."""
    return retry_after_seconds(response.headers.get("Retry-After"))


def retry_after_seconds(value: str | None) -> float | None:
    """A ``Retry-After`` value in seconds: a number, or an HTTP date (RFC 9110); None if
    absent or unreadable. The WooCommerce adapter reads its shops' answers with it too."""
    raw = (value or "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit():
        return float(raw)
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
