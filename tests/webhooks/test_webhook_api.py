"""The admin API's /api/v1/webhooks: endpoints, secrets shown once, the URL guard (SSRF),
scopes, isolation between accounts, the delivery log, resend, rotation, Idempotency-Key
and the ``tp-bridge webhook`` command."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from click.testing import CliRunner
from standardwebhooks import Webhook

from config.cli import main
from tests.admin_api import ALL_SCOPES, Admin, api_error
from tests.webhooks.support import (
    ALL_TYPES,
    PUBLIC_ADDRESS,
    drain,
    worker,
)
from tp_api.db import connect
from tp_api.models import (
    IdempotencyRecord,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from tp_api.models.base import PUBLIC_NUMBER_MAX, PUBLIC_NUMBER_MIN
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.errors import InvalidInput
from tp_api.services.webhooks import webhook_endpoints
from tp_api.services.webhooks.url_guard import DestinationRefused
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy

ORDER_TYPES = ["order.created", "order.paid"]


def public_dns(host: str, port: int) -> list[str]:
    return [PUBLIC_ADDRESS]


PUBLIC = EndpointPolicy(allow_private=False, resolver=public_dns)


def box(settings) -> SecretBox:
    return SecretBox([settings.secret_key])


def all_text(response) -> str:
    return response.get_data(as_text=True)


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


# --- input validation and the URL guard ----------------------------------------------------------


@pytest.mark.parametrize(
    "types",
    [["order.shipped"], ["order.paid", "ORDER.PAID"], [], "order.paid"],
    ids=["unknown", "wrong-case", "empty", "not-a-list"],
)
def test_event_types_are_checked(api, rx, types):
    response = api.post("/webhooks", {"url": rx.url, "eventTypes": types})
    error = api_error(response, 400, "validation_error")
    assert any(d["field"].startswith("eventTypes") for d in error["details"]), error
    assert WebhookEndpoint.select().count() == 0


def test_unknown_event_type_in_the_service(db, seller, settings):
    with pytest.raises(InvalidInput) as refused:
        webhook_endpoints.create_endpoint(
            seller.id, box(settings), PUBLIC, url="https://hooks.example.com/", event_types=["x.y"]
        )
    assert refused.value.code == "unknown_event_type"
    with pytest.raises(InvalidInput) as empty:
        webhook_endpoints.create_endpoint(
            seller.id, box(settings), PUBLIC, url="https://hooks.example.com/", event_types=[]
        )
    assert empty.value.code == "event_types_missing"
    assert WebhookEndpoint.select().count() == 0


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://hooks.example.com/tp", "invalid_url"),
        ("file:///etc/passwd", "invalid_url"),
        ("gopher://127.0.0.1:25/", "invalid_url"),
        ("hooks.example.com/tp", "invalid_url"),
        ("http:///no-host", "invalid_url"),
        ("https://user:pass@hooks.example.com/tp", "invalid_url"),
        ("https://user@hooks.example.com/tp", "invalid_url"),
        ("http://hooks.example.com:99999/", "invalid_url"),
        ("https://tp-webhook-test.invalid/hook", "webhook_url_unresolvable"),
    ],
)
def test_urls_that_cannot_be_webhooks(client, factory, url, code):
    # The ordinary app: private addresses refused, as in production.
    seller = factory.seller()
    api = Admin(client, factory.api_key(seller))
    api_error(api.post("/webhooks", {"url": url, "eventTypes": ORDER_TYPES}), 400, code)
    assert WebhookEndpoint.select().count() == 0


PRIVATE_URLS = [
    "http://127.0.0.1/",
    "http://127.0.0.1:8080/hook",
    "http://127.1/",
    "http://2130706433/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.10/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://localhost/",
    "http://localhost:5000/hook",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://[::ffff:10.0.0.1]/",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_private_destinations_are_refused(client, factory, url):
    seller = factory.seller()
    api = Admin(client, factory.api_key(seller))
    error = api_error(
        api.post("/webhooks", {"url": url, "eventTypes": ORDER_TYPES}), 400, "webhook_url_refused"
    )
    assert "public addresses only" in error["message"]
    assert WebhookEndpoint.select().count() == 0


def test_patching_to_a_private_url_is_refused(client, factory, settings):
    seller = factory.seller()
    created = webhook_endpoints.create_endpoint(
        seller.id, box(settings), PUBLIC, url="https://hooks.example.com/tp", event_types=ALL_TYPES
    )
    api = Admin(client, factory.api_key(seller))
    path = f"/webhooks/{created.endpoint.id}"
    api_error(api.patch(path, {"url": "http://10.0.0.1/"}), 400, "webhook_url_refused")
    api_error(api.patch(path, {"url": "ftp://hooks.example.com/"}), 400, "invalid_url")
    assert WebhookEndpoint.get_by_id(created.endpoint.id).url == "https://hooks.example.com/tp"


@pytest.mark.parametrize(
    "addresses",
    [["10.1.2.3"], ["127.0.0.1"], ["169.254.169.254"], [PUBLIC_ADDRESS, "192.168.0.7"], ["::1"]],
)
def test_a_name_resolving_to_a_private_address_is_refused(db, seller, settings, addresses):
    asked = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return addresses

    policy = EndpointPolicy(allow_private=False, resolver=resolver)
    with pytest.raises(DestinationRefused) as refused:
        webhook_endpoints.create_endpoint(
            seller.id,
            box(settings),
            policy,
            url="https://hooks.customer.example:8443/tp",
            event_types=ORDER_TYPES,
        )
    assert refused.value.code == "webhook_url_refused"
    assert asked == [("hooks.customer.example", 8443)]
    assert WebhookEndpoint.select().count() == 0
    # The installation's setting lets the same name through (closed networks, tests).
    allowed = EndpointPolicy(allow_private=True, resolver=resolver)
    webhook_endpoints.create_endpoint(
        seller.id,
        box(settings),
        allowed,
        url="https://hooks.customer.example/",
        event_types=ORDER_TYPES,
    )
    assert WebhookEndpoint.select().count() == 1


def test_a_public_address_is_accepted(db, seller, settings):
    asked = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return [PUBLIC_ADDRESS, "2606:2800:220:1:248:1893:25c8:1946"]

    created = webhook_endpoints.create_endpoint(
        seller.id,
        box(settings),
        EndpointPolicy(allow_private=False, resolver=resolver),
        url="https://hooks.example.com/tp",
        event_types=ORDER_TYPES,
    )
    assert asked == [("hooks.example.com", 443)]
    assert created.secret.startswith("whsec_")
    assert box(settings).open(created.endpoint.secret_sealed) == created.secret
    assert WebhookEndpoint.get_by_id(created.endpoint.id).url == "https://hooks.example.com/tp"
    # The ping is queued at once.
    (delivery,) = WebhookDelivery.select().where(WebhookDelivery.endpoint == created.endpoint.id)
    assert WebhookEvent.get_by_id(delivery.event_id).event_type == "webhook.ping"


def test_an_account_has_at_most_twenty_endpoints(db, seller, factory, settings):
    for n in range(webhook_endpoints.MAX_ENDPOINTS):
        webhook_endpoints.create_endpoint(
            seller.id,
            box(settings),
            PUBLIC,
            url=f"https://h{n}.example.com/",
            event_types=ORDER_TYPES,
        )
    with pytest.raises(InvalidInput) as refused:
        webhook_endpoints.create_endpoint(
            seller.id, box(settings), PUBLIC, url="https://h.example.com/", event_types=ORDER_TYPES
        )
    assert refused.value.code == "too_many_endpoints"
    assert WebhookEndpoint.select().count() == webhook_endpoints.MAX_ENDPOINTS
    # Another account is not counted against it.
    other = factory.seller()
    webhook_endpoints.create_endpoint(
        other.id, box(settings), PUBLIC, url="https://o.example.com/", event_types=ORDER_TYPES
    )


def test_an_unresolvable_name_is_refused(db, seller, settings):
    def resolver(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    for policy in (
        EndpointPolicy(allow_private=False, resolver=resolver),
        EndpointPolicy(allow_private=True, resolver=resolver),
        EndpointPolicy(allow_private=False, resolver=lambda host, port: []),
    ):
        with pytest.raises(DestinationRefused) as refused:
            webhook_endpoints.create_endpoint(
                seller.id,
                box(settings),
                policy,
                url="https://gone.example/",
                event_types=ORDER_TYPES,
            )
        assert refused.value.code == "webhook_url_unresolvable"
    assert WebhookEndpoint.select().count() == 0


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


@pytest.fixture
def finished(api, rx, outbox):
    """An endpoint of ``api``'s account whose ping was delivered: (endpoint, delivery id)."""
    created = api.create_hook(rx.url, ORDER_TYPES)
    drain(outbox)
    (delivery,) = api.deliveries(created["id"])
    assert delivery["status"] == "succeeded"
    return created, delivery["id"]


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


