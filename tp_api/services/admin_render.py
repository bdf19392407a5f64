"""The public view of our rows: one place that turns models into response schemas, so the
admin API, its OpenAPI document and the webhook payloads (webhooks.notify) show the same
object. It lives in the domain, not in a surface, because two surfaces share it and the
webhook payload is rendered inside the transaction of its change (the object as that change
left it)."""

from __future__ import annotations

import json
from typing import cast

from tp_api.db import utcnow
from tp_api.models import (
    ApiKey,
    Event,
    EventLifecycle,
    OAuthClient,
    Order,
    OrderLine,
    Question,
    Refund,
    Ticket,
    TicketType,
    WebhookEndpoint,
)
from tp_api.models.tickets import TicketStatus
from tp_api.schemas.attendees import AttendeeOut
from tp_api.schemas.events import (
    Availability,
    EventDateOut,
    EventOut,
    EventStatus,
    TicketTypeAvailability,
    TicketTypeOut,
)
from tp_api.schemas.keys import ApiKeyOut, OAuthClientOut
from tp_api.schemas.orders import (
    CustomerOrder,
    CustomerOut,
    CustomerRef,
    OrderLineOut,
    OrderOut,
    OrderStatusName,
    OrderSummary,
    RefundOut,
    TicketOut,
    TicketStatusName,
)
from tp_api.schemas.questions import AnswerOut, OptionOut, QuestionOut, QuestionType
from tp_api.schemas.webhooks import AttemptOut, DeliveryOut, DeliveryStatusName, WebhookOut
from tp_api.services.credentials import admin_keys, oauth_clients
from tp_api.services.customers.listing import Customer
from tp_api.services.events import question_reads
from tp_api.services.events.attendees import Attendee
from tp_api.services.events.catalogue import EventNode
from tp_api.services.events.event_catalogue import effective_status, pool_available
from tp_api.services.orders.answers import ShownAnswer, shown
from tp_api.services.orders.order_queries import OrderDetail
from tp_api.services.webhooks.webhook_log import LoggedDelivery

TICKET_STATUS_NAMES = TicketStatus.NAMES


def ticket_type_out(
    ticket_type: TicketType, currency: str, *, event_on_sale: bool = True
) -> TicketTypeOut:
    return TicketTypeOut(
        id=ticket_type.id,
        event_id=ticket_type.event_id,
        name=ticket_type.name,
        price=ticket_type.price_cents,
        currency=currency,
        quantity=ticket_type.stock,
        sold=ticket_type.sold,
        reserved=ticket_type.reserved,
        available=ticket_type.available,
        sales_start=ticket_type.sales_start,
        sales_end=ticket_type.sales_end,
        min_per_order=ticket_type.min_per_order,
        max_per_order=ticket_type.max_per_order,
        hidden=ticket_type.hidden,
        on_sale=event_on_sale and _on_sale(ticket_type),
    )


def _on_sale(ticket_type: TicketType) -> bool:
    now = utcnow()
    return (
        ticket_type.enabled
        and ticket_type.status == 1
        and (ticket_type.sales_start is None or ticket_type.sales_start <= now)
        and (ticket_type.sales_end is None or now < ticket_type.sales_end)
        and ticket_type.available > 0
    )


def _available(node: EventNode, *, visible_only: bool = False) -> int:
    """Units left in the event and its dates (each date's pool capped by its capacity)."""
    total = 0
    for part in (node, *node.children):
        types = sum(t.available for t in part.ticket_types if not (visible_only and t.hidden))
        pool = pool_available(part.event)
        total += types if pool is None else min(pool, types)
    return total


def _sold(node: EventNode) -> int:
    return sum(t.sold for n in (node, *node.children) for t in n.ticket_types)


