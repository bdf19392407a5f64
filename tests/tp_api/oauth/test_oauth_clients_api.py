"""/api/v1/oauth-clients: create (secret once), list, get, rotate, restrict, revoke."""

from __future__ import annotations

from tests.admin_api import Admin
from tp_api.models import AuditEntry, OAuthClient


def token_for(client, client_id: str, secret: str):
    body = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return client.post("/api/v1/oauth/token", json=body)


def test_the_client_lifecycle(client, seller, factory):
    api = Admin(client, factory.api_key(seller))
    created = api.post("/oauth-clients", {"label": "ERP", "scopes": ["orders:read"]})
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert body["clientId"].startswith("tpc_") and body["clientSecret"].startswith("tpcs_")
    assert (body["label"], body["scopes"], body["allowedIps"]) == ("ERP", ["orders:read"], [])
    stored = OAuthClient.get_by_id(body["id"])
    assert body["clientSecret"] not in (stored.secret_hash, stored.client_id)
    listed = api.get("/oauth-clients").get_json()["items"]
    assert [c["clientId"] for c in listed] == [body["clientId"]]
    assert "clientSecret" not in listed[0]
    assert api.get(f"/oauth-clients/{body['id']}").get_json() == listed[0]

    rotated = api.post(f"/oauth-clients/{body['id']}/rotate-secret", {"graceHours": 0})
    assert rotated.status_code == 200, rotated.get_data(as_text=True)
    new_secret = rotated.get_json()["clientSecret"]
    assert token_for(client, body["clientId"], body["clientSecret"]).status_code == 401
    assert token_for(client, body["clientId"], new_secret).status_code == 200

    restricted = api.patch(f"/oauth-clients/{body['id']}", {"allowedIps": ["192.0.2.0/24"]})
    assert restricted.get_json()["allowedIps"] == ["192.0.2.0/24"]

    revoked = api.delete(f"/oauth-clients/{body['id']}")
    assert revoked.status_code == 200 and revoked.get_json()["revokedAt"] is not None
    assert token_for(client, body["clientId"], new_secret).status_code == 401
    actions = [
        e.action
        for e in AuditEntry.select()
        .where(AuditEntry.subject_type == "oauth_client")
        .order_by(AuditEntry.id)
    ]
    assert actions == [
        "oauth_client.created",
        "oauth_client.secret_rotated",
        "oauth_client.updated",
        "oauth_client.revoked",
    ]


def test_a_narrow_key_cannot_mint_a_wider_client(client, seller, factory):
    api = Admin(client, factory.api_key(seller, scopes=["keys:write", "events:read"]))
    refused = api.post("/oauth-clients", {"scopes": ["orders:write"]})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["details"]["missingScopes"] == ["orders:write"]
    default = api.post("/oauth-clients", {"label": "Mine"}).get_json()
    assert default["scopes"] == ["events:read", "keys:write"]


def test_bad_input_is_400_and_others_clients_are_404(client, seller, factory):
    api = Admin(client, factory.api_key(seller))
    for body in ({"scopes": ["nope"]}, {"allowedIps": ["10.0.0.0/99"]}, {"label": "x" * 201}):
        response = api.post("/oauth-clients", body)
        assert response.status_code == 400, (body, response.get_data(as_text=True))
    other = factory.seller()
    theirs = Admin(client, factory.api_key(other)).post("/oauth-clients", {}).get_json()
    assert api.get(f"/oauth-clients/{theirs['id']}").status_code == 404
    assert api.delete(f"/oauth-clients/{theirs['id']}").status_code == 404
    grace = api.post(f"/oauth-clients/{theirs['id']}/rotate-secret", {"graceHours": 500})
    assert grace.status_code == 400


def test_a_tokens_changes_are_audited_as_its_client(client, seller):
    from tp_api.services.credentials import oauth_clients

    made = oauth_clients.create_client(seller.id, label="Integrator")
    token = token_for(client, made.client.client_id, made.secret).get_json()["access_token"]
    api = Admin(client, token)
    created = api.post("/api-keys", {"label": "made by a token", "scopes": ["events:read"]})
    assert created.status_code == 201, created.get_data(as_text=True)
    entry = AuditEntry.get(AuditEntry.action == "api_key.created")
    assert (entry.actor_kind, entry.actor_id, entry.actor_label) == (
        "oauth_client",
        made.client.id,
        "Integrator",
    )
