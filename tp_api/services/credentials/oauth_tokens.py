"""The OAuth 2.0 token service of the admin API: the client-credentials grant (RFC 6749
§4.4), token revocation (RFC 7009), and the bearer tokens it issues used as admin-API
credentials.

oauthlib does the protocol (parameters, grant and error responses); this module is its
``RequestValidator``: our clients, scopes, storage, allowlists and audit around it.
Tokens carry 256 bits of randomness and are stored as a SHA-256, as keys are; a token
authenticates like an API key (one cache, one failure throttle) and calls with its
client's name in the audit trail.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus

from oauthlib.common import Request
from oauthlib.oauth2 import RequestValidator, RevocationEndpoint, TokenEndpoint
from oauthlib.oauth2.rfc6749.grant_types import ClientCredentialsGrant
from oauthlib.oauth2.rfc6749.tokens import BearerToken

from tp_api.db import utcnow, write_transaction
from tp_api.models import OAuthClient, OAuthToken
from tp_api.services import audit_trail
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.credentials import admin_keys, ip_allowlist, oauth_clients
from tp_api.services.credentials.admin_keys import NOT_FROM_HERE, ApiCaller
from tp_api.services.credentials.authenticator import (
    AuthThrottle,
    KeyCache,
    authenticate_with,
    hash_key,
    plausible,
    stamp_revoked,
    touch_last_used,
)
from tp_api.services.errors import Unauthenticated

TOKEN_PREFIX = "tpat_"  # noqa: S105 (what every token starts with, not a token)
_PREFIX_LEN = 12
DEFAULT_LIFETIME = timedelta(minutes=15)
# Expired tokens are kept a day (their rows tell an audit what was issued when), then purged
# by the token endpoint itself, at most once an hour per process: no daemon job needed.
KEEP_EXPIRED = timedelta(days=1)
PURGE_EVERY = timedelta(hours=1)
_last_purge: list[datetime] = []


@dataclass(frozen=True)
class TokenCaller:
    """A good token as the cache keeps it: whose it is and until when."""

    caller: ApiCaller
    expires_at: datetime


_cache: KeyCache[TokenCaller] = oauth_clients.token_cache


class _Validator(RequestValidator):
    """What oauthlib asks of us; ``client_address`` is the request's (after proxies)."""

    def __init__(self, client_address: str) -> None:
        self.client_address = client_address

    def client_authentication_required(self, request: Request, *args: Any, **kw: Any) -> bool:
        return True

    def authenticate_client(self, request: Request, *args: Any, **kw: Any) -> bool:
        client_id, secret = _credentials(request)
        client = oauth_clients.verify(client_id, secret, utcnow()) if client_id else None
        if client is None:
            return False
        ip_allowlist.enforce(
            client.allowed_ips,
            self.client_address,
            account_id=client.account_id,
            subject=oauth_clients.subject(client),
            message=NOT_FROM_HERE,
        )
        request.client = client
        request.client_id = client.client_id
        return True

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: OAuthClient, request: Request, *a: Any
    ) -> bool:
        return grant_type == "client_credentials"

    def get_default_scopes(self, client_id: str, request: Request, *a: Any, **kw: Any) -> list[str]:
        return str(request.client.scopes).split()

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: OAuthClient, request: Request, *a: Any
    ) -> bool:
        return set(scopes) <= set(client.scopes.split())

    def save_bearer_token(self, token: dict[str, Any], request: Request, *a: Any) -> None:
        client: OAuthClient = request.client
        now = utcnow()
        if not _last_purge or now - _last_purge[0] >= PURGE_EVERY:
            _last_purge[:] = [now]
            purge_expired(now)
        with write_transaction():
            OAuthToken.create(
                client=client.id,
                prefix=token["access_token"][:_PREFIX_LEN],
                token_hash=hash_key(token["access_token"]),
                scopes=" ".join(request.scopes or []),
                issued_at=now,
                expires_at=now + timedelta(seconds=int(token["expires_in"])),
            )
            touch_last_used(OAuthClient, client, now)

    def revoke_token(
        self, token: str, token_type_hint: str | None, request: Request, *a: Any
    ) -> None:
        # RFC 7009 §2.2: a token that is not this client's (or not ours) is answered 200 all
        # the same, and left alone.
        wanted = hash_key(token)
        with write_transaction():
            OAuthToken.update(revoked_at=utcnow()).where(
                OAuthToken.token_hash == wanted,
                OAuthToken.client == request.client.id,
                OAuthToken.revoked_at.is_null(),
            ).execute()
        _cache.forget(wanted)


def _credentials(request: Request) -> tuple[str, str]:
    """The client's id and secret: HTTP Basic (RFC 6749 §2.3.1, each form-encoded) or the
    body's ``client_id``/``client_secret``; Basic wins when both are sent."""
    header = str(request.headers.get("Authorization", ""))
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return unquote_plus(client_id), unquote_plus(secret)
    return str(request.client_id or ""), str(getattr(request, "client_secret", None) or "")


