"""The Ticket Pulse Partner API (``/tp-api``): thin views, plain-text errors as documented."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from tp_api.models import Account
from tp_api.services.credentials import partner_keys
from tp_api.services.customers import owned
from tp_api.services.delivery import ticket_files, wallet_passes
from tp_api.services.errors import (
    InvalidInput,
    NotFound,
    TicketingError,
    TooManyAttempts,
    Unauthenticated,
)
from tp_api.services.events import catalogue, partner_catalogue, question_reads
from tp_api.services.orders import answers, personalise, submit
from tp_api.services.orders.order_input import parse_partner_order
from tp_api.services.validation import to_int
from tp_api.web import partner_json
from tp_api.web.parts import parts

log = logging.getLogger(__name__)

bp = Blueprint("partner", __name__, url_prefix="/tp-api")

# Where the document prescribes another status than the error's natural one.
_DOCUMENTED_STATUS = {
    "request_malformed": 404,
    "order_id_missing": 401,
    "download_not_found": 401,
    "download_forbidden": 401,
    "file_not_found": 401,
}


def plain_text(body: str, status: int) -> Response:
    """A plain-text response, the partner API's only error format."""
    return Response(body, status=status, mimetype="text/plain")


@bp.errorhandler(TicketingError)
def _ticketing_error(error: TicketingError) -> Response:
    response = plain_text(error.message, _DOCUMENTED_STATUS.get(error.code, error.status))
    if isinstance(error, TooManyAttempts):
        response.headers["Retry-After"] = str(error.retry_after_s)
    return response


# Set only by in-process callers (bridge.partner_transport, for the "my tickets" page the
# service hosts): the account they act for. A WSGI server files every HTTP header under an
# HTTP_* key, so an environ key with a dot can never come from a client.
PAGE_ACCOUNT_ENVIRON = "tp.page_account"


@bp.before_request
def _authenticate() -> None:
    page_account = request.environ.get(PAGE_ACCOUNT_ENVIRON)
    if page_account is not None:
        # Only an int is ours; an unknown account is refused like an unknown key.
        valid = isinstance(page_account, int) and not isinstance(page_account, bool)
        account = Account.get_or_none(Account.id == page_account) if valid else None
        if account is None:
            raise Unauthenticated("Unauthorized")
        g.auth = partner_keys.AuthContext(account.id, account.name, key_id=0)
        return
    g.auth = partner_keys.authenticate(
        request.args.get("key"),
        client=request.remote_addr or "unknown",
        throttle=parts().auth_throttle,
    )


@bp.after_request
def _mark_test_mode(response: Response) -> Response:
    auth = g.get("auth")
    if auth is not None and auth.test_mode:
        response.headers["X-TP-Test-Mode"] = "true"  # a test-mode key: docs/sandbox.md
    return response


def _account_id() -> int:
    return int(g.auth.account_id)


def _wp_user_id(*, required: bool) -> int | None:
    raw = request.args.get("wp_user_id", "").strip()
    if not raw:
        if required:
            raise InvalidInput("Wordpress user not specified", code="wp_user_missing")
        return None
    return to_int(raw, "wp_user_id", minimum=0)


def _user_id(raw: str) -> int:
    try:
        return to_int(raw, "userId", minimum=0)
    except InvalidInput:
        raise InvalidInput("Invalid user id", code="user_id_invalid") from None


def _event_id(raw: str, not_found: str) -> int:
    # A path id that is not a number names no event: answered like any unknown event.
    try:
        return to_int(raw, "eventId", minimum=1)
    except InvalidInput:
        raise NotFound(not_found, code="event_not_found") from None


def _json_body() -> Any:
    """The request body as JSON, or None when it is empty or not JSON (the caller decides)."""
    raw = request.get_data(cache=False)
    if not raw.strip():
        return None
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None


def _reject_constant(name: str) -> None:
    # NaN and Infinity are not JSON, though Python's parser accepts them.
    raise ValueError(f"{name} is not valid JSON")


@bp.get("/events")
def list_events() -> Response:
    tree = partner_catalogue.offered_events(_account_id())
    return jsonify([partner_json.event_json(node) for node in tree])


