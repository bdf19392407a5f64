"""/api/v1/api-keys and /api/v1/scanners, and admin-API authentication."""

from __future__ import annotations

from datetime import timedelta

import pytest

from config.tickets import ticket_tools
from tests.admin_api import ALL_SCOPES, api_error
from tests.tp_api.admin_orders.helpers import auth, key_id, new_key, tickets_of
from tp_api.models import ApiKey, IdempotencyRecord, Scanner, ScannerEvent
from tp_api.services.credentials import admin_keys
from tp_api.services.delivery.ticket_files import ticket_code


def create_key(client, key, body=None, headers=None):
    return client.post(
        "/api/v1/api-keys", json=body or {}, headers={**auth(key), **(headers or {})}
    )


def list_keys(client, key):
    response = client.get("/api/v1/api-keys", headers=auth(key))
    assert response.status_code == 200
    return response


def test_create_shows_the_secret_once(client, shop):
    response = create_key(client, shop.key, {"label": " CI deploy ", "scopes": ["orders:read"]})
    assert response.status_code == 201
    created = response.get_json()
    secret = created["secret"]
    assert secret.startswith("tpk_") and len(secret) >= 40
    assert created["prefix"] == secret[:12]
    assert (created["label"], created["scopes"]) == ("CI deploy", ["orders:read"])
    assert created["lastUsedAt"] is None and created["revokedAt"] is None
    stored = ApiKey.get_by_id(created["id"])
    assert secret not in (stored.key_hash, stored.prefix, stored.label)
    listing = list_keys(client, shop.key)
    assert secret not in listing.get_data(as_text=True)
    items = listing.get_json()["items"]
    assert [k["id"] for k in items] == [key_id(shop.key), created["id"]]
    assert all("secret" not in k for k in items)
    assert items[1] == {k: v for k, v in created.items() if k != "secret"}
    # The new key works within its scopes.
    assert client.get("/api/v1/orders", headers=auth(secret)).status_code == 200
    denied = client.get("/api/v1/customers", headers=auth(secret))
    assert api_error(denied, 403, "missing_scopes")["details"] == {
        "missingScopes": ["customers:read"]
    }


def test_a_key_gets_every_scope_unless_narrowed(client, shop):
    created = create_key(client, shop.key).get_json()
    assert created["scopes"] == ALL_SCOPES
    narrowed = create_key(
        client, shop.key, {"scopes": ["orders:read", "events:read", "orders:read"]}
    ).get_json()
    assert narrowed["scopes"] == ["events:read", "orders:read"]


@pytest.mark.parametrize(
    "body",
    [
        {"scopes": ["orders:delete"]},
        {"scopes": ["orders:read", "admin"]},
        {"scopes": []},
        {"scopes": "orders:read"},
        {"label": "x" * 201},
        {"secret": "tpk_mine"},
    ],
)
def test_bad_key_requests_are_400(client, shop, body):
    response = create_key(client, shop.key, body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] in ("validation_error", "unknown_scope")
    assert ApiKey.select().where(ApiKey.account == shop.seller.id).count() == 1


def test_revoked_key_is_refused_at_once(client, shop):
    secret, victim = new_key(shop.seller)
    assert client.get("/api/v1/orders", headers=auth(secret)).status_code == 200
    response = client.delete(f"/api/v1/api-keys/{victim}", headers=auth(shop.key))
    assert response.status_code == 200
    revoked = response.get_json()
    assert revoked["id"] == victim and revoked["revokedAt"] is not None
    refused = client.get("/api/v1/orders", headers=auth(secret))
    api_error(refused, 401, "unauthorized")
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    # Still listed, as revoked; revoking again changes nothing.
    listed = {k["id"]: k for k in list_keys(client, shop.key).get_json()["items"]}
    assert listed[victim]["revokedAt"] == revoked["revokedAt"]
    again = client.delete(f"/api/v1/api-keys/{victim}", headers=auth(shop.key))
    assert again.status_code == 200 and again.get_json()["revokedAt"] == revoked["revokedAt"]


def test_a_key_can_revoke_itself(client, shop):
    response = client.delete(f"/api/v1/api-keys/{key_id(shop.key)}", headers=auth(shop.key))
    assert response.status_code == 200
    api_error(client.get("/api/v1/api-keys", headers=auth(shop.key)), 401, "unauthorized")


