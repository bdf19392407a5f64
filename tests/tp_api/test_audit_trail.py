"""The audit trail: every change through the admin API or the console is written in its
own transaction with who made it and the values before and after; it is listed, filtered
and exported in the console."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.admin_api import Admin, event_body
from tests.tp_api.console.support import page_text, post_form, sign_in
from tp_api.models import AuditEntry, Event, TicketType
from tp_api.schemas.events import TicketTypeUpdate
from tp_api.services import audit_trail
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.audit_trail import AuditFilter
from tp_api.services.credentials import admin_keys
from tp_api.services.errors import Unprocessable
from tp_api.services.events import event_admin


@pytest.fixture
def box_office(client, factory, seller):
    """The seller's admin-API key labelled "Box office sync"."""
    key = admin_keys.create_api_key(seller.id, label="Box office sync").secret
    return Admin(client, key)


def _trail() -> list[tuple[str, str, str, dict]]:
    """The entries oldest first, without those of the fixtures' set-up (``system``)."""
    rows = AuditEntry.select().where(AuditEntry.actor_kind != "system").order_by(AuditEntry.id)
    return [(e.actor_label, e.action, e.subject_label, json.loads(e.changes)) for e in rows]


def test_admin_api_changes_name_the_key_and_the_values_before_and_after(box_office):
    created = box_office.post("/events", event_body(title="Harbour Jazz"))
    assert created.status_code == 201, created.get_json()
    event = created.get_json()
    type_id = event["ticketTypes"][0]["id"]
    patched = box_office.patch(f"/events/{event['id']}/ticket-types/{type_id}", {"price": 3000})
    assert patched.status_code == 200
    assert box_office.post(f"/events/{event['id']}/publish", {}).status_code == 200

    trail = _trail()
    assert [(who, action) for who, action, _, _ in trail] == [
        ("Box office sync", "event.created"),
        ("Box office sync", "ticket_type.created"),
        ("Box office sync", "ticket_type.updated"),
        ("Box office sync", "event.published"),
    ]
    assert trail[0][3]["title"] == [None, "Harbour Jazz"]
    assert trail[2][2:] == ("General Admission", {"price": [2500, 3000]})
    assert trail[3][3] == {"lifecycle": ["draft", "published"]}
    entry = AuditEntry.get(AuditEntry.action == "ticket_type.updated")
    assert (entry.actor_kind, entry.subject_type, entry.subject_id) == (
        "api_key",
        "ticket_type",
        type_id,
    )


def test_a_refused_change_leaves_no_entry(factory, seller):
    event = factory.event(seller, ticket_stock=10)
    ticket_type = factory.ticket_type(event)
    factory.order(seller, ticket_type, quantity=4)
    before = AuditEntry.select().count()
    with pytest.raises(Unprocessable):
        event_admin.update_ticket_type(
            seller.id,
            str(event.id),
            ticket_type.id,
            TicketTypeUpdate.model_validate({"quantity": 3}),
            actor=Actor.staff(1, "someone@example.com"),
        )
    assert AuditEntry.select().count() == before
    assert TicketType.get_by_id(ticket_type.id).stock == 10


def test_an_unchanged_save_writes_no_entry(factory, seller):
    event = factory.event(seller)
    ticket_type = factory.ticket_type(event)
    same = TicketTypeUpdate.model_validate({"price": ticket_type.price_cents})
    event_admin.update_ticket_type(seller.id, str(event.id), ticket_type.id, same)
    assert AuditEntry.select().where(AuditEntry.action == "ticket_type.updated").count() == 0


def test_console_changes_are_listed_filtered_and_exported(client, factory, seller):
    user = factory.staff(seller, email="anna@example.com")
    assert sign_in(client, user.email).status_code == 302
    event = factory.event(seller, name="=HYPERLINK(1)")
    ticket_type = factory.ticket_type(event)
    edit = f"/console/events/{event.id}/edit"
    row = {"name": "GA", "price": "31.50", "quantity": "100", "minPerOrder": "1"}
    saved = post_form(
        client, edit, f"/console/events/{event.id}/ticket-types/{ticket_type.id}", row
    )
    assert saved.status_code == 302

    page = page_text(client.get("/console/audit"))
    assert "anna@example.com" in page and "Ticket type updated: GA" in page
    assert "price: 29.95 → 31.50" in page and "name: General Admission → GA" in page
    only_events = page_text(client.get("/console/audit", query_string={"action": "event"}))
    assert "Ticket type updated" not in only_events
    nobody = page_text(client.get("/console/audit", query_string={"actor": "bob@"}))
    assert "No changes match these filters" in nobody
    history = page_text(
        client.get(
            "/console/audit",
            query_string={"subject_type": "ticket_type", "subject_id": ticket_type.id},
        )
    )
    assert "Ticket type updated: GA" in history
    bad_day = client.get("/console/audit", query_string={"from": "yesterday"})
    assert bad_day.status_code == 200 and "Enter a date such as 2026-12-31." in page_text(bad_day)

    exported = client.get("/console/audit.csv", query_string={"action": "ticket_type"})
    assert exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [(r["actor"], r["action"], r["subject"]) for r in rows] == [
        ("anna@example.com", "ticket_type.updated", "GA")
    ]
    assert json.loads(rows[0]["changes"])["price"] == [2995, 3150]


