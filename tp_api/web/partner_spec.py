"""The partner API (``/tp-api``) in the OpenAPI document.

The partner views (``tp_api.web.partner``) validate by hand and answer errors in plain text,
as the Ticket Pulse document prescribes, so they are not declared with ``@operation``.
Importing this module registers one :class:`~tp_api.web.api_routes.Operation` per route:
the JSON bodies are the models of :mod:`tp_api.schemas.partner` (so they land in the
document's components), and parameters and responses, plain-text errors included, are given
in full through ``Operation.extra``.
"""

from __future__ import annotations

from tp_api.schemas.partner import (
    PartnerEventList,
    PartnerOrderCreate,
    PartnerOwnedTicketList,
    PartnerPersonaliseRequest,
    PartnerPersonaliseResponse,
    PartnerQuestionList,
    PartnerSignedUrl,
    PartnerUserEventList,
    PartnerWalletList,
    PartnerWalletUrl,
)
from tp_api.web.api_routes import Operation, register
from tp_api.web.partner_spec_parts import (
    BODY_TOO_LARGE,
    EVENT_ID,
    ORDER_ID,
    TICKET_ID,
    USER_ID,
    WP_USER_ERRORS,
    WP_USER_ID,
    json_content,
    partner_operation,
    query_param,
)

WALLET = query_param(
    "wallet", {"type": "string", "enum": ["apple", "google"]}, "Which wallet's pass"
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
        "get",
        "/events/{event_id}/questions",
        "list_event_questions",
        "The seller's questions to attendees (an extension)",
        parameters=[EVENT_ID],
        response=PartnerQuestionList,
        ok={
            "description": "The questions asked for the event's tickets, in order ([] when none)",
            "content": json_content(PartnerQuestionList),
        },
        errors=(
            (
                404,
                "Event not found",
                "No such event of the account (also a deleted one or a non-numeric id).",
            ),
        ),
        description="Not in the Ticket Pulse document: answers go with the personalise call's "
        "`answers` extension (docs/partner-api.md).",
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
            (
                400,
                "answer 12 of ticket a3f9b must be one of: s, m, l",
                "An answer (the `answers` extension) does not fit its question, or names a "
                "question not asked for the ticket.",
            ),
            BODY_TOO_LARGE,
        ),
        description="All or nothing: the request is validated in full before anything is "
        "written. When the last waiting ticket of an order for the event is personalised, "
        "the tickets are rendered and e-mailed. A ticket whose type has a required question "
        "without an answer keeps its details but stays in status 1 until it is answered.",
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
            (
                403,
                "Queue token required",
                "Extension: the event's waiting room is on and no `queue_token` was sent (also "
                "`Queue token is not admitted yet`, `... has expired`, `... does not cover "
                "these tickets`).",
            ),
            (404, "Queue token is invalid", "Extension: `queue_token` names no place."),
            (409, "Queue token has been used", "Extension: the place bought already."),
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
    partner_operation(
        "get",
        "/wallets",
        "list_wallets",
        "Extension: the wallets whose passes this service makes",
        parameters=[],
        response=PartnerWalletList,
        ok={
            "description": 'The configured wallets: `["apple", "google"]`, fewer, or `[]`',
            "content": json_content(PartnerWalletList),
        },
        errors=(),
        description="Not in the Ticket Pulse document (docs/partner-api.md, Wallet passes).",
    ),
    partner_operation(
        "get",
        "/users/get-wallet-pass",
        "get_wallet_pass",
        "Extension: a ticket's Apple Wallet pass URL or Google Wallet save link",
        parameters=[WP_USER_ID, TICKET_ID, WALLET],
        response=PartnerWalletUrl,
        ok={
            "description": "A signed URL of the `.pkpass`, valid for one hour, or the "
            "`https://pay.google.com/gp/v/save/<JWT>` link",
            "content": json_content(PartnerWalletUrl),
        },
        errors=(
            *WP_USER_ERRORS,
            (400, "Ticket id not specified", "`ticket_id` is missing."),
            (401, "Ticket not found", "No ticket of the account has this reference."),
            (401, "Not allowed to see this ticket", "The ticket belongs to another user."),
            (401, "File not found", "The ticket is not personalised, cancelled or replaced."),
            (404, "Wallet not configured", "The service makes no passes of this wallet."),
        ),
        description="Not in the Ticket Pulse document (docs/partner-api.md, Wallet passes).",
    ),
)

for _operation in PARTNER_OPERATIONS:
    register(_operation)
