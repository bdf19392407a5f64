"""API keys and door scanners: ``/api/v1/api-keys``, ``/api/v1/scanners``."""

from __future__ import annotations

from flask import g

from tp_api.schemas.keys import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyList,
    ApiKeyOut,
    ScannerCreate,
    ScannerCreated,
    ScannerList,
    ScannerOut,
    ScannerUpdate,
)
from tp_api.services import sandbox
from tp_api.services.admin_render import api_key_out
from tp_api.services.credentials import admin_keys
from tp_api.services.door import scanners
from tp_api.web.admin import bp, issued_secret
from tp_api.web.api_routes import operation

KEYS, DOOR = ("keys:write",), ("checkin:write",)


@operation(
    bp,
    "/api-keys",
    "GET",
    summary="List API keys",
    tag="API keys",
    scopes=KEYS,
    response=ApiKeyList,
)
def list_api_keys() -> ApiKeyList:
    """Every key of the account (never their secrets), revoked ones included."""
    return ApiKeyList(items=[api_key_out(k) for k in admin_keys.list_api_keys(g.caller.account_id)])


@operation(
    bp,
    "/api-keys",
    "POST",
    summary="Create an API key",
    tag="API keys",
    scopes=KEYS,
    body=ApiKeyCreate,
    response=ApiKeyCreated,
    status=201,
    errors=(400,),
)
def create_api_key(body: ApiKeyCreate) -> ApiKeyCreated:
    """The secret is in this response only; store it now. A key can grant only scopes it has
    itself (by default: all of its own). With ``testMode`` (or called with a test key) the
    key is a test-mode key, ``tpk_test_…``, acting on the account's sandbox."""
    scopes = body.scopes if body.scopes is not None else sorted(g.caller.scopes)
    g.caller.require(*scopes)
    # A test-mode caller makes test keys; a live one makes them on asking (docs/sandbox.md).
    create = sandbox.create_test_api_key if body.test_mode or g.caller.test_mode else None
    created = (create or admin_keys.create_api_key)(
        g.caller.account_id,
        label=body.label,
        scopes=scopes,
        allowed_ips=body.allowed_ips,
        actor=g.caller.actor,
    )
    issued_secret(f"API key {created.key.id}")
    return ApiKeyCreated(**api_key_out(created.key).model_dump(), secret=created.secret)


@operation(
    bp,
    "/api-keys/<int:key_id>",
    "DELETE",
    summary="Revoke an API key",
    tag="API keys",
    scopes=KEYS,
    response=ApiKeyOut,
    errors=(404,),
)
def revoke_api_key(key_id: int) -> ApiKeyOut:
    """The key stops working at once. Only a key holding every scope of the revoked one may
    revoke it (403 missing_scopes otherwise)."""
    return api_key_out(
        admin_keys.revoke_api_key(g.caller.account_id, key_id, by=g.caller, actor=g.caller.actor)
    )


def _scanner_out(scanner: scanners.Scanner, event_ids: list[int]) -> ScannerOut:
    return ScannerOut(
        id=scanner.id,
        name=scanner.name,
        event_ids=event_ids,
        default_gate=scanner.default_gate,
        created_at=scanner.created_at,
        last_used_at=scanner.last_used_at,
        revoked_at=scanner.revoked_at,
    )


@operation(
    bp,
    "/scanners",
    "GET",
    summary="List door scanners",
    tag="Door",
    scopes=DOOR,
    response=ScannerList,
)
def list_scanners() -> ScannerList:
    """The account's scanner devices and the events each may scan."""
    rows = scanners.list_scanners(g.caller.account_id)
    return ScannerList(items=[_scanner_out(s, ids) for s, ids in rows])


@operation(
    bp,
    "/scanners",
    "POST",
    summary="Register a door scanner",
    tag="Door",
    scopes=DOOR,
    body=ScannerCreate,
    response=ScannerCreated,
    status=201,
    errors=(400, 404),
)
def create_scanner(body: ScannerCreate) -> ScannerCreated:
    """A scanner key for the door API; the secret is in this response only."""
    created = scanners.create_scanner(
        g.caller.account_id,
        body.name,
        body.event_ids,
        default_gate=body.default_gate,
        actor=g.caller.actor,
    )
    issued_secret(f"scanner {created.scanner.id}")
    out = _scanner_out(created.scanner, sorted(set(body.event_ids)))
    return ScannerCreated(**out.model_dump(), secret=created.secret)


@operation(
    bp,
    "/scanners/<int:scanner_id>",
    "PATCH",
    summary="Change a door scanner's gate",
    tag="Door",
    scopes=DOOR,
    body=ScannerUpdate,
    response=ScannerOut,
    errors=(400, 404),
)
def update_scanner(scanner_id: int, body: ScannerUpdate) -> ScannerOut:
    """The gate phones paired with this scanner from now on start with; phones paired
    before keep the gate they have (their staff may change it on the phone)."""
    scanner = scanners.set_default_gate(
        g.caller.account_id, scanner_id, body.default_gate, actor=g.caller.actor
    )
    return _scanner_out(*scanners.get_scanner(g.caller.account_id, scanner.id))


@operation(
    bp,
    "/scanners/<int:scanner_id>",
    "DELETE",
    summary="Revoke a door scanner",
    tag="Door",
    scopes=DOOR,
    response=ScannerOut,
    errors=(404,),
)
def revoke_scanner(scanner_id: int) -> ScannerOut:
    """The scanner's key stops working."""
    scanner = scanners.revoke_scanner(g.caller.account_id, scanner_id, actor=g.caller.actor)
    grants = dict((s.id, ids) for s, ids in scanners.list_scanners(g.caller.account_id))
    return _scanner_out(scanner, grants.get(scanner.id, []))
