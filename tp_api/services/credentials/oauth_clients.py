"""OAuth 2.0 clients of the admin API (client-credentials grant, seed 002): created with a
secret shown once, listed, rotated with a grace period, restricted by address, revoked.

Secrets carry 256 bits of randomness, so a SHA-256 is stored, as for keys. A rotation keeps
the previous secret's hash until its grace period ends (24 hours by default, at most 7 days,
0 to end it at once): the integrator deploys the new secret without a window of refusals.
Revoking a client revokes its tokens with it: services.credentials.oauth_tokens, which
holds the tokens, does both.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tp_api.db import utcnow, write_transaction
from tp_api.models import OAuthClient, OAuthToken
from tp_api.services import audit_trail
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.audit_trail import created
from tp_api.services.credentials import ip_allowlist
from tp_api.services.credentials.admin_keys import MAX_ACTIVE_KEYS, parse_scopes
from tp_api.services.credentials.authenticator import KeyCache, hash_key, plausible
from tp_api.services.errors import InvalidInput, NotFound, Said

CLIENT_ID_PREFIX = "tpc_"
SECRET_PREFIX = "tpcs_"  # noqa: S105 (what every secret starts with, not a secret)
TEST_MARK = "test_"  # after the prefixes, on test-mode clients (tp_api.services.sandbox)
ROTATION_GRACE = timedelta(hours=24)
MAX_ROTATION_GRACE = timedelta(days=7)


# Good access tokens per process (services.credentials.oauth_tokens fills it): kept here so a
# change of a client (its allowlist, its revocation) can forget its tokens at once.
token_cache: KeyCache[Any] = KeyCache()


@dataclass(frozen=True)
class NewClientSecret:
    """A client with a secret just made; ``secret`` is shown once and never stored."""

    client: OAuthClient
    secret: str


def create_client(
    account_id: int,
    *,
    label: str = "",
    scopes: Iterable[str] | None = None,
    allowed_ips: Iterable[str] | None = None,
    test: bool = False,
    actor: Actor = SYSTEM,
) -> NewClientSecret:
    """A new client with the scopes its tokens may carry (all unless narrowed); a ``test``
    client (of a sandbox account) is marked ``tpc_test_``, its secret and tokens too."""
    actor.require("keys:write")
    chosen = " ".join(parse_scopes(scopes))
    allowlist = ip_allowlist.parse_allowlist(allowed_ips)
    label = label.strip()
    if len(label) > 200:
        raise InvalidInput("label must be at most 200 characters")
    mark = TEST_MARK if test else ""
    secret = SECRET_PREFIX + mark + secrets.token_urlsafe(32)
    with write_transaction():
        active = OAuthClient.select().where(
            OAuthClient.account == account_id, OAuthClient.revoked_at.is_null()
        )
        if active.count() >= MAX_ACTIVE_KEYS:
            raise InvalidInput(
                Said(
                    "At most {limit} active OAuth clients per account; revoke one first",
                    limit=MAX_ACTIVE_KEYS,
                ),
                code="too_many_clients",
            )
        client = OAuthClient.create(
            account=account_id,
            client_id=CLIENT_ID_PREFIX + mark + secrets.token_urlsafe(16),
            label=label,
            secret_hash=hash_key(secret),
            scopes=chosen,
            allowed_ips=allowlist,
        )
        values = {"label": label, "clientId": client.client_id, "scopes": chosen}
        if allowlist:
            values["allowedIps"] = allowlist
        audit_trail.record(
            account_id, actor, "oauth_client.created", subject(client), created(values)
        )
    return NewClientSecret(client, secret)


def is_test(client: OAuthClient) -> bool:
    """Whether the client is a test-mode client (of a sandbox account)."""
    return str(client.client_id).startswith(CLIENT_ID_PREFIX + TEST_MARK)


def subject(client: OAuthClient) -> tuple[str, int, str]:
    """The client as the audit trail names it."""
    return ("oauth_client", client.id, client.label or client.client_id)


def list_clients(account_id: int) -> list[OAuthClient]:
    """Every client of the account, revoked ones included, oldest first."""
    return list(
        OAuthClient.select().where(OAuthClient.account == account_id).order_by(OAuthClient.id)
    )


def get_client(account_id: int, client_pk: int) -> OAuthClient:
    """One client of the account by its row id, or NotFound."""
    client = OAuthClient.get_or_none(
        (OAuthClient.id == client_pk) & (OAuthClient.account == account_id)
    )
    if client is None:
        raise NotFound(
            Said("OAuth client {client_id} not found", client_id=client_pk),
            code="oauth_client_not_found",
        )
    return client


def rotate_secret(
    account_id: int,
    client_pk: int,
    *,
    grace: timedelta = ROTATION_GRACE,
    actor: Actor = SYSTEM,
) -> NewClientSecret:
    """A new secret; the current one keeps working for ``grace`` (0: not at all). Tokens
    already issued keep working until they expire: rotate, then revoke, if a secret leaked."""
    actor.require("keys:write")
    if not timedelta(0) <= grace <= MAX_ROTATION_GRACE:
        raise InvalidInput("The grace period must be between 0 and 168 hours", code="invalid_grace")
    with write_transaction():
        client = _active(account_id, client_pk)
        mark = TEST_MARK if is_test(client) else ""
        secret = SECRET_PREFIX + mark + secrets.token_urlsafe(32)
        now = utcnow()
        client.previous_secret_hash = client.secret_hash if grace else None
        client.previous_secret_expires_at = now + grace if grace else None
        client.secret_hash = hash_key(secret)
        client.save()
        change = {"previousSecretExpiresAt": [None, client.previous_secret_expires_at]}
        audit_trail.record(
            account_id, actor, "oauth_client.secret_rotated", subject(client), change
        )
    return NewClientSecret(client, secret)


def set_allowlist(
    account_id: int, client_pk: int, allowed_ips: Iterable[str], *, actor: Actor = SYSTEM
) -> OAuthClient:
    """Replace the addresses and CIDR ranges the client's tokens may be used from."""
    actor.require("keys:write")
    with write_transaction():
        client = get_client(account_id, client_pk)
        ip_allowlist.replace(
            client, allowed_ips, account_id=account_id, actor=actor, subject=subject(client)
        )
    forget_tokens(client.id)
    return client


def forget_tokens(client_pk: int) -> None:
    """Forget the client's cached tokens in this process (the others: ``KEY_CACHE_TTL``)."""
    for row in OAuthToken.select(OAuthToken.token_hash).where(OAuthToken.client == client_pk):
        token_cache.forget(row.token_hash)


def _active(account_id: int, client_pk: int) -> OAuthClient:
    client = get_client(account_id, client_pk)
    if client.revoked_at is not None:
        raise InvalidInput("The client is revoked", code="oauth_client_revoked")
    return client


def verify(client_id: str, secret: str, now: datetime) -> OAuthClient | None:
    """The active client with this id whose current (or, in its grace period, previous)
    secret is ``secret``; None otherwise."""
    if not plausible(client_id, CLIENT_ID_PREFIX, 8) or not plausible(secret, SECRET_PREFIX, 16):
        return None
    client = OAuthClient.get_or_none(
        (OAuthClient.client_id == client_id) & OAuthClient.revoked_at.is_null()
    )
    if client is None:
        return None
    given = hash_key(secret)
    if hmac.compare_digest(client.secret_hash, given):
        return client
    previous = client.previous_secret_hash
    expires = client.previous_secret_expires_at
    if previous and expires is not None and expires > now and hmac.compare_digest(previous, given):
        return client
    return None
