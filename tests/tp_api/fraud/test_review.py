"""A person's review through the admin API and the console: the report, approve (a held
order gets its tickets), reject (cancelled, stock back), the audit trail, the webhook
events (fraud.alert, ticket.created) and the settings."""

from __future__ import annotations

import json

import pytest

from tests.admin_api import api_error
from tests.query_counter import count_queries
from tests.tp_api.console.support import post_form, sign_in
from tp_api.models import AuditEntry, Order, Ticket, TicketType, WebhookEvent
from tp_api.services.actors import SYSTEM
from tp_api.services.fraud import settings as fraud_settings
from tp_api.services.webhooks import webhook_endpoints, webhook_events
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy


@pytest.fixture
def strict(seller):
    """Any throwaway address holds an order (25 points against a high threshold of 20)."""
    fraud_settings.update_settings(
        seller.id, fraud_settings.SettingsChange(medium_from=10, high_from=20), actor=SYSTEM
    )


@pytest.fixture
def ticket_type(factory, seller) -> TicketType:
    return factory.ticket_type(factory.event(seller, stock=100, ticket_stock=100))


def _held(factory, seller, ticket_type, quantity: int = 2, **fields) -> Order:
    billing = {"first_name": "Fay", "last_name": "Ke", "email": "fay@mailinator.com"}
    outcome = factory.order(
        seller, ticket_type, quantity=quantity, billing_information=billing, **fields
    )
    order = Order.get_by_id(outcome.order_id)
    assert order.fraud_review == "held"
    return order


def _listen(seller, *types: str) -> None:
    from config.shops import secret_box
    from tests.tp_api.console.test_console_query_counts import factory_settings

    webhook_endpoints.create_endpoint(
        seller.id,
        secret_box(factory_settings()),
        EndpointPolicy(resolver=lambda host, port: ["93.184.216.34"]),
        url="https://hooks.example.com/in",
        event_types=list(types),
    )
    webhook_events.forget_subscriptions()


def _events(seller, event_type: str) -> list[dict]:
    rows = WebhookEvent.select().where(
        WebhookEvent.account == seller.id, WebhookEvent.event_type == event_type
    )
    return [json.loads(row.body)["data"] for row in rows.order_by(WebhookEvent.id)]


def test_the_report_of_a_held_order(api, factory, seller, ticket_type, strict):
    order = _held(factory, seller, ticket_type)
    report = api.get(f"/orders/{order.number}/fraud").get_json()
    assert report == {
        "orderId": order.number,
        "score": 25,
        "level": "high",
        "signals": ["disposable_email"],
        "recommendation": "block",
        "review": "held",
        "ticketsHeld": True,
        "decidedAt": None,
        "decidedBy": None,
    }


def test_approving_a_held_order_issues_its_tickets(api, factory, seller, ticket_type, strict):
    _listen(seller, "ticket.created")
    order = _held(factory, seller, ticket_type, quantity=3)
    assert _events(seller, "ticket.created") == []
    report = api.post(f"/orders/{order.number}/fraud/approve").get_json()
    assert (report["review"], report["ticketsHeld"]) == ("approved", False)
    assert report["decidedBy"]  # the key's label
    tickets = list(Ticket.select().where(Ticket.order == order.id))
    assert len(tickets) == 3
    # Sold once, at creation: approving takes nothing more from stock.
    assert TicketType.get_by_id(ticket_type.id).sold == 3
    created = _events(seller, "ticket.created")
    assert sorted(e["id"] for e in created) == sorted(t.reference for t in tickets)
    assert {e["orderId"] for e in created} == {order.number}
    entry = AuditEntry.get(AuditEntry.action == "fraud.approved")
    assert (entry.actor_kind, entry.subject_id) == ("api_key", order.number)
    # A decision is made once.
    api_error(api.post(f"/orders/{order.number}/fraud/approve"), 409, "fraud_not_open")