@bp.get("/users/<user_id>/events")
def list_user_events(user_id: str) -> Response:
    wp_user_id = _user_id(user_id)
    found = owned.events_of_user(_account_id(), wp_user_id)
    return jsonify([partner_json.user_event_json(event) for event in found])


@bp.get("/events/<event_id>/tickets")
def list_event_tickets(event_id: str) -> Response:
    account_id = _account_id()
    event = catalogue.get_event(account_id, _event_id(event_id, "Event not found"))
    wp_user_id = _wp_user_id(required=True)
    assert wp_user_id is not None
    items = owned.tickets_of_user(account_id, event.id, wp_user_id)
    # Only an event that asks questions adds their fields: otherwise byte-for-byte seed 003.
    asked = answers.questions_of_tickets(
        question_reads.questions_of([question_reads.root_event_id(event)]),
        (i.ticket for i in items),
    )
    found = []
    for item in items:
        shown = partner_json.owned_ticket_json(item)
        if item.ticket.id in asked:
            shown.update(partner_json.owned_ticket_questions_json(asked[item.ticket.id]))
        found.append(shown)
    return jsonify(found)


@bp.get("/events/<event_id>/questions")
def list_event_questions(event_id: str) -> Response:
    """An extension: the seller's questions for the event's tickets, in the order asked."""
    event = catalogue.get_event(_account_id(), _event_id(event_id, "Event not found"))
    found = question_reads.questions_of([question_reads.root_event_id(event)])
    return jsonify([partner_json.question_json(q) for q in found])


@bp.post("/events/<event_id>/tickets/personalize")
def personalize_tickets(event_id: str) -> Response:
    body = _json_body()
    outcome = personalise.personalise_tickets(
        _account_id(),
        _event_id(event_id, f"Event not found ({event_id})"),
        wp_user_id=request.args.get("wp_user_id", ""),
        body=body,
    )
    return jsonify({"tickets": body["tickets"], "all_personalized": outcome.all_personalised})


@bp.post("/orders/create")
def create_order() -> Response:
    order_input = parse_partner_order(_json_body())
    outcome = submit.submit_order(
        _account_id(),
        order_input,
        hold_seconds=parts().unpaid_hold_seconds,
        partner_key_id=g.auth.key_id or None,  # 0: the "my tickets" page, keyless
        rooms=parts().waiting_rooms,
    )
    log.info(
        "order %s %s for account %s (%s, %d tickets issued)",
        outcome.reference,
        "created" if outcome.created else "updated",
        g.auth.account_name,
        outcome.status,
        outcome.tickets_issued,
    )
    response = plain_text("Order created", 200)
    # The documented body is plain text; these let a client that reads headers learn the id.
    response.headers["X-TP-Order-Id"] = str(outcome.number)
    response.headers["X-TP-Order-Reference"] = outcome.reference
    return response


@bp.get("/users/get-ticket")
def get_ticket() -> Response:
    url = ticket_files.ticket_link(
        parts().ticket_tools,
        _account_id(),
        _wp_user_id(required=False),
        request.args.get("ticket_id", "").strip(),
    )
    return jsonify(url)


@bp.get("/orders/get-ticket")
def get_order_tickets() -> Response:
    url = ticket_files.order_link(
        parts().ticket_tools,
        _account_id(),
        _wp_user_id(required=False),
        request.args.get("order_id", "").strip(),
    )
    return jsonify(url)


# --- extensions (docs/partner-api.md, "Wallet passes") ---------------------------------------


@bp.get("/wallets")
def list_wallets() -> Response:
    """The wallets whose passes this service makes: ``["apple", "google"]``, or fewer."""
    return jsonify(list(parts().ticket_tools.wallets.names()))


@bp.get("/users/get-wallet-pass")
def get_wallet_pass() -> Response:
    url = wallet_passes.wallet_link(
        parts().ticket_tools,
        _account_id(),
        _wp_user_id(required=False),
        request.args.get("ticket_id", "").strip(),
        request.args.get("wallet", "").strip(),
    )
    return jsonify(url)
