"""Transferring a ticket from the console's order page (issue 19): the new holder's form,
problems beside their fields, and the e-mails it causes, through the real outbox worker and
a real SMTP server; door staff cannot."""

from __future__ import annotations

import dataclasses
import html
import re

from config.workers import outbox_worker
from tests.tp_api.console.support import page_text, post_form, sign_in
from tp_api.models import AuditEntry, Ticket


def _order(factory, seller):
    outcome = factory.order(seller, factory.ticket_type(factory.event(seller)), quantity=2)
    return outcome, factory.personalise_all(seller, outcome)


def test_transfer_a_ticket_from_the_order_page(client, factory, seller, smtp, settings):
    controller, inbox = smtp
    outcome, tickets = _order(factory, seller)
    old = tickets[0]
    worker = outbox_worker(
        dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=controller.port)
    )
    while worker.run_once():  # the order's own e-mails first
        pass
    inbox.messages.clear()
    order_page = client.get(f"/console/orders/{outcome.number}").get_data(as_text=True)
    path = f"/console/orders/{outcome.number}/tickets/{old.reference}/transfer"
    assert f'href="{path}"' in order_page

    refused = post_form(client, path, path, {"firstName": "Sam", "lastName": "", "email": "x"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert re.search(r'id="lastName-error">Fill this in\.<', text)
    assert 'id="email-error">' in text and 'id="email-error"></p>' not in text
    assert 'value="Sam"' in text

    done = post_form(
        client,
        path,
        path,
        {"firstName": "Sam", "lastName": "Smith", "email": "sam@example.com", "phone": ""},
    )
    assert done.status_code == 302, page_text(done)
    moved = Ticket.get_by_id(old.id)
    assert (moved.first_name, moved.email, moved.version) == ("Sam", "sam@example.com", 2)
    after = html.unescape(page_text(client.get(f"/console/orders/{outcome.number}")))
    assert f"Ticket {old.reference} now belongs to Sam Smith" in after
    assert AuditEntry.select().order_by(AuditEntry.id.desc()).get().action == "ticket.transferred"

    # The new holder gets their ticket, the old holder a notice.
    while worker.run_once():
        pass
    to = sorted(m["To"] for m in inbox.messages)
    assert to == sorted(["sam@example.com", old.email])


def test_a_used_ticket_cannot_be_transferred_and_door_staff_may_not(client, factory, seller):
    outcome, tickets = _order(factory, seller)
    Ticket.update(status=3).where(Ticket.id == tickets[1].id).execute()
    path = f"/console/orders/{outcome.number}/tickets/{tickets[1].reference}/transfer"
    page = page_text(client.get(path))
    assert "Only a ticket not yet used, cancelled or replaced can be transferred." in page
    assert "Transfer ticket</button>" not in client.get(path).get_data(as_text=True)
    # Another account's order is not found.
    other = factory.seller()
    other_order, other_tickets = _order(factory, other)
    foreign = f"/console/orders/{other_order.number}/tickets/{other_tickets[0].reference}/transfer"
    assert client.get(foreign).status_code == 404

    door = client.application.test_client()
    sign_in(door, factory.staff(seller, role="door").email)
    own = f"/console/orders/{outcome.number}/tickets/{tickets[0].reference}/transfer"
    assert door.get(own).status_code in (302, 403)
