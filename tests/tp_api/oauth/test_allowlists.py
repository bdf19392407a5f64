"""IP allowlists of API keys, OAuth clients and partner keys (seed 002): a right credential
from another address is refused (admin API: 403 JSON; partner API: ``403 Unauthorized``),
logged and audited, and the address is the client's behind trusted proxies."""

from __future__ import annotations

import dataclasses

import pytest

from config.wsgi import create_app
from tp_api.models import AuditEntry
from tp_api.services.credentials import admin_keys, ip_allowlist, oauth_clients, partner_keys
from tp_api.services.errors import InvalidInput

OFFICE = {"REMOTE_ADDR": "203.0.113.9"}
ELSEWHERE = {"REMOTE_ADDR": "198.51.100.20"}


@pytest.fixture(autouse=True)
def fresh_audit_memo():
    ip_allowlist._audited.clear()


def test_parsing_normalises_v4_and_v6_and_refuses_nonsense():
    stored = ip_allowlist.parse_allowlist(
        ["203.0.113.7/24", "2001:DB8::1", " 10.0.0.1 ", "10.0.0.1"]
    )
    assert stored == "203.0.113.0/24 2001:db8::1/128 10.0.0.1/32"
    assert ip_allowlist.allows(stored, "203.0.113.200")
    assert ip_allowlist.allows(stored, "2001:db8::1")
    assert ip_allowlist.allows(stored, "::ffff:10.0.0.1")  # dual-stack socket
    assert not ip_allowlist.allows(stored, "203.0.114.1")
    assert not ip_allowlist.allows(stored, "not an address")
    assert ip_allowlist.allows("", "198.51.100.1")  # no list: anywhere
    for bad in (["10.0.0.300"], ["example.com"], ["10.0.0.0/33"], [""]):
        with pytest.raises(InvalidInput) as refused:
            ip_allowlist.parse_allowlist(bad)
        assert refused.value.code == "invalid_ip_range"
    with pytest.raises(InvalidInput):
        ip_allowlist.parse_allowlist([f"10.0.{i}.0/24" for i in range(51)])


def test_an_api_key_is_refused_outside_its_allowlist(client, seller):
    made = admin_keys.create_api_key(seller.id, label="ERP", allowed_ips=["203.0.113.0/24"])
    auth = {"Authorization": f"Bearer {made.secret}"}
    assert client.get("/api/v1/events", headers=auth, environ_base=OFFICE).status_code == 200
    refused = client.get("/api/v1/events", headers=auth, environ_base=ELSEWHERE)
    assert refused.status_code == 403
    error = refused.get_json()["error"]
    assert error["code"] == "ip_not_allowed"
    assert error["message"] == "This credential may not be used from this address"
    assert error["details"] == {"address": "198.51.100.20"}
    # Audited once per key and address, however often it is tried.
    client.get("/api/v1/events", headers=auth, environ_base=ELSEWHERE)
    entries = list(
        AuditEntry.select()
        .where(AuditEntry.action == "api_key.address_refused")
        .order_by(AuditEntry.id)
    )
    assert [(e.subject_id, e.actor_label) for e in entries] == [(made.key.id, "198.51.100.20")]


def test_an_api_keys_allowlist_is_set_through_the_api(client, seller, factory):
    admin = {"Authorization": f"Bearer {factory.api_key(seller)}"}
    target = admin_keys.create_api_key(seller.id, label="Till")
    path = f"/api/v1/api-keys/{target.key.id}"
    response = client.patch(path, json={"allowedIps": ["2001:db8::/32"]}, headers=admin)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["allowedIps"] == ["2001:db8::/32"]
    auth = {"Authorization": f"Bearer {target.secret}"}
    # In effect at once, in this process, though the key was just used (cached).
    assert client.get("/api/v1/events", headers=auth, environ_base=ELSEWHERE).status_code == 403
    v6 = {"REMOTE_ADDR": "2001:db8::42"}
    assert client.get("/api/v1/events", headers=auth, environ_base=v6).status_code == 200
    bad = client.patch(path, json={"allowedIps": ["everywhere"]}, headers=admin)
    assert bad.status_code == 400
    assert bad.get_json()["error"]["code"] == "invalid_ip_range"
    cleared = client.patch(path, json={"allowedIps": []}, headers=admin)
    assert cleared.get_json()["allowedIps"] == []
    assert client.get("/api/v1/events", headers=auth, environ_base=ELSEWHERE).status_code == 200
    changes = [
        e.action
        for e in AuditEntry.select()
        .where(AuditEntry.subject_id == target.key.id)
        .order_by(AuditEntry.id)
    ]
    assert changes == [
        "api_key.created",
        "api_key.updated",
        "api_key.address_refused",
        "api_key.updated",
    ]