def test_rejecting_a_held_order_cancels_it_and_releases_stock(
    api, factory, seller, ticket_type, strict
):
    order = _held(factory, seller, ticket_type, quantity=4)
    assert TicketType.get_by_id(ticket_type.id).sold == 4
    report = api.post(f"/orders/{order.number}/fraud/reject").get_json()
    assert report["review"] == "rejected"
    assert Order.get_by_id(order.id).status == "cancelled"
    assert TicketType.get_by_id(ticket_type.id).sold == 0
    entry = AuditEntry.get(AuditEntry.action == "fraud.rejected")
    assert json.loads(entry.changes)["status"] == ["processing", "cancelled"]
    api_error(api.post(f"/orders/{order.number}/fraud/approve"), 409, "fraud_not_open")


def test_rejecting_a_flagged_order_cancels_its_tickets(api, factory, seller, ticket_type):
    fraud_settings.update_settings(
        seller.id, fraud_settings.SettingsChange(medium_from=10, high_from=90), actor=SYSTEM
    )
    billing = {"first_name": "A", "last_name": "B", "email": "a@mailinator.com"}
    outcome = factory.order(seller, ticket_type, quantity=2, billing_information=billing)
    assert Order.get_by_id(outcome.order_id).fraud_review == "review"
    assert Ticket.select().where(Ticket.order == outcome.order_id).count() == 2
    api.post(f"/orders/{outcome.number}/fraud/reject")
    statuses = {t.status for t in Ticket.select().where(Ticket.order == outcome.order_id)}
    assert statuses == {5}  # cancelled
    assert TicketType.get_by_id(ticket_type.id).sold == 0


def test_a_shop_cancelling_a_held_order_releases_its_units(factory, seller, ticket_type, strict):
    from tp_api.services.orders import refunds

    order = _held(factory, seller, ticket_type, quantity=2, date_paid=None)
    refunds.cancel_unpaid_order(seller.id, order.number)
    assert TicketType.get_by_id(ticket_type.id).reserved == 0


def test_a_low_risk_order_has_nothing_to_decide(api, factory, seller, ticket_type):
    outcome = factory.order(seller, ticket_type)
    report = api.get(f"/orders/{outcome.number}/fraud").get_json()
    assert (report["level"], report["recommendation"], report["review"]) == (
        "low",
        "accept",
        "none",
    )
    api_error(api.post(f"/orders/{outcome.number}/fraud/reject"), 409, "fraud_not_open")
    api_error(api.get("/orders/999999999/fraud"), 404, "order_not_found")


def test_another_accounts_order_is_not_found(api, factory, ticket_type, strict):
    other = factory.seller()
    other_type = factory.ticket_type(factory.event(other))
    outcome = factory.order(other, other_type)
    api_error(api.get(f"/orders/{outcome.number}/fraud"), 404, "order_not_found")
    api_error(api.post(f"/orders/{outcome.number}/fraud/approve"), 404, "order_not_found")


def test_a_read_only_key_may_not_decide(client, factory, seller, ticket_type, strict):
    from tests.admin_api import Admin

    reader = Admin(client, factory.api_key(seller, scopes=["orders:read"]))
    order = _held(factory, seller, ticket_type)
    assert reader.get(f"/orders/{order.number}/fraud").status_code == 200
    api_error(reader.post(f"/orders/{order.number}/fraud/reject"), 403, "missing_scopes")
    api_error(reader.patch("/fraud/settings", {"highFrom": 80}), 403, "missing_scopes")


def test_a_held_order_raises_a_fraud_alert(factory, seller, ticket_type, strict):
    _listen(seller, "fraud.alert")
    order = _held(factory, seller, ticket_type)
    factory.order(seller, ticket_type)  # low risk: no alert
    (alert,) = _events(seller, "fraud.alert")
    assert alert["id"] == order.number
    assert alert["fraud"]["signals"] == ["disposable_email"]
    assert alert["fraud"]["recommendation"] == "block"


