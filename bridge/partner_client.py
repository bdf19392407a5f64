"""A typed Python client of the Ticket Pulse Partner API (``/tp-api``), for tp-bridge or Ticket
Pulse itself.

One method per documented endpoint; answers parsed into frozen dataclasses; the document's
plain-text errors raised as :class:`PartnerError` subclasses that keep the server's exact
text. It imports requests and the standard library only (no Flask, nothing of ``tp_api``), so a
Python shop can copy or import it on its own; the "my tickets" page (``bridge.web``) talks to
the service through it and nothing else.

Retries: only safe calls (GET) are retried, after a connection error, a timeout, ``429`` or a
``5xx``, with exponential backoff and jitter; a ``Retry-After`` header is honoured when it
asks for at most ``max_retry_after`` seconds (a longer wait is raised at once: a customer is
usually waiting on the other end). POSTs are never retried: ``orders/create`` and
``personalize`` change state, and a timeout does not say whether the server applied them.

The key travels in the query string, as the document requires. It never appears in an
exception's text: messages name the method and path only, and requests' own exceptions
(whose text holds the full URL) are not chained.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import requests

from bridge.partner_errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PartnerError,
    PartnerUnavailable,
    RateLimited,
    ServerError,
    Unauthorized,
    UnexpectedResponse,
    error_for,
    retry_after,
)
from bridge.partner_models import (
    ChildEvent,
    Event,
    OwnedTicket,
    Question,
    QuestionOption,
    ResponseShapeError,
    TicketStatus,
    TicketType,
    UserEvent,
    parse_event,
    parse_owned_ticket,
    parse_question,
    parse_user_event,
)

__all__ = [
    "Attendee",
    "BadRequest",
    "ChildEvent",
    "Conflict",
    "Event",
    "Forbidden",
    "NotFound",
    "OrderCreated",
    "OwnedTicket",
    "PartnerClient",
    "PartnerError",
    "PartnerUnavailable",
    "PersonaliseResult",
    "Question",
    "QuestionOption",
    "RateLimited",
    "ServerError",
    "TicketStatus",
    "TicketType",
    "Unauthorized",
    "UnexpectedResponse",
    "UserEvent",
]

# No (complete) answer came: the call may be tried again if it is safe to repeat.
_NO_ANSWER = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


# --- what goes in and comes out ---------------------------------------------------------------


@dataclass(frozen=True)
class Attendee:
    """One ticket's attendee for ``personalize`` (every field is required by the API)."""

    ticket_id: str
    first_name: str
    last_name: str
    email: str
    tel: str
    # tp-bridge's extension: answers to the seller's questions by question id. None sends
    # nothing, so the body is exactly the document's.
    answers: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class PersonaliseResult:
    """The answer of ``personalize``: the submitted tickets echoed, and whether every ticket of
    the orders touched, for this event, now has its attendee."""

    tickets: tuple[Attendee, ...]
    all_personalized: bool


@dataclass(frozen=True)
class OrderCreated:
    """The answer of ``orders/create``: the documented text, and the order id and reference
    when the server sends them (tp-bridge does, in ``X-TP-Order-Id``/``-Reference`` headers)."""

    message: str
    order_id: int | None
    reference: str | None


# --- the client -------------------------------------------------------------------------------