def test_question_fraud_and_link_actions_are_named_and_filtered_in_dutch(client, factory, seller):
    sign_in(client, factory.staff(seller, email="anna@example.com").email)
    anna = Actor.staff(1, "anna@example.com")
    for action, subject in (
        ("question.created", ("question", 4, "T-shirt size")),
        ("fraud.approved", ("order", 7, "TP-7")),
        ("staff.password_set_by_link", ("staff", 1, "anna@example.com")),
        ("shop.webhooks_restored", ("shop", 2, "Main shop")),
    ):
        audit_trail.record(seller.id, anna, action, subject)
    dutch = page_text(client.get("/console/audit", query_string={"lang": "nl"}))
    assert "Vraag toegevoegd: T-shirt size" in dutch
    assert "Bestelling goedgekeurd bij de fraudecontrole: TP-7" in dutch
    assert "Wachtwoord ingesteld via een gemailde link: anna@example.com" in dutch
    assert "Webhooks van de winkel opnieuw geregistreerd of aangezet: Main shop" in dutch
    questions = page_text(
        client.get("/console/audit", query_string={"action": "question", "lang": "en"})
    )
    assert "Question added: T-shirt size" in questions and "TP-7" not in questions
    fraud = page_text(client.get("/console/audit", query_string={"action": "fraud"}))
    assert "Order approved in fraud review: TP-7" in fraud and "T-shirt" not in fraud


def test_an_export_of_a_formula_like_name_is_not_a_formula(factory, seller):
    audit_trail.record(seller.id, Actor.staff(9, "=cmd|calc"), "event.deleted", ("event", 1, "@x"))
    text = "".join(audit_trail.export_csv(seller.id, AuditFilter()))
    row = list(csv.DictReader(io.StringIO(text)))[0]
    assert (row["actor"], row["subject"]) == ("'=cmd|calc", "'@x")


def test_another_accounts_trail_is_not_shown(client, factory, seller):
    other = factory.seller("Other BV")
    audit_trail.record(
        other.id, Actor.staff(1, "x@other.example"), "event.created", ("event", 5, "Secret gig")
    )
    user = factory.staff(seller)
    assert sign_in(client, user.email).status_code == 302
    assert "Secret gig" not in page_text(client.get("/console/audit"))
    assert "Secret gig" not in client.get("/console/audit.csv").get_data(as_text=True)


def test_pages_of_fifty_newest_first(factory, seller):
    for number in range(60):
        audit_trail.record(seller.id, SYSTEM, "event.updated", ("event", number, f"E{number}"))
    events_only = AuditFilter(subject_type="event")  # the seller's key made an entry too
    first = audit_trail.entries(seller.id, events_only)
    assert [e.subject_label for e in first.entries[:2]] == ["E59", "E58"]
    second = audit_trail.entries(seller.id, events_only, before_id=first.next_before_id)
    assert len(first.entries) == 50 and [e.subject_label for e in second.entries][-1] == "E0"
    assert second.next_before_id is None
    assert Event.select().count() == 0  # records only: nothing else was touched


def test_orders_keys_and_scanners_changed_through_the_api_are_recorded(box_office, factory, seller):
    event = factory.event(seller)
    outcome = factory.order(seller, factory.ticket_type(event), quantity=2)
    assert box_office.post(f"/orders/{outcome.number}/refund", {"reason": "Ill"}).status_code == 200
    key = box_office.post("/api-keys", {"label": "Door laptop", "scopes": ["events:read"]})
    assert key.status_code == 201
    assert box_office.delete(f"/api-keys/{key.get_json()['id']}").status_code == 200
    scanner = box_office.post("/scanners", {"name": "Gate A", "eventIds": [event.id]})
    assert scanner.status_code == 201

    trail = [(a, s, c) for who, a, s, c in _trail() if who == "Box office sync"]
    assert trail[0] == (
        "order.refunded",
        outcome.reference,
        {"reason": [None, "Ill"], "refunded": [None, 5990], "status": ["processing", "refunded"]},
    )
    assert [(a, s) for a, s, _ in trail[1:]] == [
        ("api_key.created", "Door laptop"),
        ("api_key.revoked", "Door laptop"),
        ("scanner.created", "Gate A"),
    ]
    assert "secret" not in json.dumps(trail)


def test_webhook_endpoint_changes_are_recorded_without_their_secrets(factory, seller):
    from tp_api.services.credentials.secret_box import SecretBox
    from tp_api.services.webhooks import webhook_endpoints
    from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy

    box = SecretBox(["audit-test-secret"])
    policy = EndpointPolicy(allow_private=False, resolver=lambda host, port: ["93.184.216.34"])
    anna = Actor.staff(3, "anna@example.com")
    made = webhook_endpoints.create_endpoint(
        seller.id,
        box,
        policy,
        url="https://hooks.example.com/tp",
        event_types=["order.paid"],
        actor=anna,
    )
    endpoint_id = made.endpoint.id
    webhook_endpoints.update_endpoint(seller.id, endpoint_id, policy, enabled=False, actor=anna)
    rotated = webhook_endpoints.rotate_secret(seller.id, endpoint_id, box, actor=anna)
    webhook_endpoints.delete_endpoint(seller.id, endpoint_id, actor=anna)
    trail = _trail()
    assert [a for _, a, _, _ in trail] == [
        "webhook.created",
        "webhook.updated",
        "webhook.secret_rotated",
        "webhook.deleted",
    ]
    assert trail[1][3] == {"enabled": [True, False]}
    assert made.secret not in json.dumps(trail) and rotated.secret not in json.dumps(trail)