def test_revoking_an_unknown_key_is_404(client, shop):
    response = client.delete("/api/v1/api-keys/424242", headers=auth(shop.key))
    api_error(response, 404, "api_key_not_found")


def test_active_keys_are_limited(client, shop):
    for _ in range(admin_keys.MAX_ACTIVE_KEYS - 1):
        new_key(shop.seller)
    api_error(create_key(client, shop.key), 400, "too_many_keys")
    last = ApiKey.select().where(ApiKey.account == shop.seller.id).order_by(ApiKey.id.desc()).get()
    client.delete(f"/api/v1/api-keys/{last.id}", headers=auth(shop.key))
    assert create_key(client, shop.key).status_code == 201
    api_error(create_key(client, shop.key), 400, "too_many_keys")


def test_last_use_is_recorded(client, shop, time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    secret, used = new_key(shop.seller)
    assert ApiKey.get_by_id(used).last_used_at is None
    client.get("/api/v1/orders", headers=auth(secret))
    first = ApiKey.get_by_id(used).last_used_at
    assert first is not None and first.isoformat().startswith("2026-06-01T10:00:00")
    listed = {k["id"]: k for k in list_keys(client, shop.key).get_json()["items"]}
    assert listed[used]["lastUsedAt"].startswith("2026-06-01T10:00:00")
    time_machine.shift(timedelta(minutes=5))
    client.get("/api/v1/orders", headers=auth(secret))
    assert ApiKey.get_by_id(used).last_used_at.isoformat().startswith("2026-06-01T10:05:00")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer tpk_doesnotexist"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"x-api-key": "tpk_" + "a" * 43},
    ],
)
def test_missing_or_unknown_keys_are_401(client, shop, headers):
    response = client.get("/api/v1/orders", headers=headers)
    api_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="tp-bridge"'


def test_a_partner_key_is_not_an_admin_key(client, shop):
    api_error(client.get("/api/v1/orders", headers=auth(shop.seller.key)), 401, "unauthorized")


def test_keys_are_accepted_both_ways(client, shop):
    assert client.get("/api/v1/orders", headers={"x-api-key": shop.key}).status_code == 200
    lower = {"Authorization": f"bearer {shop.key}"}
    assert client.get("/api/v1/orders", headers=lower).status_code == 200


# --- scanners --------------------------------------------------------------------------------


def create_scanner(client, key, body):
    return client.post("/api/v1/scanners", json=body, headers=auth(key))


def test_scanner_create_list_use_and_revoke(client, factory, shop, settings):
    order = shop.personalised_order(factory, quantity=2)
    other_event = factory.event(shop.seller)
    response = create_scanner(
        client,
        shop.key,
        {"name": "Gate A", "eventIds": [other_event.id, shop.event.id, shop.event.id]},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    secret = created["secret"]
    assert secret.startswith("tps_")
    assert created["name"] == "Gate A"
    assert created["eventIds"] == sorted([shop.event.id, other_event.id])
    assert created["revokedAt"] is None and created["lastUsedAt"] is None
    assert ScannerEvent.select().where(ScannerEvent.scanner == created["id"]).count() == 2
    listing = client.get("/api/v1/scanners", headers=auth(shop.key))
    assert listing.status_code == 200 and secret not in listing.get_data(as_text=True)
    assert listing.get_json()["items"] == [{k: v for k, v in created.items() if k != "secret"}]
    code = ticket_code(ticket_tools(settings), tickets_of(order.id)[0])

    def scan(key):
        return client.post(
            "/api/v1/checkin/scan",
            json={"qrPayload": code, "eventId": shop.event.id, "direction": "in"},
            headers=auth(key),
        )

    admitted = scan(secret)
    assert admitted.status_code == 200 and admitted.get_json()["success"] is True
    assert Scanner.get_by_id(created["id"]).last_used_at is not None
    revoked = client.delete(f"/api/v1/scanners/{created['id']}", headers=auth(shop.key))
    assert revoked.status_code == 200
    body = revoked.get_json()
    assert body["revokedAt"] is not None and body["eventIds"] == created["eventIds"]
    refused = scan(secret)
    assert refused.status_code in (401, 403)
    assert refused.get_json()["error"]["code"] == "unauthenticated"
    listed = client.get("/api/v1/scanners", headers=auth(shop.key)).get_json()["items"]
    assert listed[0]["revokedAt"] == body["revokedAt"]


def test_an_admin_key_is_not_a_scanner_key(client, factory, shop, settings):
    order = shop.personalised_order(factory)
    code = ticket_code(ticket_tools(settings), tickets_of(order.id)[0])
    response = client.post(
        "/api/v1/checkin/scan",
        json={"qrPayload": code, "eventId": shop.event.id},
        headers=auth(shop.key),
    )
    assert response.status_code in (401, 403)


def test_a_scanner_for_an_unknown_event_is_404(client, shop):
    response = create_scanner(
        client, shop.key, {"name": "Gate", "eventIds": [shop.event.id, 424242]}
    )
    api_error(response, 404, "event_not_found")
    assert Scanner.select().count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "eventIds": [1]},
        {"name": "Gate", "eventIds": []},
        {"name": "Gate"},
        {"eventIds": [1]},
        {"name": "x" * 101, "eventIds": [1]},
        {"name": "Gate", "eventIds": ["one"]},
    ],
)
def test_bad_scanner_requests_are_400(client, shop, body):
    assert create_scanner(client, shop.key, body).status_code == 400
    assert Scanner.select().count() == 0


