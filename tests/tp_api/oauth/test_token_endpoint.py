"""POST /api/v1/oauth/token and /revoke: RFC 6749 §4.4 and §5.2, RFC 7009, as a standard
client uses them (requests-oauthlib's BackendApplicationClient over a real loopback server)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth2Session

from tests.loopback import serving
from tp_api.db import utcnow
from tp_api.models import OAuthToken
from tp_api.services.credentials import oauth_clients, oauth_tokens

TOKEN = "/api/v1/oauth/token"


@pytest.fixture
def made(seller):
    return oauth_clients.create_client(
        seller.id, label="ERP", scopes=["events:read", "orders:read"]
    )


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{client_id}:{secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def test_a_standard_client_gets_a_token_and_calls_the_admin_api(app, made, monkeypatch):
    # The loopback server speaks plain HTTP; oauthlib insists on TLS unless told otherwise.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    with serving(app) as base:
        session = OAuth2Session(client=BackendApplicationClient(client_id=made.client.client_id))
        token = session.fetch_token(
            f"{base}{TOKEN}", client_id=made.client.client_id, client_secret=made.secret
        )
        assert token["token_type"] == "Bearer" and token["expires_in"] == 900
        assert token["access_token"].startswith("tpat_")
        assert token["scope"] == ["events:read", "orders:read"]
        events = session.get(f"{base}/api/v1/events")
        assert events.status_code == 200, events.text
        refused = session.post(f"{base}/api/v1/events", json={"title": "X"})
        assert refused.status_code == 403
        assert refused.json()["error"]["details"]["missingScopes"] == ["events:write"]


def test_json_body_as_in_seed_002_and_a_narrower_scope(client, made):
    body = {
        "client_id": made.client.client_id,
        "client_secret": made.secret,
        "grant_type": "client_credentials",
        "scope": "events:read",
    }
    response = client.post(TOKEN, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    token = response.get_json()
    assert token["scope"] == "events:read"
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.get("/api/v1/events", headers=auth).status_code == 200
    assert client.get("/api/v1/orders", headers=auth).status_code == 403


def test_form_body_with_http_basic(client, made):
    response = client.post(
        TOKEN,
        data="grant_type=client_credentials",
        content_type="application/x-www-form-urlencoded",
        headers=basic(made.client.client_id, made.secret),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    row = OAuthToken.get()
    assert row.token_hash != response.get_json()["access_token"]  # only a hash is stored
    assert row.scopes == "events:read orders:read"


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({}, 400, "invalid_request"),
        ({"grant_type": "client_credentials", "scope": "keys:write"}, 400, "invalid_scope"),
        (
            {"grant_type": "client_credentials", "client_secret": "tpcs_wrongwrongwrong"},
            401,
            "invalid_client",
        ),
    ],
)
def test_errors_are_rfc_6749_section_5_2(client, made, body, status, error):
    credentials = {"client_id": made.client.client_id, "client_secret": made.secret}
    response = client.post(TOKEN, json={**credentials, **body})
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["error"] == error
    assert response.headers["Cache-Control"] == "no-store"
    if status == 401:
        assert response.headers["WWW-Authenticate"] == 'Basic realm="tp-bridge"'


def test_unknown_client_and_bad_bodies_never_500(client, made):
    for body, kwargs in [
        ({"grant_type": "client_credentials", "client_id": "tpc_nobody", "client_secret": "x"}, {}),
        (None, {"data": "grant_type=%zz&&&", "content_type": "application/x-www-form-urlencoded"}),
        (None, {"data": b"\xff\xfe", "content_type": "application/x-www-form-urlencoded"}),
        (None, {"data": "[1, 2]", "content_type": "application/json"}),
        (None, {"data": json.dumps({"grant_type": 5}), "content_type": "application/json"}),
    ]:
        response = client.post(TOKEN, json=body) if body else client.post(TOKEN, **kwargs)
        assert response.status_code in (400, 401), response.get_data(as_text=True)
        assert response.get_json()["error"] in ("invalid_request", "invalid_client")


def test_revocation_stops_the_token_at_once(client, made):
    token = oauth_token(client, made)
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/events", headers=auth).status_code == 200
    response = client.post(
        "/api/v1/oauth/revoke",
        data=f"token={token}&token_type_hint=access_token",
        content_type="application/x-www-form-urlencoded",
        headers=basic(made.client.client_id, made.secret),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    refused = client.get("/api/v1/events", headers=auth)
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert refused.get_json()["error"]["code"] == "invalid_token"


def test_another_clients_token_is_not_revoked(client, made, seller):
    other = oauth_clients.create_client(seller.id, label="Other")
    token = oauth_token(client, made)
    response = client.post(
        "/api/v1/oauth/revoke",
        json={"token": token, "client_id": other.client.client_id, "client_secret": other.secret},
    )
    assert response.status_code == 200  # RFC 7009 §2.2: said the same, but nothing happens
    assert (
        client.get("/api/v1/events", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )


def test_revoking_the_client_stops_its_tokens(client, made, seller):
    token = oauth_token(client, made)
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/events", headers=auth).status_code == 200
    oauth_tokens.revoke_client(seller.id, made.client.id)
    assert client.get("/api/v1/events", headers=auth).status_code == 401
    again = client.post(
        TOKEN,
        json={
            "grant_type": "client_credentials",
            "client_id": made.client.client_id,
            "client_secret": made.secret,
        },
    )
    assert again.status_code == 401


def test_an_expired_token_is_refused_and_purged_a_day_later(client, made):
    token = oauth_token(client, made)
    auth = {"Authorization": f"Bearer {token}"}
    OAuthToken.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    oauth_tokens.clear_cache()
    assert client.get("/api/v1/events", headers=auth).status_code == 401
    assert oauth_tokens.purge_expired() == 0
    assert oauth_tokens.purge_expired(utcnow() + timedelta(days=1, seconds=5)) == 1


def test_a_cached_token_stops_when_it_expires(client, made, monkeypatch):
    # The token is still in this process's cache of good tokens when its time is up.
    monkeypatch.setattr(oauth_tokens._cache, "ttl", timedelta(hours=1))
    token = oauth_token(client, made)
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/events", headers=auth).status_code == 200
    later = utcnow() + timedelta(minutes=16)
    monkeypatch.setattr(oauth_tokens, "utcnow", lambda: later)
    refused = client.get("/api/v1/events", headers=auth)
    assert refused.status_code == 401
    assert refused.get_json()["error"]["message"] == "The access token has expired"


def test_rotation_keeps_the_old_secret_for_the_grace_period(client, made, seller):
    rotated = oauth_clients.rotate_secret(seller.id, made.client.id, grace=timedelta(hours=1))
    assert oauth_token(client, made) and oauth_token(client, rotated)
    oauth_clients.rotate_secret(seller.id, made.client.id, grace=timedelta(0))
    for old in (made, rotated):
        response = client.post(TOKEN, json=credentials(old))
        assert response.status_code == 401, response.get_data(as_text=True)


def credentials(made) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": made.client.client_id,
        "client_secret": made.secret,
    }


def oauth_token(client, made) -> str:
    response = client.post(TOKEN, json=credentials(made))
    assert response.status_code == 200, response.get_data(as_text=True)
    return str(response.get_json()["access_token"])


def test_failed_client_authentication_is_throttled(client, made, app):
    from tp_api.web.parts import parts_of

    limit = parts_of(app).auth_throttle.policy.max_failures
    wrong = {**credentials(made), "client_secret": "tpcs_" + "x" * 40}
    statuses = [client.post(TOKEN, json=wrong).status_code for _ in range(limit + 1)]
    assert statuses == [401] * limit + [429]
    assert client.post(TOKEN, json=credentials(made)).status_code == 200  # a right secret