# --- the delivery log ----------------------------------------------------------------------------


def test_the_log_of_deliveries_pages_newest_first(api, rx, outbox):
    created = api.create_hook(rx.url, ORDER_TYPES)
    endpoint_id = created["id"]
    (on_creation,) = api.deliveries(endpoint_id)  # the ping queued when the hook was made
    queued = [api.post(f"/webhooks/{endpoint_id}/ping") for _ in range(4)]
    assert {r.status_code for r in queued} == {202}
    # Oldest first; ids are random numbers, so the order is the order they were made in.
    ids = [on_creation["id"]] + [r.get_json()["deliveryId"] for r in queued]
    assert len(set(ids)) == 5
    drain(outbox)
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = api.get(f"/webhooks/{endpoint_id}/deliveries", **query)
        assert response.status_code == 200, all_text(response)
        page = response.get_json()
        pages += 1
        assert len(page["items"]) <= 2
        seen += [d["id"] for d in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == ids[::-1]
    assert [d["id"] for d in api.deliveries(endpoint_id, status="succeeded")] == seen
    assert api.deliveries(endpoint_id, status="pending") == []
    api_error(
        api.get(f"/webhooks/{endpoint_id}/deliveries", cursor="not-a-cursor"), 400, "invalid_cursor"
    )


def test_the_log_of_deliveries_shows_every_attempt(api, rx, outbox):
    created = api.create_hook(rx.url, ORDER_TYPES)
    rx.answer((500, "database down"), (200, "x" * 2000))
    drain(outbox)
    (delivery,) = api.deliveries(created["id"])
    assert (delivery["status"], delivery["attempts"]) == ("pending", 1)
    assert delivery["nextAttemptAt"] is not None and delivery["finishedAt"] is None
    (first,) = delivery["attemptLog"]
    assert (first["number"], first["statusCode"], first["error"]) == (1, 500, None)
    assert first["responseExcerpt"] == "database down"
    assert isinstance(first["durationMs"], int) and 0 <= first["durationMs"] < 5000
    assert api.deliveries(created["id"], status="pending")[0]["id"] == delivery["id"]
    # The retry is due a few seconds later.
    next_at = datetime.fromisoformat(delivery["nextAttemptAt"].replace("Z", "+00:00"))
    assert timedelta(seconds=3) <= next_at - datetime.now(UTC) <= timedelta(seconds=6)
    WebhookDelivery.update(next_attempt_at=datetime.now(UTC)).execute()
    from tp_api.models import OutboxEntry

    OutboxEntry.update(not_before=datetime.now(UTC)).where(OutboxEntry.done_at.is_null()).execute()
    drain(outbox)
    (delivery,) = api.deliveries(created["id"])
    assert (delivery["status"], delivery["attempts"], delivery["nextAttemptAt"]) == (
        "succeeded",
        2,
        None,
    )
    assert [a["statusCode"] for a in delivery["attemptLog"]] == [500, 200]
    assert delivery["attemptLog"][1]["responseExcerpt"] == "x" * 500
    assert len(rx.requests) == 2


def test_an_unreachable_receiver_is_logged_with_its_error(api, rx, outbox):
    created = api.create_hook(rx.url, ORDER_TYPES)
    rx.server.shutdown()
    rx.server.server_close()  # nothing listens on the port any more
    drain(outbox)
    (delivery,) = api.deliveries(created["id"])
    (attempt,) = delivery["attemptLog"]
    assert attempt["statusCode"] is None
    assert attempt["error"] and "ConnectionError" in attempt["error"]
    assert delivery["status"] == "pending"


# --- resend --------------------------------------------------------------------------------------


def test_resend_sends_a_finished_one_again_with_the_same_id(api, rx, outbox, finished):
    created, delivery_id = finished
    (first,) = rx.wait_for(1)
    response = api.post(f"/webhooks/deliveries/{delivery_id}/resend")
    assert response.status_code == 202, all_text(response)
    resent = response.get_json()
    assert (resent["id"], resent["status"], resent["finishedAt"]) == (delivery_id, "pending", None)
    assert resent["eventId"] == first.headers["webhook-id"]
    assert len(resent["attemptLog"]) == 1
    # Still pending: a second resend is refused until it finished.
    api_error(api.post(f"/webhooks/deliveries/{delivery_id}/resend"), 409, "delivery_pending")
    drain(outbox)
    first, again = rx.wait_for(2)
    assert again.headers["webhook-id"] == first.headers["webhook-id"]
    assert again.body == first.body
    Webhook(created["secret"]).verify(again.body, again.headers)
    (delivery,) = api.deliveries(created["id"])
    assert (delivery["status"], delivery["attempts"]) == ("succeeded", 2)
    assert [a["number"] for a in delivery["attemptLog"]] == [1, 2]
    assert WebhookEvent.select().count() == 1


def fail_until_given_up(api, outbox, endpoint_id: int) -> dict:
    """Let the receiver's 500s run the delivery through its whole retry schedule."""
    for _ in range(20):
        (delivery,) = api.deliveries(endpoint_id)
        if delivery["status"] != "pending":
            return delivery
        due = datetime.fromisoformat(delivery["nextAttemptAt"].replace("Z", "+00:00"))
        with time_machine.travel(due + timedelta(seconds=1), tick=False):
            drain(outbox)
    raise AssertionError("the delivery was never given up")


def test_a_resent_failed_one_is_retried_again(api, rx, outbox):
    created = api.create_hook(rx.url, ORDER_TYPES)
    rx.default = (500, "down")
    drain(outbox)
    given_up = fail_until_given_up(api, outbox, created["id"])
    assert given_up["status"] == "failed" and given_up["attempts"] >= 11
    tried = given_up["attempts"]
    later = datetime.fromisoformat(given_up["finishedAt"].replace("Z", "+00:00"))
    with time_machine.travel(later + timedelta(minutes=1), tick=False):
        response = api.post(f"/webhooks/deliveries/{given_up['id']}/resend")
        assert response.status_code == 202, all_text(response)
        drain(outbox)
        (resent,) = api.deliveries(created["id"])
    assert resent["attempts"] == tried + 1
    assert len(rx.requests) == tried + 1
    # Still down: the resend's own retry window has just begun, so it is tried again later.
    assert resent["status"] == "pending", resent
    assert resent["nextAttemptAt"] is not None


def test_resend_to_a_disabled_endpoint_is_refused(api, outbox, finished):
    created, delivery_id = finished
    api.patch(f"/webhooks/{created['id']}", {"enabled": False})
    api_error(api.post(f"/webhooks/deliveries/{delivery_id}/resend"), 409, "webhook_disabled")
    assert WebhookDelivery.get(WebhookDelivery.number == delivery_id).status == "succeeded"


# --- rotate-secret -------------------------------------------------------------------------------


def test_rotate_secret_gives_a_new_secret(api, finished, settings):
    created, _ = finished
    response = api.post(f"/webhooks/{created['id']}/rotate-secret", {"graceHours": 2})
    assert response.status_code == 200, all_text(response)
    rotated = response.get_json()
    assert set(rotated) == {"secret", "previousSecretExpiresAt"}
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    expires = datetime.fromisoformat(rotated["previousSecretExpiresAt"].replace("Z", "+00:00"))
    assert abs(expires - (datetime.now(UTC) + timedelta(hours=2))) < timedelta(minutes=1)
    row = WebhookEndpoint.get_by_id(created["id"])
    assert box(settings).open(row.secret_sealed) == rotated["secret"]
    assert box(settings).open(row.previous_secret_sealed) == created["secret"]
    shown = api.get(f"/webhooks/{created['id']}")
    assert shown.get_json()["previousSecretExpiresAt"] == rotated["previousSecretExpiresAt"]
    assert rotated["secret"] not in all_text(shown)
    default = api.post(f"/webhooks/{created['id']}/rotate-secret").get_json()
    expires = datetime.fromisoformat(default["previousSecretExpiresAt"].replace("Z", "+00:00"))
    assert abs(expires - (datetime.now(UTC) + timedelta(hours=24))) < timedelta(minutes=1)
    for bad in (-1, 169, "soon"):
        api_error(
            api.post(f"/webhooks/{created['id']}/rotate-secret", {"graceHours": bad}),
            400,
            "validation_error",
        )


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


# --- the tp-bridge webhook command ---------------------------------------------------------------


@pytest.fixture
def cli(db_url, settings):
    runner = CliRunner()

    def invoke(*args, private=True):
        env = {"TP_DATABASE_URL": db_url, "TP_SECRET_KEY": settings.secret_key}
        env["TP_WEBHOOK_ALLOW_PRIVATE"] = "1" if private else "0"
        return runner.invoke(main, ["webhook", *args], env=env)

    yield invoke
    connect(db_url).close_all()


def ok(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_webhook_command(cli, factory, rx, settings, db):
    factory.seller("Festival BV")
    factory.seller("Other BV")
    created = ok(
        cli(
            "create",
            "--account",
            "Festival BV",
            "--url",
            rx.url,
            "--event",
            "order.paid",
            "--event",
            "order.created",
            "--description",
            "CRM",
        )
    )
    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert created["eventTypes"] == ORDER_TYPES and created["description"] == "CRM"
    endpoint_id = created["id"]
    listed = cli("list", "--account", "Festival BV")
    assert [e["id"] for e in ok(listed)] == [endpoint_id]
    assert secret not in listed.output
    assert ok(cli("list", "--account", "Other BV")) == []

    outbox = worker(settings)
    drain(outbox)
    (ping,) = rx.wait_for(1)
    assert Webhook(secret).verify(ping.body, ping.headers)["type"] == "webhook.ping"

    pinged = ok(cli("ping", "--account", "Festival BV", str(endpoint_id)))
    rotated = ok(
        cli("rotate-secret", "--account", "Festival BV", "--grace-hours", "0", str(endpoint_id))
    )
    assert rotated["endpoint_id"] == endpoint_id and rotated["secret"] != secret
    drain(outbox)
    _, second = rx.wait_for(2)
    Webhook(rotated["secret"]).verify(second.body, second.headers)
    assert second.headers["webhook-signature"].count("v1,") == 1

    deliveries = ok(cli("deliveries", "--account", "Festival BV", str(endpoint_id)))
    assert [d["id"] for d in deliveries][0] == pinged["delivery_id"]
    assert {d["status"] for d in deliveries} == {"succeeded"}
    assert (
        ok(cli("deliveries", "--account", "Festival BV", "--status", "pending", str(endpoint_id)))
        == []
    )
    resent = ok(cli("resend", "--account", "Festival BV", str(pinged["delivery_id"])))
    assert resent == {"delivery_id": pinged["delivery_id"], "status": "pending"}
    drain(outbox)
    third = rx.wait_for(3)[2]
    assert third.headers["webhook-id"] == second.headers["webhook-id"]

    # Another account's endpoint or delivery is not found.
    missing = cli("delete", "--account", "Other BV", str(endpoint_id))
    assert missing.exit_code == 1 and "Webhook endpoint not found" in missing.output
    not_theirs = cli("resend", "--account", "Other BV", str(pinged["delivery_id"]))
    assert not_theirs.exit_code == 1 and "Delivery not found" in not_theirs.output

    assert ok(cli("delete", "--account", "Festival BV", str(endpoint_id))) == {
        "deleted": endpoint_id
    }
    assert ok(cli("list", "--account", "Festival BV")) == []
    assert WebhookDelivery.select().count() == 0


def test_the_webhook_command_refuses_bad_input(cli, factory, db):
    factory.seller("Festival BV")
    refused = cli(
        "create",
        "--account",
        "Festival BV",
        "--url",
        "http://127.0.0.1:9/",
        "--event",
        "order.paid",
        private=False,
    )
    assert refused.exit_code == 1 and "public addresses only" in refused.output
    unknown = cli(
        "create",
        "--account",
        "Festival BV",
        "--url",
        "http://127.0.0.1:9/",
        "--event",
        "order.shipped",
    )
    assert unknown.exit_code == 2 and "order.shipped" in unknown.output
    nobody = cli("list", "--account", "Nobody BV")
    assert nobody.exit_code == 1 and "not found" in nobody.output
    assert WebhookEndpoint.select().count() == 0


def test_a_delivery_is_known_by_a_random_number_not_its_row_id(api, finished):
    """Row ids count every tenant's webhook events; the id a tenant sees tells it nothing."""
    created, number = finished
    row = WebhookDelivery.get(WebhookDelivery.endpoint == created["id"])
    assert row.number == number and PUBLIC_NUMBER_MIN <= number <= PUBLIC_NUMBER_MAX
    assert row.id != number
    api_error(api.post(f"/webhooks/deliveries/{row.id}/resend"), 404, "delivery_not_found")
    assert api.post(f"/webhooks/deliveries/{number}/resend").status_code == 202