def test_revoking_an_unknown_scanner_is_404(client, shop):
    api_error(
        client.delete("/api/v1/scanners/424242", headers=auth(shop.key)), 404, "scanner_not_found"
    )


def test_a_created_secret_is_never_stored(client, shop):
    response = create_key(client, shop.key, headers={"Idempotency-Key": "new-key-1"})
    assert response.status_code == 201
    created = response.get_json()
    stored = b"".join(bytes(r.body or b"") for r in IdempotencyRecord.select())
    assert created["secret"].encode() not in stored
    # A repeat does not create a second key; it says which key the first call made.
    again = create_key(client, shop.key, headers={"Idempotency-Key": "new-key-1"})
    error = api_error(again, 409, "idempotency_secret_not_replayed")
    assert f"API key {created['id']}" in error["message"]
    assert created["secret"] not in again.get_data(as_text=True)
    assert ApiKey.select().where(ApiKey.label == created["label"]).count() == 1


def test_a_key_grants_only_scopes_it_has(client, factory, shop):
    narrow = factory.api_key(shop.seller, scopes=["keys:write", "orders:read"])
    error = api_error(
        create_key(client, narrow, {"scopes": ["orders:read", "orders:write"]}),
        403,
        "missing_scopes",
    )
    assert error["details"] == {"missingScopes": ["orders:write"]}
    # By default a new key gets the creating key's own scopes, not every scope.
    default = create_key(client, narrow, {"label": "child"})
    assert default.status_code == 201
    assert sorted(default.get_json()["scopes"]) == ["keys:write", "orders:read"]


def test_a_key_revokes_only_keys_within_its_own_scopes(client, shop):
    keys_only, _ = new_key(shop.seller, ["keys:write"])
    narrow, narrow_id = new_key(shop.seller, ["keys:write", "orders:read"])
    wider, wider_id = new_key(shop.seller, ["keys:write", "orders:read", "events:write"])
    refused = client.delete(f"/api/v1/api-keys/{wider_id}", headers=auth(keys_only))
    error = api_error(refused, 403, "missing_scopes")
    assert error["details"] == {"missingScopes": ["events:write", "orders:read"]}
    refused = client.delete(f"/api/v1/api-keys/{key_id(shop.key)}", headers=auth(narrow))
    assert api_error(refused, 403, "missing_scopes")["details"]["missingScopes"] == [
        "events:read",
        "events:write",
        "orders:write",
        "customers:read",
        "affiliates:read",
        "affiliates:write",
        "checkin:write",
        "webhooks:write",
    ]
    # Nothing was revoked; a key holding every scope of the other may revoke it.
    assert client.get("/api/v1/orders", headers=auth(wider)).status_code == 200
    allowed = client.delete(f"/api/v1/api-keys/{narrow_id}", headers=auth(wider))
    assert allowed.status_code == 200 and allowed.get_json()["revokedAt"] is not None
