"""The partner API (``/tp-api``) in the OpenAPI document.

The partner views (``tp_api.web.partner``) validate by hand and answer errors in plain text,
as the Ticket Pulse document prescribes, so they are not declared with ``@operation``.
Importing this module registers one :class:`~tp_api.web.api_routes.Operation` per route:
the JSON bodies are the models of :mod:`tp_api.schemas.partner` (so they land in the
document's components), and parameters and responses, plain-text errors included, are given
in full through ``Operation.extra``.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from tp_api.schemas.partner import (
    PartnerEventList,
    PartnerOrderCreate,
    PartnerOwnedTicketList,
    PartnerPersonaliseRequest,
    PartnerPersonaliseResponse,
    PartnerSignedUrl,
    PartnerUserEventList,
)
from tp_api.web.api_routes import Operation, register

TAG = "Partner API"
SECURITY = "partnerKey"
_REF = "#/components/schemas/{model}"

# (status, example body, when) of one plain-text error.
Error = tuple[int, str, str]

_STATUS_TEXT = {
    400: "Bad request: a parameter is missing or has an invalid value",
    401: "Not found, or not the caller's to see",
    403: "Authentication failed, or the account cannot access the resource",
    404: "Not found, or the request is not usable",
    409: "Conflict with the current stock or order state",
    413: "The body is too large",
    429: "Too many requests; wait Retry-After seconds",
}

AUTH_ERRORS: tuple[Error, ...] = (
    (403, "Unauthorized", "The `key` parameter is missing, empty, unknown or revoked."),
    (
        429,
        "Too many failed authentication attempts",
        "This client address presented too many bad keys; its further bad keys are refused "
        "for a while (`Retry-After`). A good key is always served.",
    ),
    (
        429,
        "Rate limit exceeded (5000 per 1 second); retry after Retry-After seconds",
        "The key's request budget for this class of endpoints is spent.",
    ),
)
BODY_TOO_LARGE: Error = (413, "Request Entity Too Large", "The body is over TP_MAX_BODY_BYTES.")
WP_USER_ERRORS: tuple[Error, ...] = (
    (400, "Wordpress user not specified", "`wp_user_id` is missing or empty."),
    (400, "wp_user_id must be an integer", "`wp_user_id` is not a whole number."),
)

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before the next attempt",
        "schema": {"type": "integer", "minimum": 0},
    }
}


def ref(model: type[BaseModel]) -> dict[str, str]:
    """A reference to ``model``'s schema in the document's components."""
    return {"$ref": _REF.format(model=model.__name__)}


def json_content(model: type[BaseModel]) -> dict[str, Any]:
    """A JSON media type whose schema is ``model``'s."""
    return {"application/json": {"schema": ref(model)}}


def text_errors(errors: tuple[Error, ...]) -> dict[str, Any]:
    """The responses for plain-text errors, one per status, each body given as an example."""
    by_status: dict[int, list[tuple[str, str]]] = {}
    for status, body, when in errors:
        by_status.setdefault(status, []).append((body, when))
    responses: dict[str, Any] = {}
    for status, rows in sorted(by_status.items()):
        lines = "\n".join(f"- `{body}`: {when}" for body, when in rows)
        response: dict[str, Any] = {
            "description": f"{_STATUS_TEXT[status]}. Plain-text body:\n\n{lines}",
            "content": {
                "text/plain": {
                    "schema": {"type": "string"},
                    "examples": {
                        _example_name(body): {"summary": when, "value": body} for body, when in rows
                    },
                }
            },
        }
        if status == 429:
            response["headers"] = _RETRY_AFTER
        responses[str(status)] = response
    return responses


