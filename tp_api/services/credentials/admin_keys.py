"""Admin-API keys: scoped, several active at once, shown once, revoked at once.

Like partner keys, only a SHA-256 of a key is stored (256 bits of randomness leave nothing
to brute-force offline). Revocation is immediate in the process that revokes and within
``credentials.KEY_CACHE_TTL`` in every other worker process. Failed keys are throttled per
client address with partner and scanner keys (tp_api/services/credentials/authenticator.py).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import get_args

from tp_api.db import utcnow, write_transaction
from tp_api.models import ApiKey
from tp_api.schemas.keys import Scope
from tp_api.services import audit_trail
from tp_api.services.actors import SYSTEM, Actor, MissingScopes
from tp_api.services.audit_trail import created
from tp_api.services.credentials import ip_allowlist
from tp_api.services.credentials.authenticator import (
    AuthThrottle,
    KeyCache,
    authenticate_with,
    hash_key,
    plausible,
    stamp_revoked,
    touch_last_used,
)
from tp_api.services.errors import InvalidInput, NotFound, Said, Unauthenticated

API_KEY_PREFIX = "tpk_"
TEST_MARK = "test_"  # after the prefix, on test-mode keys (tp_api.services.sandbox)
_PREFIX_LEN = 12
MAX_ACTIVE_KEYS = 20
NOT_FROM_HERE = "This credential may not be used from this address"

# The schema's Literal is the one list (it validates requests); this is its run-time form.
SCOPES: tuple[str, ...] = get_args(Scope)


@dataclass(frozen=True)
class ApiCaller:
    """Who is calling the admin API: the account, the key and what it may do."""

    account_id: int
    key_id: int
    scopes: frozenset[str]
    label: str = ""
    allowed_ips: str = ""
    # "api_key" or "oauth_client": what key_id names (an OAuth token calls as its client).
    credential: str = "api_key"
    test_mode: bool = False  # a test-mode credential, acting on a sandbox account

    @property
    def namespace(self) -> str:
        """Whose Idempotency-Keys these are: one key or one OAuth client."""
        return f"apikey:{self.key_id}" if self.credential == "api_key" else f"oauth:{self.key_id}"

    @property
    def actor(self) -> Actor:
        """The key as the domain knows it: named by its label, limited to its scopes."""
        if self.credential == "oauth_client":
            return Actor.oauth_client(self.key_id, self.label, self.scopes)
        return Actor.api_key(self.key_id, self.label, self.scopes)

    def require(self, *needed: str) -> None:
        """Raise MissingScopes unless the key has every scope in ``needed``."""
        missing = [scope for scope in needed if scope not in self.scopes]
        if missing:
            scopes = ", ".join(missing)
            raise MissingScopes(
                Said("This key lacks the scopes {scopes}", scopes=scopes)
                if len(missing) > 1
                else Said("This key lacks the scope {scope}", scope=scopes),
                details={"missingScopes": missing},
            )


@dataclass(frozen=True)
class NewApiKey:
    """A created key; ``secret`` is shown once and never stored."""

    key: ApiKey
    secret: str


_cache: KeyCache[ApiCaller] = KeyCache()


def parse_scopes(scopes: Iterable[str] | None) -> list[str]:
    """Validated, de-duplicated scopes in catalogue order; all scopes when ``None``."""
    if scopes is None:
        return list(SCOPES)
    wanted = set()
    for scope in scopes:
        if scope not in SCOPES:
            raise InvalidInput(
                Said(
                    "Unknown scope {scope!r}; known scopes: {scopes}",
                    scope=scope,
                    scopes=", ".join(SCOPES),
                ),
                code="unknown_scope",
            )
        wanted.add(scope)
    if not wanted:
        raise InvalidInput("A key needs at least one scope", code="scopes_missing")
    return [scope for scope in SCOPES if scope in wanted]


def create_api_key(
    account_id: int,
    *,
    label: str = "",
    scopes: Iterable[str] | None = None,
    allowed_ips: Iterable[str] | None = None,
    test: bool = False,
    actor: Actor = SYSTEM,
) -> NewApiKey:
    """Create a key for the account (all scopes unless narrowed, usable from anywhere unless
    ``allowed_ips`` lists addresses or CIDR ranges); the secret is returned once. A ``test``
    key (of a sandbox account) is marked ``tpk_test_``."""
    actor.require("keys:write")
    chosen = parse_scopes(scopes)
    allowlist = ip_allowlist.parse_allowlist(allowed_ips)
    label = label.strip()
    if len(label) > 200:
        raise InvalidInput("label must be at most 200 characters")
    secret = API_KEY_PREFIX + (TEST_MARK if test else "") + secrets.token_urlsafe(32)
    with write_transaction():
        active = (
            ApiKey.select().where(ApiKey.account == account_id, ApiKey.revoked_at.is_null()).count()
        )
        if active >= MAX_ACTIVE_KEYS:
            raise InvalidInput(
                Said(
                    "At most {limit} active keys per account; revoke one first",
                    limit=MAX_ACTIVE_KEYS,
                ),
                code="too_many_keys",
            )
        key = ApiKey.create(
            account=account_id,
            label=label,
            prefix=secret[:_PREFIX_LEN],
            key_hash=hash_key(secret),
            scopes=" ".join(chosen),
            allowed_ips=allowlist,
        )
        values = created(
            {
                "label": label,
                "scopes": " ".join(chosen),
                "prefix": key.prefix,
                "allowedIps": allowlist,
            }
        )
        audit_trail.record(account_id, actor, "api_key.created", _subject(key), values)
    return NewApiKey(key, secret)


def _subject(key: ApiKey) -> tuple[str, int, str]:
    return ("api_key", key.id, key.label or key.prefix)


def is_test(key: ApiKey) -> bool:
    """Whether the key is a test-mode key (of a sandbox account)."""
    return str(key.prefix).startswith(API_KEY_PREFIX + TEST_MARK)


def list_api_keys(account_id: int) -> list[ApiKey]:
    """Every key of the account, revoked ones included, oldest first."""
    return list(ApiKey.select().where(ApiKey.account == account_id).order_by(ApiKey.id))


def get_api_key(account_id: int, key_id: int) -> ApiKey:
    """One key of the account, or NotFound (another account's key is not found)."""
    key = ApiKey.get_or_none((ApiKey.id == key_id) & (ApiKey.account == account_id))
    if key is None:
        raise NotFound(Said("API key {key_id} not found", key_id=key_id), code="api_key_not_found")
    return key


def revoke_api_key(
    account_id: int, key_id: int, *, by: ApiCaller | None = None, actor: Actor = SYSTEM
) -> ApiKey:
    """Revoke a key; it stops authenticating at once in this process.

    A key revoking through the API (``by``) may only revoke keys whose scopes it holds
    itself (MissingScopes names the others), as it may only create such keys.
    """
    actor.require("keys:write")
    with write_transaction():
        key = get_api_key(account_id, key_id)
        if by is not None:
            by.require(*key.scopes.split())
        if stamp_revoked(ApiKey, key):
            audit_trail.record(account_id, actor, "api_key.revoked", _subject(key))
    _cache.forget(key.key_hash)
    return key


def set_allowlist(
    account_id: int, key_id: int, allowed_ips: Iterable[str], *, actor: Actor = SYSTEM
) -> ApiKey:
    """Replace the addresses and CIDR ranges a key may be used from (empty: anywhere); in
    effect at once in this process and within ``KEY_CACHE_TTL`` in the others."""
    actor.require("keys:write")
    with write_transaction():
        key = get_api_key(account_id, key_id)
        ip_allowlist.replace(
            key, allowed_ips, account_id=account_id, actor=actor, subject=_subject(key)
        )
    _cache.forget(key.key_hash)
    return key


def authenticate_api_key(
    secret: str | None, *, client: str = "local", throttle: AuthThrottle | None = None
) -> ApiCaller:
    """Resolve a presented key, or raise Unauthenticated (missing, unknown or revoked); a
    failure is counted against ``client`` and refused with TooManyAttempts over the limit."""
    now = utcnow()
    caller = authenticate_with(
        secret,
        lookup=lambda given, wanted: _match(given, wanted, now),
        cache=_cache,
        throttle=throttle,
        client=client,
        kind="admin-API",
        now=now,
        valid_shape=plausible(secret, API_KEY_PREFIX, _PREFIX_LEN),
        refusal=lambda: _refusal(secret),
    )
    ip_allowlist.enforce(
        caller.allowed_ips,
        client,
        account_id=caller.account_id,
        subject=("api_key", caller.key_id, caller.label or f"API key {caller.key_id}"),
        message=NOT_FROM_HERE,
    )
    return caller


def _match(secret: str, wanted: str, now: datetime) -> ApiCaller | None:
    for key in ApiKey.select().where(
        ApiKey.prefix == secret[:_PREFIX_LEN], ApiKey.revoked_at.is_null()
    ):
        if hmac.compare_digest(key.key_hash, wanted):
            touch_last_used(ApiKey, key, now)
            scopes = frozenset(key.scopes.split())
            return ApiCaller(
                key.account_id, key.id, scopes, key.label, key.allowed_ips, test_mode=is_test(key)
            )
    return None


def _refusal(secret: str | None) -> Unauthenticated:
    if not secret or not secret.startswith(API_KEY_PREFIX):
        return Unauthenticated(
            "A valid API key is required: send it as 'Authorization: Bearer <key>' or "
            "'x-api-key: <key>'",
            code="unauthorized",
        )
    return Unauthenticated("The API key is unknown or revoked", code="unauthorized")


def clear_cache() -> None:
    """Forget cached keys (tests)."""
    _cache.clear()