@dataclass(frozen=True)
class TokenServer:
    """The two endpoints, each answering ``(headers, body, status)`` as oauthlib does."""

    token: Callable[..., tuple[dict[str, str], str, int]]
    revoke: Callable[..., tuple[dict[str, str], str, int]]


def _new_token(request: Request) -> str:
    mark = oauth_clients.TEST_MARK if oauth_clients.is_test(request.client) else ""
    return TOKEN_PREFIX + mark + secrets.token_urlsafe(32)


def token_server(client_address: str, lifetime: timedelta = DEFAULT_LIFETIME) -> TokenServer:
    """The token and revocation endpoints for one request from ``client_address``."""
    validator = _Validator(client_address)
    bearer = BearerToken(
        validator,
        token_generator=_new_token,
        expires_in=int(lifetime.total_seconds()),
    )
    tokens = TokenEndpoint(
        "client_credentials",
        bearer,
        {"client_credentials": ClientCredentialsGrant(validator)},
    )
    revocation = RevocationEndpoint(validator, supported_token_types=["access_token"])
    return TokenServer(tokens.create_token_response, revocation.create_revocation_response)


def authenticate_caller(
    secret: str | None, *, client: str = "local", throttle: AuthThrottle | None = None
) -> ApiCaller:
    """Who calls the admin API: an access token (``tpat_…``) or else an API key."""
    if secret is not None and secret.startswith(TOKEN_PREFIX):
        return authenticate_access_token(secret, client=client, throttle=throttle)
    return admin_keys.authenticate_api_key(secret, client=client, throttle=throttle)


def authenticate_access_token(
    secret: str | None, *, client: str = "local", throttle: AuthThrottle | None = None
) -> ApiCaller:
    """Resolve a bearer token to its client's caller, or raise Unauthenticated (unknown,
    expired or revoked, or its client revoked); failures count like wrong keys."""
    now = utcnow()
    found = authenticate_with(
        secret,
        lookup=lambda given, wanted: _match(given, wanted, now),
        cache=_cache,
        throttle=throttle,
        client=client,
        kind="OAuth token",
        now=now,
        valid_shape=plausible(secret, TOKEN_PREFIX, _PREFIX_LEN),
        refusal=lambda: Unauthenticated(
            "The access token is unknown, expired or revoked", code="invalid_token"
        ),
    )
    if found.expires_at <= now:
        raise Unauthenticated("The access token has expired", code="invalid_token")
    caller = found.caller
    ip_allowlist.enforce(
        caller.allowed_ips,
        client,
        account_id=caller.account_id,
        subject=("oauth_client", caller.key_id, caller.label),
        message=NOT_FROM_HERE,
    )
    return caller


def _match(secret: str, wanted: str, now: datetime) -> TokenCaller | None:
    rows = (
        OAuthToken.select(OAuthToken, OAuthClient)
        .join(OAuthClient)
        .where(
            OAuthToken.prefix == secret[:_PREFIX_LEN],
            OAuthToken.revoked_at.is_null(),
            OAuthToken.expires_at > now,
            OAuthClient.revoked_at.is_null(),
        )
    )
    for token in rows:
        if hmac.compare_digest(token.token_hash, wanted):
            client = token.client
            touch_last_used(OAuthClient, client, now)
            label = client.label or client.client_id
            scopes = frozenset(token.scopes.split())
            caller = ApiCaller(
                client.account_id,
                client.id,
                scopes,
                label,
                client.allowed_ips,
                "oauth_client",
                oauth_clients.is_test(client),
            )
            return TokenCaller(caller, token.expires_at)
    return None


def revoke_client(account_id: int, client_pk: int, *, actor: Actor = SYSTEM) -> OAuthClient:
    """Revoke a client and every token it holds: they stop working at once in this process
    and within ``KEY_CACHE_TTL`` in the others."""
    actor.require("keys:write")
    with write_transaction():
        client = oauth_clients.get_client(account_id, client_pk)
        if stamp_revoked(OAuthClient, client):
            OAuthToken.update(revoked_at=client.revoked_at).where(
                OAuthToken.client == client.id, OAuthToken.revoked_at.is_null()
            ).execute()
            audit_trail.record(
                account_id, actor, "oauth_client.revoked", oauth_clients.subject(client)
            )
    oauth_clients.forget_tokens(client.id)
    return client


def purge_expired(now: datetime | None = None) -> int:
    """Delete tokens expired more than ``KEEP_EXPIRED`` ago; how many."""
    cutoff = (now or utcnow()) - KEEP_EXPIRED
    with write_transaction():
        return int(OAuthToken.delete().where(OAuthToken.expires_at < cutoff).execute())


def clear_cache() -> None:
    """Forget cached tokens (tests)."""
    _cache.clear()