def test_a_partner_key_is_refused_in_the_contracts_words(client, seller):
    key = partner_keys.list_keys(seller.id)[0]
    partner_keys.set_allowlist(seller.id, key.id, ["203.0.113.9"])
    url = f"/tp-api/events?key={seller.key}"
    assert client.get(url, environ_base=OFFICE).status_code == 200
    refused = client.get(url, environ_base=ELSEWHERE)
    assert refused.status_code == 403
    assert refused.get_data(as_text=True) == "Unauthorized"
    assert refused.mimetype == "text/plain"
    assert AuditEntry.get(AuditEntry.action == "partner_key.address_refused").subject_id == key.id


def test_an_oauth_client_gets_and_uses_tokens_only_from_its_addresses(client, seller):
    made = oauth_clients.create_client(seller.id, label="ERP", allowed_ips=["203.0.113.0/28"])
    body = {
        "grant_type": "client_credentials",
        "client_id": made.client.client_id,
        "client_secret": made.secret,
    }
    refused = client.post("/api/v1/oauth/token", json=body, environ_base=ELSEWHERE)
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "unauthorized_client"
    issued = client.post("/api/v1/oauth/token", json=body, environ_base=OFFICE)
    assert issued.status_code == 200, issued.get_data(as_text=True)
    auth = {"Authorization": f"Bearer {issued.get_json()['access_token']}"}
    assert client.get("/api/v1/events", headers=auth, environ_base=OFFICE).status_code == 200
    used_elsewhere = client.get("/api/v1/events", headers=auth, environ_base=ELSEWHERE)
    assert used_elsewhere.status_code == 403
    assert used_elsewhere.get_json()["error"]["code"] == "ip_not_allowed"


def test_behind_trusted_proxies_the_forwarded_address_is_checked(db, settings, seller):
    app = create_app(dataclasses.replace(settings, trusted_proxies=1))
    client = app.test_client()
    made = admin_keys.create_api_key(seller.id, label="ERP", allowed_ips=["203.0.113.9"])
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    auth = {"Authorization": f"Bearer {made.secret}"}
    forwarded = {**auth, "X-Forwarded-For": "203.0.113.9"}
    assert client.get("/api/v1/events", headers=forwarded, environ_base=proxy).status_code == 200
    spoofed = {**auth, "X-Forwarded-For": "203.0.113.9, 198.51.100.20"}
    # One trusted proxy: only the address it saw counts, not what the client claimed before it.
    assert client.get("/api/v1/events", headers=spoofed, environ_base=proxy).status_code == 403
    assert client.get("/api/v1/events", headers=auth, environ_base=proxy).status_code == 403


def test_a_new_allowlist_stops_a_clients_cached_tokens_at_once(client, seller):
    made = oauth_clients.create_client(seller.id, label="ERP")
    body = {
        "grant_type": "client_credentials",
        "client_id": made.client.client_id,
        "client_secret": made.secret,
    }
    token = client.post("/api/v1/oauth/token", json=body, environ_base=ELSEWHERE).get_json()
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.get("/api/v1/events", headers=auth, environ_base=ELSEWHERE).status_code == 200
    oauth_clients.set_allowlist(seller.id, made.client.id, ["203.0.113.0/24"])
    assert client.get("/api/v1/events", headers=auth, environ_base=ELSEWHERE).status_code == 403
    assert client.get("/api/v1/events", headers=auth, environ_base=OFFICE).status_code == 200
