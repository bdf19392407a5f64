"""Orders, refunds, tickets and customers in the admin API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from tp_api.schemas.base import (
    AwareDatetime,
    Cursor,
    Email,
    Id,
    Limit,
    Name,
    Page,
    RequestModel,
    ResponseModel,
    text,
)
from tp_api.schemas.questions import AnswerOut

OrderStatusName = Literal["pending", "processing", "completed", "cancelled", "refunded", "expired"]
TicketStatusName = Literal["created", "active", "scanned_in", "scanned_out", "cancelled"]


class OrderListQuery(RequestModel):
    event_id: Id | None = None
    status: OrderStatusName | None = None
    date_from: AwareDatetime | None = Field(None, description="Orders created at or after")
    date_to: AwareDatetime | None = Field(None, description="Orders created at or before")
    email: text(254) | None = Field(None, description="The customer's e-mail, exact")  # type: ignore[valid-type]
    wp_order_id: text(100) | None = Field(  # type: ignore[valid-type]
        None, alias="wp_order_id", description="The shop's order id (`wc_456` or `456`)"
    )
    limit: Limit = 20
    cursor: Cursor | None = None


class RefundLine(RequestModel):
    line_id: Id
    quantity: int = Field(ge=1, le=100_000)


class RefundCreate(RequestModel):
    """Refund the whole order (no ``lines``) or some units of some lines."""

    reason: text(500) = ""  # type: ignore[valid-type]
    lines: list[RefundLine] | None = Field(None, min_length=1, max_length=500)


class ResendCreate(RequestModel):
    """Send the confirmation e-mail with the tickets again."""


class TicketTransfer(RequestModel):
    """The new holder; the ticket is re-issued so its old code and files stop working."""

    first_name: Name
    last_name: Name
    email: Email
    phone: text(50) = ""  # type: ignore[valid-type]


class TicketOut(ResponseModel):
    id: str
    order_id: int
    event_id: int
    ticket_type_id: int
    status: TicketStatusName
    first_name: str
    last_name: str
    email: str
    version: int
    answers: list[AnswerOut] = Field(
        default_factory=list, description="Answers to the seller's questions"
    )


class OrderLineOut(ResponseModel):
    id: int
    type: str
    name: str
    ticket_type_id: int | None
    unit_price: int
    quantity: int
    refunded_quantity: int


class RefundOut(ResponseModel):
    id: int
    amount: int
    reason: str
    lines: list[dict[str, int]]
    created_at: datetime


class CustomerRef(ResponseModel):
    first_name: str
    last_name: str
    email: str
    phone: str


class OrderOut(ResponseModel):
    id: int
    reference: str
    wp_order_id: str | None = Field(serialization_alias="wp_order_id")
    status: OrderStatusName
    currency: str
    total: int
    refunded: int
    customer: CustomerRef
    locale: str
    created_at: datetime
    paid_at: datetime | None
    lines: list[OrderLineOut]
    tickets: list[TicketOut]
    refunds: list[RefundOut]


class OrderSummary(ResponseModel):
    id: int
    reference: str
    wp_order_id: str | None = Field(serialization_alias="wp_order_id")
    status: OrderStatusName
    currency: str
    total: int
    refunded: int
    email: str
    created_at: datetime


class OrderList(Page):
    items: list[OrderSummary]


class CustomerListQuery(RequestModel):
    search: text(254) | None = Field(None, description="Part of the e-mail or name")  # type: ignore[valid-type]
    limit: Limit = 20
    cursor: Cursor | None = None


class CustomerOrder(ResponseModel):
    id: int
    reference: str
    status: OrderStatusName
    total: int
    currency: str
    created_at: datetime


class CustomerOut(ResponseModel):
    email: str
    first_name: str
    last_name: str
    phone: str
    orders_count: int
    total_spent: int
    first_order_at: datetime
    last_order_at: datetime
    orders: list[CustomerOrder]


class CustomerList(Page):
    items: list[CustomerOut]
