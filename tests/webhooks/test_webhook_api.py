"""The admin API's /api/v1/webhooks endpoints: create (secret shown once, a ping sent),
list, change, disable, delete; the webhooks scope, other accounts, and Idempotency-Key."""

from __future__ import annotations

import base64
import json

import pytest
from standardwebhooks import Webhook

from tests.admin_api import ALL_SCOPES, Admin, api_error
from tests.webhooks.support import (
    ORDER_TYPES,
    all_text,
    drain,
)
from tp_api.models import (
    IdempotencyRecord,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

# --- create, list, get ---------------------------------------------------------------------------


def test_create_shows_the_secret_once_and_pings_the_endpoint(api, rx, outbox, seller):
    response = api.post(
        "/webhooks", {"url": rx.url, "eventTypes": ORDER_TYPES, "description": "Our CRM"}
    )
    assert response.status_code == 201, all_text(response)
    created = response.get_json()
    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert {k: created[k] for k in ("url", "description", "eventTypes", "enabled")} == {
        "url": rx.url,
        "description": "Our CRM",
        "eventTypes": ORDER_TYPES,
        "enabled": True,
    }
    assert created["failedDeliveriesInARow"] == 0 and created["disabledReason"] is None
    # Never again: not in the list, not in the endpoint, not stored in clear.
    listed = api.get("/webhooks")
    fetched = api.get(f"/webhooks/{created['id']}")
    assert listed.status_code == fetched.status_code == 200
    assert [e["id"] for e in listed.get_json()["items"]] == [created["id"]]
    for response in (listed, fetched):
        assert secret not in all_text(response) and secret.removeprefix("whsec_") not in all_text(
            response
        )
    assert "secret" not in fetched.get_json() and "secret" not in listed.get_json()["items"][0]
    assert fetched.get_json() == {k: v for k, v in created.items() if k != "secret"}
    row = WebhookEndpoint.get_by_id(created["id"])
    assert row.account_id == seller.id
    assert secret.removeprefix("whsec_") not in row.secret_sealed
    # A ping is queued, then delivered and signed with that secret.
    (queued,) = api.deliveries(created["id"])
    assert (queued["eventType"], queued["status"], queued["attempts"]) == (
        "webhook.ping",
        "pending",
        0,
    )
    assert rx.requests == []
    drain(outbox)
    (ping,) = rx.wait_for(1)
    payload = Webhook(secret).verify(ping.body, ping.headers)
    assert payload["type"] == "webhook.ping" and payload["id"] == queued["eventId"]
    assert payload["data"]["endpointId"] == created["id"] and payload["data"]["url"] == rx.url
    (done,) = api.deliveries(created["id"])
    assert (done["status"], done["attempts"]) == ("succeeded", 1)


def test_list_shows_only_the_accounts_endpoints_in_order(api, rx, factory, hook_app):
    first = api.create_hook(rx.url, ORDER_TYPES)
    second = api.create_hook(rx.url + "/2", ["event.published"])
    other = Admin(hook_app.test_client(), factory.api_key(factory.seller()))
    theirs = other.create_hook(rx.url + "/3", ["order.paid"])
    mine = api.get("/webhooks").get_json()["items"]
    assert [e["id"] for e in mine] == [first["id"], second["id"]]
    assert [e["id"] for e in other.get("/webhooks").get_json()["items"]] == [theirs["id"]]


def test_patch_changes_url_types_and_description(api, rx):
    created = api.create_hook(rx.url, ORDER_TYPES, description="old")
    response = api.patch(
        f"/webhooks/{created['id']}",
        {
            "url": rx.url + "/v2",
            # De-duplicated and put in catalogue order.
            "eventTypes": ["ticket.reissued", "order.refunded", "ticket.reissued"],
            "description": "new",
        },
    )
    assert response.status_code == 200, all_text(response)
    patched = response.get_json()
    assert patched["url"] == rx.url + "/v2"
    assert patched["eventTypes"] == ["order.refunded", "ticket.reissued"]
    assert patched["description"] == "new"
    assert "secret" not in patched
    assert api.get(f"/webhooks/{created['id']}").get_json() == patched
    row = WebhookEndpoint.get_by_id(created["id"])
    assert row.event_types == "order.refunded ticket.reissued"
    # Only what is sent changes.
    only_description = api.patch(f"/webhooks/{created['id']}", {"description": "third"})
    assert only_description.get_json()["eventTypes"] == patched["eventTypes"]
    assert only_description.get_json()["url"] == rx.url + "/v2"


def test_disable_and_enable_again_resets_the_failure_count(api, rx):
    created = api.create_hook(rx.url, ORDER_TYPES)
    off = api.patch(f"/webhooks/{created['id']}", {"enabled": False})
    assert off.status_code == 200 and off.get_json()["enabled"] is False
    assert WebhookEndpoint.get_by_id(created["id"]).enabled is False
    # As the worker leaves it after deliveries failed for days.
    WebhookEndpoint.update(
        failed_deliveries_in_a_row=3, disabled_reason="Disabled after 3 deliveries failed"
    ).where(WebhookEndpoint.id == created["id"]).execute()
    shown = api.get(f"/webhooks/{created['id']}").get_json()
    assert (shown["enabled"], shown["failedDeliveriesInARow"]) == (False, 3)
    assert shown["disabledReason"].startswith("Disabled after 3")
    on = api.patch(f"/webhooks/{created['id']}", {"enabled": True})
    assert on.status_code == 200
    body = on.get_json()
    assert (body["enabled"], body["failedDeliveriesInARow"], body["disabledReason"]) == (
        True,
        0,
        None,
    )
    row = WebhookEndpoint.get_by_id(created["id"])
    assert (row.enabled, row.failed_deliveries_in_a_row, row.disabled_reason) == (True, 0, None)


def test_delete_removes_the_endpoint_and_its_deliveries(api, rx, outbox):
    created = api.create_hook(rx.url, ORDER_TYPES)
    kept = api.create_hook(rx.url + "/kept", ORDER_TYPES)
    endpoint_id = created["id"]
    assert api.post(f"/webhooks/{endpoint_id}/ping").status_code == 202
    drain(outbox)
    assert WebhookAttempt.select().count() == 3
    # One more queued but not yet sent when the endpoint goes.
    assert api.post(f"/webhooks/{endpoint_id}/ping").status_code == 202
    sent_before = len(rx.requests)
    response = api.delete(f"/webhooks/{endpoint_id}")
    assert response.status_code == 204 and response.get_data() == b""
    api_error(api.get(f"/webhooks/{endpoint_id}"), 404, "webhook_not_found")
    api_error(api.get(f"/webhooks/{endpoint_id}/deliveries"), 404, "webhook_not_found")
    api_error(api.delete(f"/webhooks/{endpoint_id}"), 404, "webhook_not_found")
    assert WebhookDelivery.select().where(WebhookDelivery.endpoint == endpoint_id).count() == 0
    assert WebhookEndpoint.get_or_none(WebhookEndpoint.id == endpoint_id) is None
    assert WebhookAttempt.select().count() == 1  # the kept endpoint's ping
    drain(outbox)
    assert len(rx.requests) == sent_before  # the queued ping was not sent
    assert [e["id"] for e in api.get("/webhooks").get_json()["items"]] == [kept["id"]]


# --- scopes and other accounts -------------------------------------------------------------------

ROUTES = [
    ("GET", "/webhooks", None),
    ("POST", "/webhooks", "create"),
    ("GET", "/webhooks/{endpoint}", None),
    ("PATCH", "/webhooks/{endpoint}", {"description": "x"}),
    ("DELETE", "/webhooks/{endpoint}", None),
    ("POST", "/webhooks/{endpoint}/ping", {}),
    ("POST", "/webhooks/{endpoint}/rotate-secret", {}),
    ("GET", "/webhooks/{endpoint}/deliveries", None),
    ("POST", "/webhooks/deliveries/{delivery}/resend", {}),
]


def endpoint_state(endpoint_id: int) -> tuple:
    row = WebhookEndpoint.get_by_id(endpoint_id)
    deliveries = WebhookDelivery.select().where(WebhookDelivery.endpoint == endpoint_id)
    return (
        row.url,
        row.description,
        row.enabled,
        row.secret_sealed,
        row.previous_secret_sealed,
        [(d.id, d.status, d.attempts) for d in deliveries.order_by(WebhookDelivery.id)],
    )


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_every_route_needs_the_webhooks_scope(
    api, hook_app, factory, seller, finished, rx, method, path, body
):
    created, delivery_id = finished
    before = endpoint_state(created["id"])
    narrow = Admin(
        hook_app.test_client(),
        factory.api_key(seller, scopes=[s for s in ALL_SCOPES if s != "webhooks:write"]),
    )
    if body == "create":
        body = {"url": rx.url, "eventTypes": ORDER_TYPES}
    url = path.format(endpoint=created["id"], delivery=delivery_id)
    error = api_error(narrow.call(method, url, body), 403, "missing_scopes")
    assert error["details"] == {"missingScopes": ["webhooks:write"]}
    assert endpoint_state(created["id"]) == before
    assert WebhookEndpoint.select().count() == 1
    # The scope alone is enough.
    only = Admin(hook_app.test_client(), factory.api_key(seller, scopes=["webhooks:write"]))
    assert only.call(method, url, body).status_code < 300


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [r for r in ROUTES if "{" in r[1]],
    ids=[f"{m} {p}" for m, p, _ in ROUTES if "{" in p],
)
def test_another_accounts_endpoint_is_not_found(
    api, hook_app, factory, finished, method, path, body
):
    created, delivery_id = finished
    before = endpoint_state(created["id"])
    intruder = Admin(hook_app.test_client(), factory.api_key(factory.seller()))
    url = path.format(endpoint=created["id"], delivery=delivery_id)
    code = "delivery_not_found" if "deliveries/" in path else "webhook_not_found"
    api_error(intruder.call(method, url, body), 404, code)
    assert endpoint_state(created["id"]) == before
    assert intruder.get("/webhooks").get_json()["items"] == []
    # A made-up id is answered the same way.
    missing = path.format(endpoint=created["id"] + 100, delivery=delivery_id + 100)
    api_error(api.call(method, missing, body), 404, code)


