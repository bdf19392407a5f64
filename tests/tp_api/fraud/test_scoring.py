"""Every new order is scored from our own data, in its transaction: each signal fires on
what it measures (and not just short of it), the account's weights and thresholds decide
the level, and a held order gets no tickets until a person approves it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import order_body
from tp_api.models import FraudRefusal, Order, Ticket, TicketType
from tp_api.services.actors import SYSTEM
from tp_api.services.errors import OutOfStock
from tp_api.services.fraud import settings as fraud_settings
from tp_api.services.fraud import signals
from tp_api.services.orders import submit
from tp_api.services.orders.order_input import parse_partner_order


def _buyer(email: str = "jane@example.com", country: str = "") -> dict[str, Any]:
    billing = {"first_name": "Jane", "last_name": "Doe", "email": email}
    if country:
        billing["country"] = country
    return {"billing_information": billing}


def _order(factory, seller, ticket_type, **fields: Any) -> Order:
    outcome = factory.order(seller, ticket_type, **fields)
    return Order.get_by_id(outcome.order_id)


@pytest.fixture
def ticket_type(factory, seller) -> TicketType:
    return factory.ticket_type(factory.event(seller, stock=1000, ticket_stock=1000))


def test_a_plain_order_is_low_risk_and_scored(factory, seller, ticket_type):
    order = _order(factory, seller, ticket_type)
    assert (order.fraud_score, order.fraud_level, order.fraud_signals) == (0, "low", "")
    assert order.fraud_review == ""


def test_velocity_breach_fires_on_the_fifth_order_from_one_ip(factory, seller, ticket_type):
    orders = [
        _order(
            factory, seller, ticket_type, ip_address="203.0.113.9", **_buyer(f"b{i}@example.com")
        )
        for i in range(signals.IP_ORDERS)
    ]
    assert [o.fraud_signals for o in orders[:-1]] == [""] * (signals.IP_ORDERS - 1)
    assert orders[-1].fraud_signals == "velocity_breach"
    assert orders[-1].fraud_score == 40
    assert orders[-1].fraud_level == "medium"
    assert orders[-1].fraud_review == "review"
    # Medium risk: tickets are issued as before.
    assert Ticket.select().where(Ticket.order == orders[-1].id).count() == 1


def test_orders_from_another_ip_or_account_do_not_count(factory, seller, ticket_type):
    for i in range(signals.IP_ORDERS - 1):
        _order(factory, seller, ticket_type, ip_address="203.0.113.9", **_buyer(f"b{i}@x.nl"))
    other = factory.seller()
    other_type = factory.ticket_type(factory.event(other))
    assert _order(factory, other, other_type, ip_address="203.0.113.9").fraud_signals == ""
    assert _order(factory, seller, ticket_type, ip_address="203.0.113.10").fraud_signals == ""


def test_email_velocity_counts_the_address_whatever_its_case(factory, seller, ticket_type):
    for i in range(signals.EMAIL_ORDERS - 1):
        address = "Repeat@Example.com" if i % 2 else "repeat@example.com"
        assert _order(factory, seller, ticket_type, **_buyer(address)).fraud_signals == ""
    last = _order(factory, seller, ticket_type, **_buyer("REPEAT@example.com"))
    assert last.fraud_signals == "email_velocity"


def test_orders_outside_the_window_do_not_count(factory, seller, ticket_type, time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    for _ in range(signals.EMAIL_ORDERS - 1):
        _order(factory, seller, ticket_type, **_buyer("slow@example.com"))
    time_machine.shift(signals.EMAIL_WINDOW.total_seconds() + 1)
    assert _order(factory, seller, ticket_type, **_buyer("slow@example.com")).fraud_signals == ""


def test_first_time_bulk_needs_a_new_address_and_many_tickets(factory, seller, ticket_type):
    bulk = signals.BULK_TICKETS
    new = _order(factory, seller, ticket_type, quantity=bulk, **_buyer("new@example.com"))
    assert new.fraud_signals == "first_time_bulk"
    known = _order(factory, seller, ticket_type, quantity=bulk, **_buyer("new@example.com"))
    assert known.fraud_signals == ""
    few = _order(factory, seller, ticket_type, quantity=bulk - 1, **_buyer("other@example.com"))
    assert few.fraud_signals == ""


def test_disposable_email_uses_the_bundled_list(factory, seller, ticket_type):
    assert signals.is_disposable("x@mailinator.com")
    assert signals.is_disposable("x@eu.mailinator.com")  # a subdomain of a listed one
    assert not signals.is_disposable("x@example.com")
    order = _order(factory, seller, ticket_type, **_buyer("throwaway@mailinator.com"))
    assert (order.fraud_signals, order.fraud_score) == ("disposable_email", 25)


def test_unusual_country_needs_enough_history(factory, seller, ticket_type):
    for i in range(signals.COUNTRY_MIN_SAMPLE - 1):
        _order(factory, seller, ticket_type, **_buyer(f"nl{i}@example.com", "NL"))
    # 49 orders with a country: too few to know what is usual.
    assert _order(factory, seller, ticket_type, **_buyer("a@example.com", "BR")).fraud_signals == ""
    # Now 50, one of them BR (2 %): a second BR is not unusual, a first KP is.
    assert _order(factory, seller, ticket_type, **_buyer("b@example.com", "BR")).fraud_signals == ""
    unusual = _order(factory, seller, ticket_type, **_buyer("c@example.com", "KP"))
    assert unusual.fraud_signals == "unusual_country"
    assert _order(factory, seller, ticket_type, **_buyer("d@example.com", "NL")).fraud_signals == ""


def test_refused_attempts_are_recorded_and_count(factory, seller):
    small = factory.ticket_type(factory.event(seller, stock=1, ticket_stock=1))
    body = order_body(small.id, quantity=2, ip_address="198.51.100.7", **_buyer("try@example.com"))
    for n in range(signals.REFUSALS):
        with pytest.raises(OutOfStock):
            submit.submit_order(seller.id, parse_partner_order({**body, "wp_order_id": f"r{n}"}))
    refusals = list(FraudRefusal.select().where(FraudRefusal.account == seller.id))
    assert [(r.ip_address, r.email, r.code) for r in refusals] == [
        ("198.51.100.7", "try@example.com", "out_of_stock")
    ] * signals.REFUSALS
    # The refusals count against the IP address and against the e-mail address.
    by_ip = _order(factory, seller, small, ip_address="198.51.100.7", **_buyer("z@example.com"))
    assert by_ip.fraud_signals == "refused_attempts"


def test_signals_add_up_and_a_high_score_holds_the_tickets(factory, seller, ticket_type):
    for i in range(signals.IP_ORDERS - 1):
        _order(factory, seller, ticket_type, ip_address="192.0.2.1", **_buyer(f"h{i}@example.com"))
    held = _order(
        factory,
        seller,
        ticket_type,
        quantity=signals.BULK_TICKETS,
        ip_address="192.0.2.1",
        **_buyer("fresh@mailinator.com"),
    )
    assert held.fraud_signals == "velocity_breach first_time_bulk disposable_email"
    assert held.fraud_score == 95
    assert (held.fraud_level, held.fraud_review) == ("high", "held")
    assert Ticket.select().where(Ticket.order == held.id).count() == 0
    # Its units are sold all the same: nobody else can buy them while it is reviewed.
    assert TicketType.get_by_id(ticket_type.id).sold == signals.IP_ORDERS - 1 + signals.BULK_TICKETS


def test_the_score_is_capped_at_100(factory, seller, ticket_type):
    fraud_settings.update_settings(
        seller.id,
        fraud_settings.SettingsChange(weights={"disposable_email": 100, "first_time_bulk": 100}),
        actor=SYSTEM,
    )
    order = _order(
        factory, seller, ticket_type, quantity=signals.BULK_TICKETS, **_buyer("a@mailinator.com")
    )
    assert order.fraud_score == 100


def test_the_accounts_thresholds_and_weights_decide(factory, seller, ticket_type):
    fraud_settings.update_settings(
        seller.id,
        fraud_settings.SettingsChange(
            medium_from=10, high_from=20, weights={"disposable_email": 20}
        ),
        actor=SYSTEM,
    )
    order = _order(factory, seller, ticket_type, **_buyer("a@mailinator.com"))
    assert (order.fraud_score, order.fraud_level, order.fraud_review) == (20, "high", "held")
    other = factory.seller()
    other_type = factory.ticket_type(factory.event(other))
    elsewhere = _order(factory, other, other_type, **_buyer("a@mailinator.com"))
    assert (elsewhere.fraud_score, elsewhere.fraud_level) == (25, "low")


def test_a_held_unpaid_order_gets_no_tickets_when_paid(factory, seller, ticket_type):
    fraud_settings.update_settings(
        seller.id, fraud_settings.SettingsChange(medium_from=5, high_from=10), actor=SYSTEM
    )
    order = _order(factory, seller, ticket_type, paid=False, **_buyer("p@mailinator.com"))
    assert order.fraud_review == "held"
    outcome = submit.submit_order(
        seller.id,
        parse_partner_order({"tp_order_id": order.number, "date_paid": "2026-06-01T10:00:00Z"}),
    )
    assert (outcome.status, outcome.tickets_issued) == ("processing", 0)
    assert Ticket.select().where(Ticket.order == order.id).count() == 0


def test_refusals_older_than_a_day_are_forgotten(factory, seller, time_machine, monkeypatch):
    from datetime import UTC, datetime, timedelta

    from tp_api.services.fraud import scoring

    monkeypatch.setattr(scoring, "_last_prune", [])
    start = datetime(2031, 5, 1, 12, 0, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    small = factory.ticket_type(factory.event(seller, stock=1, ticket_stock=1))
    body = order_body(small.id, quantity=2, ip_address="198.51.100.9", **_buyer("old@example.com"))
    with pytest.raises(OutOfStock):
        submit.submit_order(seller.id, parse_partner_order({**body, "wp_order_id": "old"}))
    time_machine.move_to(start + scoring.REFUSALS_KEPT + timedelta(minutes=1), tick=False)
    with pytest.raises(OutOfStock):
        submit.submit_order(seller.id, parse_partner_order({**body, "wp_order_id": "new"}))
    kept = [r.at for r in FraudRefusal.select().where(FraudRefusal.account == seller.id)]
    assert kept == [start + scoring.REFUSALS_KEPT + timedelta(minutes=1)]