class PartnerClient:
    """A client of one account's partner API.

    ``base_url`` ends in ``/tp-api`` (``https://ticket-pulse.com/tp-api``); ``key`` is the
    account's private key (empty for an in-process transport that authenticates otherwise).
    ``timeout`` is requests' (connect, read) in seconds; ``retries`` how many times a GET is
    tried again. ``session`` may carry mounted adapters (``bridge.partner_transport``).
    """

    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        timeout: float | tuple[float, float] = (3.05, 10),
        retries: int = 2,
        session: requests.Session | None = None,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        max_retry_after: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        if retries < 0:
            raise ValueError("retries must be 0 or more")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self._key = key
        self._session = session or requests.Session()
        self._sleep = sleep

    def __repr__(self) -> str:
        # Never the key.
        return f"PartnerClient({self.base_url!r})"

    def close(self) -> None:
        """Close the underlying session's connections."""
        self._session.close()

    def __enter__(self) -> PartnerClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- endpoints ----------------------------------------------------------------------------

    def list_events(self) -> tuple[Event, ...]:
        """``GET /events``: every event of the account with its ticket types and sub-dates."""
        data = self._json("GET", "/events")
        return self._parse_list("/events", data, parse_event)

    def user_events(self, wp_user_id: int) -> tuple[UserEvent, ...]:
        """``GET /users/{userId}/events``: the events the external user holds tickets for.

        Raises NotFound (``External user has no orders``) for a user without any order.
        """
        path = f"/users/{_whole(wp_user_id, 'wp_user_id')}/events"
        return self._parse_list(path, self._json("GET", path), parse_user_event)

    def event_tickets(self, event_id: int, wp_user_id: int) -> tuple[OwnedTicket, ...]:
        """``GET /events/{eventId}/tickets``: the user's tickets for the event (and its
        sub-dates), with their attendee details."""
        path = f"/events/{_whole(event_id, 'event_id')}/tickets"
        data = self._json("GET", path, {"wp_user_id": _whole(wp_user_id, "wp_user_id")})
        return self._parse_list(path, data, parse_owned_ticket)

    def event_questions(self, event_id: int) -> tuple[Question, ...]:
        """tp-bridge's ``GET /events/{eventId}/questions``: the seller's questions for the
        event's tickets, in the order they are asked (an extension; not in the document)."""
        path = f"/events/{_whole(event_id, 'event_id')}/questions"
        return self._parse_list(path, self._json("GET", path), parse_question)

    def personalize(
        self, event_id: int, wp_user_id: int, attendees: Sequence[Attendee]
    ) -> PersonaliseResult:
        """``POST /events/{eventId}/tickets/personalize``: all or nothing.

        Tickets not awaiting details are skipped by the server, so re-sending is safe.
        Raises BadRequest with the server's text (e.g. ``email of ticket a3f9b is not an
        e-mail address``) when any attendee is refused; then nothing was saved.
        """
        path = f"/events/{_whole(event_id, 'event_id')}/tickets/personalize"
        body = {"tickets": [_attendee_body(attendee) for attendee in attendees]}
        data = self._json("POST", path, {"wp_user_id": _whole(wp_user_id, "wp_user_id")}, body)
        try:
            if not isinstance(data, dict) or not isinstance(data.get("all_personalized"), bool):
                raise ResponseShapeError("expected {tickets, all_personalized}")
            echoed = data.get("tickets")
            if not isinstance(echoed, list):
                raise ResponseShapeError("tickets is not a list")
            tickets = tuple(_attendee(item) for item in echoed)
        except ResponseShapeError as error:
            raise UnexpectedResponse(200, f"POST {path}: {error}") from None
        return PersonaliseResult(tickets, data["all_personalized"])

    def create_order(self, order: Mapping[str, Any]) -> OrderCreated:
        """``POST /orders/create`` with the documented body (``order_lines`` etc.).

        ``Decimal`` amounts and ``datetime`` values are sent as numbers and ISO 8601. The same
        ``wp_order_id`` again updates the order instead of creating a second one.
        """
        response = self._call("POST", "/orders/create", {}, dict(order))
        raw_id = response.headers.get("X-TP-Order-Id", "")
        return OrderCreated(
            message=response.text,
            order_id=int(raw_id) if raw_id.isascii() and raw_id.isdigit() else None,
            reference=response.headers.get("X-TP-Order-Reference") or None,
        )

    def ticket_download_url(self, wp_user_id: int, ticket_id: str) -> str:
        """``GET /users/get-ticket``: a signed URL of the ticket's QR image (valid one hour;
        fetch a fresh one each time). Raises Unauthorized ``File not found`` before the
        ticket is personalised."""
        params = {"wp_user_id": _whole(wp_user_id, "wp_user_id"), "ticket_id": ticket_id}
        return self._url("/users/get-ticket", params)

    def order_download_url(self, wp_user_id: int, order_id: str) -> str:
        """``GET /orders/get-ticket``: a signed URL of the order's PDF (valid one hour). Raises
        Unauthorized ``File not found`` while a ticket of the order awaits its attendee."""
        params = {"wp_user_id": _whole(wp_user_id, "wp_user_id"), "order_id": order_id}
        return self._url("/orders/get-ticket", params)

    # --- extensions of tp-bridge (docs/partner-api.md) -----------------------------------------

    def wallets(self) -> tuple[str, ...]:
        """``GET /wallets``: the wallets whose passes the service makes (``apple``,
        ``google``). A service without this extension answers 404: then none."""
        try:
            data = self._json("GET", "/wallets")
        except NotFound:
            return ()
        if not isinstance(data, list) or not all(isinstance(w, str) for w in data):
            raise UnexpectedResponse(200, "GET /wallets: expected a JSON array of names")
        return tuple(data)

    def wallet_pass_url(self, wp_user_id: int, ticket_id: str, wallet: str) -> str:
        """``GET /users/get-wallet-pass``: the ticket's Apple Wallet pass as a signed URL
        (valid one hour), or its "Save to Google Wallet" link. Raises NotFound for a wallet
        the service does not offer, and what ``ticket_download_url`` raises."""
        params = {
            "wp_user_id": _whole(wp_user_id, "wp_user_id"),
            "ticket_id": ticket_id,
            "wallet": wallet,
        }
        return self._url("/users/get-wallet-pass", params)

    # --- plumbing -----------------------------------------------------------------------------

    def _url(self, path: str, params: dict[str, str]) -> str:
        url = self._json("GET", path, params)
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise UnexpectedResponse(200, f"GET {path}: expected a URL string")
        return str(url)

    def _parse_list(self, path: str, data: Any, parse: Callable[[Any], Any]) -> tuple[Any, ...]:
        try:
            if not isinstance(data, list):
                raise ResponseShapeError("expected a JSON array")
            return tuple(parse(item) for item in data)
        except ResponseShapeError as error:
            raise UnexpectedResponse(200, f"GET {path}: {error}") from None

    def _json(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> Any:
        response = self._call(method, path, dict(params or {}), body)
        try:
            return response.json()
        except ValueError:
            raise UnexpectedResponse(response.status_code, f"{method} {path}: not JSON") from None

    def _call(
        self, method: str, path: str, params: dict[str, str], body: Any = None
    ) -> requests.Response:
        """One call, retried as the module docstring says; raises a PartnerError."""
        if self._key:
            params = {"key": self._key, **params}
        data = None if body is None else _encode(body)
        headers = {"Accept": "application/json, text/plain"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        attempt = 0
        while True:
            failure, delay = self._attempt(method, path, params, data, headers, attempt)
            if isinstance(failure, requests.Response):
                return failure
            if method != "GET" or attempt >= self.retries or delay is None:
                raise failure
            self._sleep(delay)
            attempt += 1

    def _attempt(
        self,
        method: str,
        path: str,
        params: dict[str, str],
        data: bytes | None,
        headers: dict[str, str],
        attempt: int,
    ) -> tuple[requests.Response | PartnerError, float | None]:
        """The response, or the error with how long to wait before retrying (None: never)."""
        try:
            response = self._session.request(
                method,
                self.base_url + path,
                params=params,
                data=data,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,  # a redirect would carry the key elsewhere
            )
        except _NO_ANSWER as error:
            what = "timed out" if isinstance(error, requests.Timeout) else "connection failed"
            return PartnerUnavailable(None, f"{method} {path}: {what}"), self._backoff(attempt)
        status = response.status_code
        if 200 <= status < 300:
            return response, None
        refused = error_for(method, path, response)
        if status == 429 or status >= 500:
            wait = retry_after(response)
            if wait is None:
                return refused, self._backoff(attempt)
            return refused, (wait if wait <= self.max_retry_after else None)
        return refused, None

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.max_backoff, self.backoff * 2**attempt)
        # Jitter spreads the retries of many clients after one outage; it guards no secret.
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311


def _whole(value: int, name: str) -> str:
    # Path segments and ids are whole numbers: refusing anything else here keeps a typo (or
    # a string with a slash) from reaching another endpoint.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return str(value)


def _attendee_body(attendee: Attendee) -> dict[str, Any]:
    body = asdict(attendee)
    if attendee.answers is None:
        del body["answers"]
    else:
        body["answers"] = dict(attendee.answers)
    return body


def _attendee(item: Any) -> Attendee:
    fields = ("ticket_id", "first_name", "last_name", "email", "tel")
    if not isinstance(item, dict) or not all(isinstance(item.get(f), str) for f in fields):
        raise ResponseShapeError("echoed ticket is not an attendee")
    answers = item.get("answers")
    return Attendee(
        item["ticket_id"],
        item["first_name"],
        item["last_name"],
        item["email"],
        item["tel"],
        answers=dict(answers) if isinstance(answers, dict) else None,
    )


def _encode(body: Any) -> bytes:
    return json.dumps(body, default=_json_default, allow_nan=False).encode()


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, MappingProxyType):
        return dict(value)
    raise TypeError(f"cannot send {type(value).__name__} as JSON")