def event_out(node: EventNode) -> EventOut:
    event = node.event
    selling = event.lifecycle == EventLifecycle.PUBLISHED
    return EventOut(
        id=event.id,
        slug=event.slug,
        title=event.name,
        description=event.description,
        status=cast(EventStatus, effective_status(node)),
        starts_at=event.start_date,
        ends_at=event.end_date,
        timezone=event.timezone,
        venue_name=event.location,
        city=event.city,
        currency=event.currency,
        capacity=_capacity(event),
        allow_reentry=event.allow_reentry,
        require_personalisation=event.require_personalisation,
        send_reminders=event.send_reminders,
        admission_opens_minutes=event.admission_opens_minutes,
        sold=_sold(node),
        available=_available(node),
        ticket_types=[
            ticket_type_out(t, event.currency, event_on_sale=selling) for t in node.ticket_types
        ],
        dates=[
            EventDateOut(
                id=child.event.id,
                title=child.event.name,
                starts_at=child.event.start_date,
                ends_at=child.event.end_date,
                capacity=_capacity(child.event),
                admission_opens_minutes=child.event.admission_opens_minutes,
                ticket_types=[
                    ticket_type_out(t, event.currency, event_on_sale=selling)
                    for t in child.ticket_types
                ],
            )
            for child in node.children
        ],
        created_at=event.created_at,
        updated_at=event.updated_at,
    )


def _capacity(event: Event) -> int | None:
    return None if event.manage_stock_per_ticket else event.stock


def availability_out(node: EventNode, *, status: str | None = None) -> Availability:
    event = node.event
    status = status or effective_status(node)
    selling = status == "published"
    return Availability(
        event_id=event.id,
        status=cast(EventStatus, status),
        currency=event.currency,
        available=_available(node, visible_only=True) if selling else 0,
        ticket_types=[
            TicketTypeAvailability(
                id=t.id,
                name=t.name,
                price=t.price_cents,
                available=t.available if selling else 0,
                on_sale=selling and _on_sale(t),
                sold_out=t.available == 0,
            )
            for t in node.ticket_types
            if not t.hidden
        ],
        dates=[availability_out(child, status=status) for child in node.children],
    )


def ticket_out(
    ticket: Ticket, order_number: int, answers: list[AnswerOut] | None = None
) -> TicketOut:
    """A ticket as the admin API shows it; ``order_number`` is its order's public number."""
    return TicketOut(
        id=ticket.reference,
        order_id=order_number,
        event_id=ticket.event_id,
        ticket_type_id=ticket.ticket_type_id,
        status=cast(TicketStatusName, TICKET_STATUS_NAMES[ticket.status]),
        first_name=ticket.first_name,
        last_name=ticket.last_name,
        email=ticket.email,
        version=ticket.version,
        answers=answers or [],
    )


def line_out(line: OrderLine, number: int) -> OrderLineOut:
    """A line as the admin API shows it: its ``id`` is its place in the order (1, 2, ...)."""
    return OrderLineOut(
        id=number,
        type=line.line_type,
        name=line.name,
        ticket_type_id=line.ticket_type_id,
        unit_price=line.unit_price_cents,
        quantity=line.quantity,
        refunded_quantity=line.refunded_quantity,
    )


def refund_out(refund: Refund, number: int) -> RefundOut:
    """A refund as the admin API shows it: its ``id`` is its place among the order's refunds."""
    return RefundOut(
        id=number,
        amount=refund.amount_cents,
        reason=refund.reason,
        lines=json.loads(refund.lines),
        created_at=refund.created_at,
    )


def order_out(detail: OrderDetail) -> OrderOut:
    order = detail.order
    return OrderOut(
        id=order.number,
        reference=order.reference,
        wp_order_id=order.wp_order_id,
        status=cast(OrderStatusName, order.status),
        currency=order.currency,
        total=order.total_cents,
        refunded=order.refunded_cents,
        customer=CustomerRef(
            first_name=order.billing_first_name,
            last_name=order.billing_last_name,
            email=order.billing_email,
            phone=order.billing_phone,
        ),
        locale=order.locale,
        created_at=order.created_at,
        paid_at=order.date_paid,
        lines=[line_out(line, n) for n, line in enumerate(detail.lines, start=1)],
        tickets=[
            ticket_out(t, order.number, answers_out(detail.answers.get(t.id, [])))
            for t in detail.tickets
        ],
        refunds=[refund_out(r, n) for n, r in enumerate(detail.refunds, start=1)],
    )


def order_summary(order: Order) -> OrderSummary:
    return OrderSummary(
        id=order.number,
        reference=order.reference,
        wp_order_id=order.wp_order_id,
        status=cast(OrderStatusName, order.status),
        currency=order.currency,
        total=order.total_cents,
        refunded=order.refunded_cents,
        email=order.billing_email,
        created_at=order.created_at,
    )