def _example_name(body: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", body.lower()).strip("_")[:60]


def path_param(name: str, minimum: int, description: str) -> dict[str, Any]:
    """An integer path parameter."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "integer", "minimum": minimum},
    }


def query_param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A required query parameter (the views answer 400 or 401 when it is missing)."""
    return {
        "name": name,
        "in": "query",
        "required": True,
        "description": description,
        "schema": schema,
    }


EVENT_ID = path_param("event_id", 1, "The Ticket Pulse event id (a parent or a child event)")
USER_ID = path_param("user_id", 0, "The external user id from the shop (e.g. WooCommerce)")
WP_USER_ID = query_param(
    "wp_user_id", {"type": "integer", "minimum": 0}, "The external user id from the shop"
)
TICKET_ID = query_param(
    "ticket_id", {"type": "string"}, "The ticket reference (`id` of the tickets endpoint)"
)
ORDER_ID = query_param(
    "order_id",
    {"type": "string"},
    "The order reference, e.g. TP-482917365012 (`order_id` of the tickets endpoint); the bare "
    "number is accepted too",
)


def partner_operation(
    method: str,
    path: str,
    name: str,
    summary: str,
    *,
    parameters: list[dict[str, Any]],
    ok: dict[str, Any],
    errors: tuple[Error, ...],
    response: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    description: str = "",
) -> Operation:
    """One partner-API operation; authentication and rate-limit errors are added to
    ``errors``. ``body`` becomes the (JSON) request body."""
    path_params = {p["name"]: "int" for p in parameters if p["in"] == "path"}
    return Operation(
        method=method,
        path="/tp-api" + path,
        operation_id="partner_" + name,
        summary=summary,
        tag=TAG,
        security=SECURITY,
        body=body,
        response=response,
        path_params=path_params,
        response_media="application/json" if response is not None else "text/plain",
        description=description,
        extra={
            "parameters": parameters,
            "responses": {"200": ok, **text_errors(errors + AUTH_ERRORS)},
        },
    )


PARTNER_OPERATIONS: tuple[Operation, ...] = (
    partner_operation(
        "get",
        "/events",
        "list_events",
        "All events with their ticket types and child events",
        parameters=[],
        response=PartnerEventList,
        ok={"description": "Every event of the account", "content": json_content(PartnerEventList)},
        errors=(),
        description='Prices are strings on events (`"29.95"`) and numbers on ticket types '
        "(`29.95`); dates are Unix timestamps; `stock` is what is left for sale. "
        "Soft-deleted children stay in the list with `deleted_at` set.",
    ),
    partner_operation(
        "get",
        "/users/{user_id}/events",
        "list_user_events",
        "Events an external user holds tickets for",
        parameters=[USER_ID],
        response=PartnerUserEventList,
        ok={
            "description": "The user's events ([] when the user's orders are all unpaid)",
            "content": json_content(PartnerUserEventList),
        },
        errors=(
            (400, "Invalid user id", "`user_id` is not a whole number."),
            (404, "External user has no orders", "The user has no order with this account."),
        ),
    ),
    partner_operation(
        "get",
        "/events/{event_id}/tickets",
        "list_event_tickets",
        "An external user's tickets of an event",
        parameters=[EVENT_ID, WP_USER_ID],
        response=PartnerOwnedTicketList,
        ok={
            "description": "The user's tickets of the event and of its child events",
            "content": json_content(PartnerOwnedTicketList),
        },
        errors=(
            (
                404,
                "Event not found",
                "No such event of the account (also a deleted one or a non-numeric id).",
            ),
            *WP_USER_ERRORS,
        ),
    ),
    partner_operation(
        "post",
        "/events/{event_id}/tickets/personalize",
        "personalize_tickets",
        "Personalise tickets",
        parameters=[EVENT_ID, WP_USER_ID],
        body=PartnerPersonaliseRequest,
        response=PartnerPersonaliseResponse,
        ok={
            "description": "The tickets were personalised (those not in status 1 are skipped)",
            "content": json_content(PartnerPersonaliseResponse),
        },
        errors=(
            (404, "Event not found (12)", "No such event of the account."),
            *WP_USER_ERRORS,
            (
                400,
                "Tickets not specified",
                "The body is empty, not JSON, or has no non-empty `tickets` array.",
            ),
            (400, "User unauthorized for ticket", "The ticket is another account's."),
            (
                400,
                "Wordpress user unauthorized for ticket",
                "The ticket's order belongs to another `wp_user_id`.",
            ),
            (400, "Ticket not found (a3f9b)", "No ticket has this reference."),
            (
                400,
                "Ticket a3f9b is not for event 12",
                "The ticket is for another event (not this one or one of its children).",
            ),
            (
                400,
                "email of ticket a3f9b is not an e-mail address",
                "A field is missing or invalid; the body names the field and the ticket.",
            ),
            BODY_TOO_LARGE,
        ),
        description="All or nothing: the request is validated in full before anything is "
        "written. When the last waiting ticket of an order for the event is personalised, "
        "the tickets are rendered and e-mailed.",
    ),
    partner_operation(
        "post",
        "/orders/create",
        "create_order",
        "Create an order, or update one to processing",
        parameters=[],
        body=PartnerOrderCreate,
        ok={
            "description": "The order was created or updated",
            "headers": {
                "X-TP-Order-Id": {
                    "description": "The order's number (random, twelve digits; tp_order_id)",
                    "schema": {"type": "integer"},
                },
                "X-TP-Order-Reference": {
                    "description": "The order's reference, e.g. TP-482917365012",
                    "schema": {"type": "string"},
                },
            },
            "content": {
                "text/plain": {
                    "schema": {"type": "string", "const": "Order created"},
                    "example": "Order created",
                }
            },
        },
        errors=(
            (404, "Incorrect request", "The body is empty, not JSON, or not a non-empty object."),
            (
                404,
                "Ticket Pulse order does not exist",
                "`tp_order_id` names no order (or is not a number).",
            ),
            (403, "You do not have access to this order", "The order is another account's."),
            (404, "No order lines specified", "A new order needs at least one order line."),
            (
                400,
                "order_lines[0].quantity must be between 0 and 500",
                "A value has the wrong type or is out of range; the body names the field.",
            ),
            (
                400,
                "Ticket type 45 not found",
                "`tp_event_ticket_id` is not a ticket type of the account.",
            ),
            (
                400,
                "Ticket type General Admission (45) is not on sale",
                "The ticket type is disabled, not on sale, or its event is deleted.",
            ),
            (
                409,
                "Not enough tickets left for General Admission (ticket type 45): 3 requested, "
                "1 available",
                "Stock ran out; nothing was created.",
            ),
            (
                409,
                "Order TP-00123 is cancelled and cannot be set to processing",
                "A cancelled or refunded order cannot be paid.",
            ),
            BODY_TOO_LARGE,
        ),
        description="Stock is reserved atomically for every ticket line. With `date_paid` "
        "the order is paid and its tickets are issued. The same `wp_order_id` again updates "
        "the existing order instead of creating a second one.",
    ),
    partner_operation(
        "get",
        "/users/get-ticket",
        "get_ticket",
        "A signed URL of a ticket's QR code image",
        parameters=[WP_USER_ID, TICKET_ID],
        response=PartnerSignedUrl,
        ok={
            "description": "The signed URL, valid for one hour",
            "content": json_content(PartnerSignedUrl),
        },
        errors=(
            *WP_USER_ERRORS,
            (400, "Ticket id not specified", "`ticket_id` is missing."),
            (401, "Ticket not found", "No ticket of the account has this reference."),
            (
                401,
                "Not allowed to see this ticket",
                "The ticket belongs to another external user.",
            ),
            (
                401,
                "File not found",
                "The ticket is not personalised, or is cancelled or deprecated.",
            ),
        ),
    ),
    partner_operation(
        "get",
        "/orders/get-ticket",
        "get_order_tickets",
        "A signed URL of an order's ticket PDF",
        parameters=[WP_USER_ID, ORDER_ID],
        response=PartnerSignedUrl,
        ok={
            "description": "The signed URL, valid for one hour",
            "content": json_content(PartnerSignedUrl),
        },
        errors=(
            *WP_USER_ERRORS,
            (401, "Order not specified", "`order_id` is missing."),
            (401, "Order not found", "No order of the account has this reference."),
            (
                401,
                "Not allowed to see this order",
                "The order belongs to another external user.",
            ),
            (
                401,
                "File not found",
                "A ticket still awaits personalisation, or nothing is printable.",
            ),
        ),
    ),
)

for _operation in PARTNER_OPERATIONS:
    register(_operation)
