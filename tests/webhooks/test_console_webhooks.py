"""Webhook endpoints managed in the console: added with the secret shown once, a test ping
that reaches the receiver signed with that secret, switched off and on, a rotated secret
signing beside the old one, deletion; problems beside their fields; all in the audit trail."""

from __future__ import annotations

import re

import pytest

from tests.tp_api.console.support import page_text, post_form, sign_in
from tests.webhooks.support import drain
from tp_api.models import AuditEntry, WebhookEndpoint
from tp_api.services.webhooks.signing import sign

_SECRET = re.compile(r'id="new-secret" type="text" readonly value="([^"]+)"')


@pytest.fixture
def console(hook_app, factory, seller):
    client = hook_app.test_client()
    assert sign_in(client, factory.staff(seller, email="anna@example.com").email).status_code == 302
    return client


def _secret(response) -> str:
    found = _SECRET.search(response.get_data(as_text=True))
    assert found, "no secret on the page"
    return found.group(1)


def _signed_with(secret: str, request) -> bool:
    headers = request.headers
    expected = sign(
        secret, headers["webhook-id"], int(headers["webhook-timestamp"]), request.body.decode()
    )
    return expected in headers["webhook-signature"].split()


def test_add_ping_switch_rotate_and_delete_an_endpoint(console, rx, outbox):
    added = post_form(
        console,
        "/console/webhooks",
        "/console/webhooks",
        {"url": rx.url, "description": "Accounting", "event_types": "order.paid"},
    )
    assert added.status_code == 200, page_text(added)
    first = _secret(added)
    endpoint = WebhookEndpoint.get()
    assert first not in console.get("/console/webhooks").get_data(as_text=True)
    drain(outbox)
    created_ping = rx.wait_for(1)[0]
    assert _signed_with(first, created_ping)

    page = f"/console/webhooks/{endpoint.id}"
    assert post_form(console, page, f"{page}/enabled", {"enabled": "off"}).status_code == 302
    assert not WebhookEndpoint.get_by_id(endpoint.id).enabled
    assert "Send a test ping" not in page_text(console.get(page))
    assert post_form(console, page, f"{page}/enabled", {"enabled": "on"}).status_code == 302

    rotated = post_form(console, page, f"{page}/rotate", {})
    assert rotated.status_code == 200
    second = _secret(rotated)
    assert second != first
    pinged = post_form(console, page, f"{page}/ping", {})
    assert "Test ping queued" in page_text(console.get(pinged.headers["Location"]))
    drain(outbox)
    ping = rx.wait_for(2)[1]
    assert _signed_with(second, ping) and _signed_with(first, ping)  # both, for a day

    assert post_form(console, page, f"{page}/delete", {}).status_code == 302
    assert WebhookEndpoint.select().count() == 0
    actions = [
        e.action
        for e in AuditEntry.select()
        .where(AuditEntry.actor_label == "anna@example.com")
        .order_by(AuditEntry.id)
    ]
    assert actions == [
        "webhook.created",
        "webhook.updated",
        "webhook.updated",
        "webhook.secret_rotated",
        "webhook.deleted",
    ]


@pytest.mark.parametrize(
    ("form", "field", "problem"),
    [
        ({"url": "ftp://example.com/x", "event_types": "order.paid"}, "url", "http:// or https://"),
        (
            {"url": "https://user:pw@example.com/x", "event_types": "order.paid"},
            "url",
            "credentials",
        ),
        ({"url": "https://example.com/hook"}, "event_types", "at least one event type"),
        (
            {"url": "https://example.com/hook", "event_types": "order.eaten"},
            "event_types",
            "Unknown event type",
        ),
    ],
)
def test_a_refused_endpoint_says_why_beside_the_field(console, form, field, problem):
    refused = post_form(console, "/console/webhooks", "/console/webhooks", form)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    said = re.search(rf'id="{field}-error">([^<]*)<', html)
    assert said and problem in said.group(1)
    assert 'value="' + form["url"] + '"' in html
    assert WebhookEndpoint.select().count() == 0


def test_another_accounts_endpoint_cannot_be_pinged_or_deleted(console, factory, hook_app):
    from tp_api.services.credentials.secret_box import SecretBox
    from tp_api.services.webhooks import webhook_endpoints
    from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy

    other = factory.seller("Other BV")
    policy = EndpointPolicy(allow_private=False, resolver=lambda host, port: ["93.184.216.34"])
    theirs = webhook_endpoints.create_endpoint(
        other.id,
        SecretBox(["x" * 32]),
        policy,
        url="https://hooks.example.com/a",
        event_types=["order.paid"],
    ).endpoint
    page = "/console/webhooks"
    assert post_form(console, page, f"/console/webhooks/{theirs.id}/ping", {}).status_code == 404
    assert post_form(console, page, f"/console/webhooks/{theirs.id}/delete", {}).status_code == 404
    assert WebhookEndpoint.get_by_id(theirs.id).url == "https://hooks.example.com/a"