def customer_out(customer: Customer) -> CustomerOut:
    latest = customer.latest
    return CustomerOut(
        email=customer.email,
        first_name=latest.billing_first_name if latest else "",
        last_name=latest.billing_last_name if latest else "",
        phone=latest.billing_phone if latest else "",
        orders_count=customer.orders_count,
        total_spent=customer.total_spent,
        first_order_at=customer.first_order_at,
        last_order_at=customer.last_order_at,
        orders=[
            CustomerOrder(
                id=o.number,
                reference=o.reference,
                status=cast(OrderStatusName, o.status),
                total=o.total_cents,
                currency=o.currency,
                created_at=o.created_at,
            )
            for o in customer.orders
        ],
    )


def api_key_out(key: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        id=key.id,
        label=key.label,
        prefix=key.prefix,
        scopes=key.scopes.split(),
        allowed_ips=key.allowed_ips.split(),
        test_mode=admin_keys.is_test(key),
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


def oauth_client_out(client: OAuthClient) -> OAuthClientOut:
    return OAuthClientOut(
        id=client.id,
        client_id=client.client_id,
        label=client.label,
        scopes=client.scopes.split(),
        allowed_ips=client.allowed_ips.split(),
        test_mode=oauth_clients.is_test(client),
        created_at=client.created_at,
        last_used_at=client.last_used_at,
        revoked_at=client.revoked_at,
        previous_secret_expires_at=client.previous_secret_expires_at,
    )


def webhook_out(endpoint: WebhookEndpoint) -> WebhookOut:
    return WebhookOut(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        event_types=endpoint.event_types.split(),
        enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason,
        failed_deliveries_in_a_row=endpoint.failed_deliveries_in_a_row,
        previous_secret_expires_at=endpoint.previous_secret_expires_at,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


def delivery_out(logged: LoggedDelivery) -> DeliveryOut:
    delivery = logged.delivery
    return DeliveryOut(
        id=delivery.number,
        event_id=logged.event.public_id,
        event_type=logged.event.event_type,
        status=cast(DeliveryStatusName, delivery.status),
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        created_at=delivery.created_at,
        finished_at=delivery.finished_at,
        attempt_log=[
            AttemptOut(
                number=a.number,
                attempted_at=a.attempted_at,
                status_code=a.status_code,
                duration_ms=a.duration_ms,
                response_excerpt=a.response_excerpt,
                error=a.error,
            )
            for a in logged.attempts
        ],
    )


def attendee_out(row: Attendee, asked: list[Question]) -> AttendeeOut:
    """A ticket of an event's attendee list as the admin API shows it, with its answers to
    the event's questions ``asked``."""
    t = row.ticket
    return AttendeeOut(
        ticket_id=t.reference,
        status=cast(TicketStatusName, row.status),
        ticket_type=row.ticket_type,
        date=row.date_name,
        first_name=t.first_name,
        last_name=t.last_name,
        email=t.email,
        phone=t.phone,
        order_id=row.order_number,
        buyer_email=row.buyer_email,
        first_check_in=row.first_check_in,
        last_check_in=row.last_check_in,
        answers=answers_out(shown(asked, row.answers)),
    )


def question_out(question: Question) -> QuestionOut:
    """One of the seller's questions as the admin API shows it."""
    return QuestionOut(
        id=question.id,
        event_id=question.event_id,
        type=cast(QuestionType, question.kind),
        label=question.label,
        label_nl=question.label_nl,
        help_text=question.help_text,
        help_text_nl=question.help_text_nl,
        required=question.required,
        position=question.position,
        ticket_type_ids=question_reads.type_ids_of(question),
        options=[
            OptionOut(value=o.value, label=o.label, label_nl=o.label_nl)
            for o in question_reads.options_of(question)
        ],
        show_on_ticket=question.show_on_ticket,
        archived=question.archived_at is not None,
        created_at=question.created_at,
        updated_at=question.updated_at,
    )


def answers_out(shown: list[ShownAnswer]) -> list[AnswerOut]:
    """A ticket's answers, in the questions' order."""
    return [
        AnswerOut(question_id=a.question_id, label=a.label, value=a.value, text=a.text)
        for a in shown
    ]
