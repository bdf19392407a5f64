"""The Ticket Pulse partner API's JSON bodies (``/tp-api``), for the OpenAPI document.

The partner API validates its requests by hand (its plain-text error bodies are a contract)
and renders its responses in ``tp_api.web.partner_json``; these models describe both, field
for field and in the document's order, with the snake_case names the partner API uses. They
are documentation and test oracles, not the validators of the live endpoints.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

UnixTime = Annotated[
    int | None,
    Field(description="Unix timestamp in seconds; null when unset"),
]
IsoTime = Annotated[
    str | None,
    Field(
        description="ISO 8601 with offset, e.g. 2025-07-31T18:00:00+00:00; null when unset",
        json_schema_extra={"format": "date-time"},
    ),
]
PriceString = Annotated[
    str,
    Field(
        pattern=r"^[0-9]+\.[0-9]{2}$",
        description='Price as a string with two decimals, e.g. "29.95"',
    ),
]
Left = Annotated[int, Field(ge=0, description="Units left for sale: capacity - sold - reserved")]
EventStatus = Annotated[int, Field(ge=0, le=99, description="The event's status (1 = active)")]
TicketStatus = Annotated[
    int,
    Field(
        ge=1,
        le=5,
        description="1 created (awaiting personalisation), 2 active, 3 scanned in, "
        "4 scanned out, 5 cancelled",
    ),
]


# --- GET /tp-api/events ----------------------------------------------------------------------


class PartnerTicketType(BaseModel):
    """A ticket type of an event (the document's ``tickets`` entries)."""

    id: int
    name: str
    stock: Left
    price: Annotated[float, Field(ge=0, description="Price as a number, e.g. 29.95")]
    status: EventStatus
    date: UnixTime
    enabled: bool


class PartnerChildEvent(BaseModel):
    """A child event (sub-date) inside ``children``; soft-deleted ones have ``deleted_at``."""

    id: int
    name: str
    status: EventStatus
    stock: Left
    price: PriceString
    featured: bool
    tickets: list[PartnerTicketType]
    manage_price_per_ticket: bool
    manage_stock_per_ticket: bool
    start_date: UnixTime
    end_date: UnixTime
    event_params: dict[str, Any]
    password: str | None
    thumbnail: str | None
    location: str
    deleted_at: UnixTime


class PartnerEvent(BaseModel):
    """A top-level event with its ticket types and child events."""

    id: int
    name: str
    city: str
    start_date: UnixTime
    end_date: UnixTime
    price: PriceString
    stock: Left
    status: EventStatus
    tickets: list[PartnerTicketType]
    children: list[PartnerChildEvent]


class PartnerEventList(RootModel[list[PartnerEvent]]):
    """Every event of the account, ordered by start date (undated last), then id."""


# --- GET /tp-api/users/{userId}/events -------------------------------------------------------


class PartnerUserEvent(BaseModel):
    """An event the external user holds tickets for."""

    id: int
    name: str
    start_date: IsoTime


class PartnerUserEventList(RootModel[list[PartnerUserEvent]]):
    """The events an external user holds tickets for (a child event is listed as itself)."""


# --- GET /tp-api/events/{eventId}/tickets ----------------------------------------------------


class PartnerOwnedTicket(BaseModel):
    """A ticket of the external user; the attendee fields are null until personalised."""

    id: Annotated[
        str, Field(description="The ticket reference: the `ticket_id` of the other calls")
    ]
    event_name: Annotated[str, Field(description="The top-level event's name")]
    event_start_date: Annotated[IsoTime, Field(description="The top-level event's start")]
    start_date: Annotated[
        IsoTime, Field(description="The ticket's own date (its ticket type's, else its event's)")
    ]
    order_id: Annotated[str, Field(description="The order reference, e.g. TP-482917365012")]
    name: Annotated[str, Field(description="The ticket type's name")]
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    status: TicketStatus
    is_deprecated: bool
    question_ids: Annotated[
        list[int] | None,
        Field(
            description="Extension, present only when the event asks questions: the ids of "
            "the questions asked for this ticket (`GET /tp-api/events/{eventId}/questions`)"
        ),
    ] = None
    answers: Annotated[
        dict[str, str | list[str] | bool] | None,
        Field(
            description="Extension, present only when the event asks questions: the answers "
            "given so far by question id (a list for multiple choice, true/false for yes/no)"
        ),
    ] = None


class PartnerOwnedTicketList(RootModel[list[PartnerOwnedTicket]]):
    """The user's tickets of the event and of its child events, by order, then issue order."""


# --- GET /tp-api/events/{eventId}/questions (an extension) ----------------------------------


class PartnerText(BaseModel):
    """A text in English and Dutch (the Dutch falls back to the English)."""

    en: str
    nl: str


class PartnerQuestionOption(BaseModel):
    value: Annotated[str, Field(description="What an answer sends and stores")]
    label: PartnerText


class PartnerQuestion(BaseModel):
    """One of the seller's questions to attendees."""

    id: int
    type: Annotated[
        str,
        Field(
            description="text, long_text, choice, multiple_choice, yes_no, date (YYYY-MM-DD), "
            "email, phone or number"
        ),
    ]
    label: PartnerText
    help: PartnerText
    required: bool
    ticket_type_ids: Annotated[
        list[int], Field(description="Asked for these ticket types; empty: for every one")
    ]
    options: list[PartnerQuestionOption]


class PartnerQuestionList(RootModel[list[PartnerQuestion]]):
    """The event's questions in the order they are asked."""


# --- POST /tp-api/events/{eventId}/tickets/personalize ---------------------------------------


class PartnerAttendee(BaseModel):
    """The attendee of one ticket; every field is a required, non-empty string."""

    ticket_id: Annotated[str, Field(min_length=1, max_length=32, description="Ticket reference")]
    first_name: Annotated[str, Field(min_length=1, max_length=200)]
    last_name: Annotated[str, Field(min_length=1, max_length=200)]
    email: Annotated[str, Field(min_length=3, max_length=254, description="Must contain an @")]
    tel: Annotated[str, Field(min_length=1, max_length=50)]
    answers: Annotated[
        dict[str, str | int | float | bool | list[str] | None] | None,
        Field(
            description="Extension: answers to the seller's questions by question id; a ticket "
            "whose type has a required question without an answer stays in status 1 "
            "(docs/partner-api.md)"
        ),
    ] = None


class PartnerPersonaliseRequest(BaseModel):
    """Attendees for tickets of the event; all are validated before any is written."""

    tickets: Annotated[list[PartnerAttendee], Field(min_length=1, max_length=1000)]


class PartnerPersonaliseResponse(BaseModel):
    """The submitted tickets, echoed as sent, and whether the orders are now complete."""

    tickets: Annotated[
        list[dict[str, Any]],
        Field(description="The request's `tickets` array, exactly as sent"),
    ]
    all_personalized: Annotated[
        bool,
        Field(
            description="True when no ticket of the orders touched, for this event, still "
            "awaits personalisation"
        ),
    ]


# --- POST /tp-api/orders/create --------------------------------------------------------------


class PartnerBillingInformation(BaseModel):
    """The buyer's billing details; every field is optional."""

    first_name: Annotated[str | None, Field(max_length=200)] = None
    last_name: Annotated[str | None, Field(max_length=200)] = None
    address: Annotated[str | None, Field(max_length=300)] = None
    city: Annotated[str | None, Field(max_length=200)] = None
    postal_code: Annotated[str | None, Field(max_length=40)] = None
    country: Annotated[str | None, Field(max_length=2, description="ISO 3166 alpha-2")] = None
    email: Annotated[str | None, Field(max_length=254, description="Must contain an @")] = None
    phone: Annotated[str | None, Field(max_length=50)] = None


class PartnerOrderLine(BaseModel):
    """One order line. Only `line_item` lines naming a `tp_event_ticket_id` issue tickets."""

    tp_event_ticket_id: Annotated[
        int | None, Field(ge=1, description="A ticket type of the calling account")
    ] = None
    name: Annotated[str, Field(min_length=1, max_length=300)]
    quantity: Annotated[int, Field(ge=0, le=500, description="At least 1 on a ticket line")]
    product_id: Annotated[
        int | None,
        Field(ge=0, description="The shop's product id; stored when given"),
    ] = None
    order_item_type: Annotated[
        str,
        Field(
            min_length=1,
            max_length=50,
            description="`line_item` (ticket / digital item), `shipping`, `fee`, `coupon`; "
            "any other value is stored as other",
        ),
    ]
    unit_price: Annotated[
        float, Field(description="Price of one unit; negative only on a coupon line")
    ]


class PartnerOrderCreate(BaseModel):
    """A new order (`order_lines` required), or an update of an existing one.

    With `tp_order_id`, or a `wp_order_id` the account has already sent, the existing order is
    updated (set to processing when paid) and `order_lines` are not applied. Integer fields
    also accept a string of digits, and money fields a numeric string.
    """

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    tp_order_id: Annotated[
        int | None,
        Field(ge=1, description="An existing order's number: set it to processing (TP-… accepted)"),
    ] = None
    wp_order_id: Annotated[str | None, Field(max_length=100, description="The shop's order id")] = (
        None
    )
    wp_user_id: Annotated[int | None, Field(ge=0, description="The shop's user id")] = None
    payment_method_title: Annotated[str | None, Field(max_length=200)] = None
    payment_method: Annotated[str | None, Field(max_length=100)] = None
    ip_address: Annotated[str | None, Field(max_length=45)] = None
    currency: Annotated[
        str | None, Field(pattern=r"^[A-Za-z]{3}$", description="ISO 4217 code; EUR when omitted")
    ] = None
    order_total: Annotated[
        float | None, Field(ge=0, description="The sum of the lines when omitted")
    ] = None
    date_created: Annotated[
        str | None,
        Field(max_length=64, description="ISO 8601; without an offset it is taken as UTC"),
    ] = None
    date_paid: Annotated[
        str | None,
        Field(
            max_length=64,
            description="ISO 8601; when given, the order is paid and its tickets are issued",
        ),
    ] = None
    locale: Annotated[str | None, Field(max_length=20)] = None
    my_tickets_url: Annotated[str | None, Field(max_length=2000, description="An http(s) URL")] = (
        None
    )
    billing_information: PartnerBillingInformation | None = None
    order_lines: Annotated[
        list[PartnerOrderLine] | None,
        Field(max_length=200, description="Required (non-empty) when creating a new order"),
    ] = None
    queue_token: Annotated[
        str | None,
        Field(
            max_length=500,
            description="Extension: the token of a waiting-room place whose turn has come; "
            "required for a new order of ticket types behind an event's waiting room, "
            "ignored otherwise (docs/waiting-room.md)",
        ),
    ] = None
    affiliate_code: Annotated[
        str | None,
        Field(
            max_length=100,
            description="Extension: the code of the affiliate who brought the order (the "
            "`tp_affiliate` parameter of a followed tracking link); a coupon line with an "
            "affiliate's code wins over it; an unknown code never refuses the order "
            "(docs/affiliates.md)",
        ),
    ] = None


# --- GET /tp-api/users/get-ticket and /tp-api/orders/get-ticket ------------------------------


class PartnerSignedUrl(RootModel[str]):
    """A signed download URL (a JSON string), valid for one hour."""

    root: Annotated[str, Field(json_schema_extra={"format": "uri"})]


# --- extensions: GET /tp-api/wallets and /tp-api/users/get-wallet-pass -----------------------


class PartnerWalletList(RootModel[list[Literal["apple", "google"]]]):
    """Extension: the wallets whose passes the service makes (none unless configured)."""


class PartnerWalletUrl(RootModel[str]):
    """Extension: a signed URL of an Apple Wallet pass (valid like the QR link), or a
    "Save to Google Wallet" link."""

    root: Annotated[str, Field(json_schema_extra={"format": "uri"})]