# --- Idempotency-Key -----------------------------------------------------------------------------


def test_a_replayed_create_is_refused_and_the_secret_not_stored(api, rx):
    body = {"url": rx.url, "eventTypes": ORDER_TYPES}
    headers = {"Idempotency-Key": "create-hook-1"}
    first = api.call("POST", "/webhooks", body, headers)
    assert first.status_code == 201
    secret = first.get_json()["secret"]
    again = api.call("POST", "/webhooks", body, headers)
    error = api_error(again, 409, "idempotency_secret_not_replayed")
    assert f"webhook endpoint {first.get_json()['id']}" in error["message"]
    assert secret not in all_text(again)
    assert WebhookEndpoint.select().count() == 1
    for record in IdempotencyRecord.select():
        stored = json.dumps(record.__data__, default=str)
        assert secret not in stored and secret.removeprefix("whsec_") not in stored
    # Another key is another endpoint.
    other = api.call("POST", "/webhooks", body, {"Idempotency-Key": "create-hook-2"})
    assert other.status_code == 201 and other.get_json()["secret"] != secret


def test_a_replayed_rotation_is_refused(api, rx):
    created = api.create_hook(rx.url, ORDER_TYPES)
    path = f"/webhooks/{created['id']}/rotate-secret"
    headers = {"Idempotency-Key": "rotate-1"}
    first = api.call("POST", path, {}, headers)
    assert first.status_code == 200
    sealed = WebhookEndpoint.get_by_id(created["id"]).secret_sealed
    api_error(api.call("POST", path, {}, headers), 409, "idempotency_secret_not_replayed")
    assert WebhookEndpoint.get_by_id(created["id"]).secret_sealed == sealed