def test_settings_read_and_change(api, seller):
    assert api.get("/fraud/settings").get_json() == {
        "mediumFrom": 30,
        "highFrom": 70,
        "weights": {
            "velocity_breach": 40,
            "first_time_bulk": 30,
            "email_velocity": 25,
            "disposable_email": 25,
            "unusual_country": 25,
            "refused_attempts": 30,
        },
    }
    changed = api.patch(
        "/fraud/settings", {"highFrom": 60, "weights": {"disposable_email": 50}}
    ).get_json()
    assert (changed["mediumFrom"], changed["highFrom"]) == (30, 60)
    assert changed["weights"]["disposable_email"] == 50
    assert api.get("/fraud/settings").get_json() == changed
    entry = AuditEntry.get(AuditEntry.action == "fraud.settings_updated")
    assert json.loads(entry.changes) == {
        "high_from": [70, 60],
        "weight.disposable_email": [25, 50],
    }


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"mediumFrom": 70, "highFrom": 70}, 422, "invalid_thresholds"),
        ({"highFrom": 20}, 422, "invalid_thresholds"),
        ({"highFrom": 101}, 400, "validation_error"),
        ({"weights": {"vpn_detected": 10}}, 400, "validation_error"),
        ({"weights": {"disposable_email": -1}}, 400, "validation_error"),
    ],
)
def test_settings_refused(api, body, status, code):
    api_error(api.patch("/fraud/settings", body), status, code)
    assert api.get("/fraud/settings").get_json()["highFrom"] == 70


def test_the_console_queue_approves_and_rejects(client, factory, seller, ticket_type, strict):
    held = _held(factory, seller, ticket_type)
    other = _held(factory, seller, ticket_type)
    sign_in(client, factory.staff(seller).email)
    page = client.get("/console/fraud").get_data(as_text=True)
    assert held.reference in page and other.reference in page
    assert "A throwaway e-mail address" in page
    post_form(client, "/console/fraud", f"/console/fraud/{held.number}/approve", {})
    answer = post_form(client, "/console/fraud", f"/console/fraud/{other.number}/reject", {})
    assert answer.status_code == 302
    assert Order.get_by_id(held.id).fraud_review == "approved"
    assert Order.get_by_id(other.id).status == "cancelled"
    page = client.get("/console/fraud").get_data(as_text=True)
    assert "No orders are waiting for a review." in page
    entry = AuditEntry.get(AuditEntry.action == "fraud.rejected")
    assert entry.actor_kind == "staff"
    report = client.get(f"/console/orders/{other.number}").get_data(as_text=True)
    assert "Rejected after review." in report


def test_the_order_page_shows_the_report_with_its_buttons(
    client, factory, seller, ticket_type, strict
):
    held = _held(factory, seller, ticket_type)
    sign_in(client, factory.staff(seller).email)
    page = client.get(f"/console/orders/{held.number}").get_data(as_text=True)
    assert "Held: no tickets are issued until someone approves the order." in page
    assert f"/console/fraud/{held.number}/reject" in page
    answer = post_form(
        client,
        f"/console/orders/{held.number}",
        f"/console/fraud/{held.number}/approve",
        {"back": "order"},
    )
    assert answer.headers["Location"].endswith(f"/console/orders/{held.number}")


def test_a_door_user_may_not_open_the_queue(client, factory, seller):
    sign_in(client, factory.staff(seller, role="door").email)
    assert client.get("/console/fraud").status_code == 403


def test_the_queue_costs_the_same_few_queries_whatever_the_rows(
    app, factory, monkeypatch, ticket_type
):
    counts = []
    for size in (2, 12):
        owner = factory.seller()
        fraud_settings.update_settings(
            owner.id, fraud_settings.SettingsChange(medium_from=10, high_from=20), actor=SYSTEM
        )
        owner_type = factory.ticket_type(factory.event(owner))
        for _ in range(size):
            _held(factory, owner, owner_type)
        client = app.test_client()
        sign_in(client, factory.staff(owner).email)
        with count_queries(monkeypatch) as statements:
            page = client.get("/console/fraud")
        assert page.get_data(as_text=True).count("/approve") == size
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 10
