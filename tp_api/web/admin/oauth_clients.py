"""OAuth clients: ``/api/v1/oauth-clients`` (the token service itself is tp_api.web.oauth),
and the allowlists of API keys (``PATCH /api/v1/api-keys/{id}``)."""

from __future__ import annotations

from datetime import timedelta

from flask import g

from tp_api.schemas.base import SecretRotation
from tp_api.schemas.keys import (
    AllowlistUpdate,
    ApiKeyOut,
    OAuthClientCreate,
    OAuthClientCreated,
    OAuthClientList,
    OAuthClientOut,
    TestDataOut,
    TestDataWiped,
)
from tp_api.services import sandbox
from tp_api.services.admin_render import api_key_out, oauth_client_out
from tp_api.services.credentials import admin_keys, oauth_clients, oauth_tokens
from tp_api.web.admin import bp, issued_secret
from tp_api.web.api_routes import operation

KEYS = ("keys:write",)
TAG = "OAuth clients"


@operation(
    bp,
    "/oauth-clients",
    "GET",
    summary="List OAuth clients",
    tag=TAG,
    scopes=KEYS,
    response=OAuthClientList,
)
def list_oauth_clients() -> OAuthClientList:
    """Every client of the account (never their secrets), revoked ones included."""
    clients = oauth_clients.list_clients(g.caller.account_id)
    return OAuthClientList(items=[oauth_client_out(c) for c in clients])


@operation(
    bp,
    "/oauth-clients",
    "POST",
    summary="Create an OAuth client",
    tag=TAG,
    scopes=KEYS,
    body=OAuthClientCreate,
    response=OAuthClientCreated,
    status=201,
    errors=(400,),
)
def create_oauth_client(body: OAuthClientCreate) -> OAuthClientCreated:
    """The secret is in this response only; store it now. A client may be given only scopes
    the caller has itself (by default: all of the caller's). With ``testMode`` (or called
    with a test credential) it is a test-mode client, ``tpc_test_…``, on the sandbox."""
    scopes = body.scopes if body.scopes is not None else sorted(g.caller.scopes)
    g.caller.require(*scopes)
    create = sandbox.create_test_oauth_client if body.test_mode or g.caller.test_mode else None
    made = (create or oauth_clients.create_client)(
        g.caller.account_id,
        label=body.label,
        scopes=scopes,
        allowed_ips=body.allowed_ips,
        actor=g.caller.actor,
    )
    issued_secret(f"OAuth client {made.client.id}")
    return OAuthClientCreated(
        **oauth_client_out(made.client).model_dump(), client_secret=made.secret
    )


@operation(
    bp,
    "/oauth-clients/<int:client_id>",
    "GET",
    summary="Get an OAuth client",
    tag=TAG,
    scopes=KEYS,
    response=OAuthClientOut,
    errors=(404,),
)
def get_oauth_client(client_id: int) -> OAuthClientOut:
    """One client (never its secret)."""
    return oauth_client_out(oauth_clients.get_client(g.caller.account_id, client_id))


@operation(
    bp,
    "/oauth-clients/<int:client_id>",
    "PATCH",
    summary="Change an OAuth client's allowlist",
    tag=TAG,
    scopes=KEYS,
    body=AllowlistUpdate,
    response=OAuthClientOut,
    errors=(400, 404),
)
def update_oauth_client(client_id: int, body: AllowlistUpdate) -> OAuthClientOut:
    """The addresses and CIDR ranges its tokens may be got and used from (``[]``: anywhere)."""
    client = oauth_clients.set_allowlist(
        g.caller.account_id, client_id, body.allowed_ips, actor=g.caller.actor
    )
    return oauth_client_out(client)


@operation(
    bp,
    "/oauth-clients/<int:client_id>/rotate-secret",
    "POST",
    summary="Rotate an OAuth client's secret",
    tag=TAG,
    scopes=KEYS,
    body=SecretRotation,
    response=OAuthClientCreated,
    errors=(400, 404),
)
def rotate_oauth_client_secret(client_id: int, body: SecretRotation) -> OAuthClientCreated:
    """A new secret, in this response only. The old one keeps working for ``graceHours``
    (24 by default, 0 to stop it at once); tokens already issued live out their time."""
    made = oauth_clients.rotate_secret(
        g.caller.account_id,
        client_id,
        grace=timedelta(hours=body.grace_hours),
        actor=g.caller.actor,
    )
    issued_secret(f"a secret of OAuth client {client_id}")
    return OAuthClientCreated(
        **oauth_client_out(made.client).model_dump(), client_secret=made.secret
    )


@operation(
    bp,
    "/oauth-clients/<int:client_id>",
    "DELETE",
    summary="Revoke an OAuth client",
    tag=TAG,
    scopes=KEYS,
    response=OAuthClientOut,
    errors=(404,),
)
def revoke_oauth_client(client_id: int) -> OAuthClientOut:
    """The client and every token it holds stop working at once."""
    client = oauth_tokens.revoke_client(g.caller.account_id, client_id, actor=g.caller.actor)
    return oauth_client_out(client)


@operation(
    bp,
    "/api-keys/<int:key_id>",
    "PATCH",
    summary="Change an API key's allowlist",
    tag="API keys",
    scopes=KEYS,
    body=AllowlistUpdate,
    response=ApiKeyOut,
    errors=(400, 404),
)
def update_api_key(key_id: int, body: AllowlistUpdate) -> ApiKeyOut:
    """The addresses and CIDR ranges the key may be used from (``[]``: anywhere)."""
    key = admin_keys.set_allowlist(
        g.caller.account_id, key_id, body.allowed_ips, actor=g.caller.actor
    )
    return api_key_out(key)


@operation(
    bp,
    "/test-data",
    "GET",
    summary="Test mode: the sandbox and its test data",
    tag="Test mode",
    scopes=KEYS,
    response=TestDataOut,
)
def test_data() -> TestDataOut:
    """The account's sandbox (from a live or a test credential): its id, events and orders."""
    held = sandbox.figures(g.caller.account_id)
    return TestDataOut(sandbox_account_id=held.account_id, events=held.events, orders=held.orders)


@operation(
    bp,
    "/test-data",
    "DELETE",
    summary="Test mode: wipe the test data",
    tag="Test mode",
    scopes=KEYS,
    response=TestDataWiped,
)
def wipe_test_data() -> TestDataWiped:
    """Delete every test order (tickets, check-ins, refunds), queued work and webhook event
    of the sandbox; its stock comes back, its credentials, endpoints and events stay."""
    return TestDataWiped(orders_deleted=sandbox.wipe(g.caller.account_id, actor=g.caller.actor))
