"""Accounts, partner keys and authentication of partner-API calls.

A key is shown once when created; only its SHA-256 is stored. Keys carry 256 bits of
randomness, so an unsalted fast hash is the right tool (as for GitHub tokens): there is
nothing to brute-force offline.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import peewee

from tp_api.db import utcnow, write_transaction
from tp_api.models import Account, PartnerKey
from tp_api.services import audit_trail
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.audit_trail import created
from tp_api.services.credentials import ip_allowlist
from tp_api.services.credentials.authenticator import (
    AuthThrottle,
    DatabaseFailures,
    KeyCache,
    ThrottlePolicy,
    authenticate_with,
    default_throttle,
    hash_key,
    plausible,
    stamp_revoked,
    touch_last_used,
)
from tp_api.services.errors import Conflict, InvalidInput, NotFound, Said, Unauthenticated

KEY_PREFIX = "tp_"
# Test-mode keys (tp_api.services.sandbox) carry this after the prefix: visible in any log.
TEST_MARK = "test_"
_PREFIX_LEN = 12


@dataclass(frozen=True)
class AuthContext:
    """Who is calling: the account and the key used."""

    account_id: int
    account_name: str
    key_id: int
    allowed_ips: str = ""
    label: str = ""
    test_mode: bool = False


_cache: KeyCache[AuthContext] = KeyCache()


def clear_auth_cache() -> None:
    """Forget cached keys and remembered blocks (tests, and after bulk changes)."""
    _cache.clear()
    default_throttle().forget_blocks()


@dataclass(frozen=True)
class NewKey:
    """A freshly created key. ``secret`` is shown once and never stored."""

    id: int
    account_id: int
    label: str
    secret: str
    created_at: datetime


def create_account(name: str) -> Account:
    """Create a seller account; the name must be new."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("Account name must be 1 to 200 characters")
    try:
        with write_transaction():
            return Account.create(name=name)
    except peewee.IntegrityError:
        raise Conflict(
            Said("Account {name!r} already exists", name=name), code="account_exists"
        ) from None


def find_account(name: str) -> Account | None:
    """The account called ``name``, or None."""
    return Account.get_or_none(Account.name == name)


def get_account_by_name(name: str) -> Account:
    """The account called ``name``, or NotFound."""
    account = find_account(name)
    if account is None:
        raise NotFound(Said("Account {name!r} not found", name=name), code="account_not_found")
    return account


def create_key(
    account_id: int, *, label: str = "", test: bool = False, actor: Actor = SYSTEM
) -> NewKey:
    """Create a partner key for the account and return it with its secret, once; a
    ``test`` key (of a sandbox account) is marked ``tp_test_``."""
    actor.require("keys:write")
    secret = KEY_PREFIX + (TEST_MARK if test else "") + secrets.token_urlsafe(32)
    with write_transaction():
        row = PartnerKey.create(
            account=account_id,
            label=label.strip()[:200],
            prefix=secret[:_PREFIX_LEN],
            key_hash=hash_key(secret),
        )
        values = created({"label": row.label, "prefix": row.prefix})
        audit_trail.record(account_id, actor, "partner_key.created", _subject(row), values)
    return NewKey(row.id, account_id, row.label, secret, row.created_at)


def _subject(key: PartnerKey) -> tuple[str, int, str]:
    return ("partner_key", key.id, key.label or key.prefix)


def list_keys(account_id: int) -> list[PartnerKey]:
    """Every key of the account, revoked ones included, oldest first."""
    return list(PartnerKey.select().where(PartnerKey.account == account_id).order_by(PartnerKey.id))


def get_key(account_id: int, key_id: int) -> PartnerKey:
    """One partner key of the account, or NotFound."""
    key = PartnerKey.get_or_none((PartnerKey.id == key_id) & (PartnerKey.account == account_id))
    if key is None:
        raise NotFound(Said("Key {key_id} not found", key_id=key_id), code="key_not_found")
    return key


def revoke_key(account_id: int, key_id: int, *, actor: Actor = SYSTEM) -> PartnerKey:
    """Revoke one key of the account; later calls with it get 403 Unauthorized."""
    actor.require("keys:write")
    with write_transaction():
        key = get_key(account_id, key_id)
        if stamp_revoked(PartnerKey, key):
            audit_trail.record(account_id, actor, "partner_key.revoked", _subject(key))
    _cache.forget(key.key_hash)
    return key


def set_allowlist(
    account_id: int, key_id: int, allowed_ips: Iterable[str], *, actor: Actor = SYSTEM
) -> PartnerKey:
    """Replace the addresses and CIDR ranges a partner key may be used from (empty:
    anywhere); in effect at once here and within ``KEY_CACHE_TTL`` in other processes."""
    actor.require("keys:write")
    with write_transaction():
        key = get_key(account_id, key_id)
        ip_allowlist.replace(
            key, allowed_ips, account_id=account_id, actor=actor, subject=_subject(key)
        )
    _cache.forget(key.key_hash)
    return key


def authenticate(
    secret: str | None,
    *,
    client: str,
    policy: ThrottlePolicy | None = None,
    throttle: AuthThrottle | None = None,
) -> AuthContext:
    """Resolve a partner key to its account.

    A right key is always served. A missing, unknown or revoked key raises Unauthenticated
    and is counted against ``client`` by ``throttle`` (the database one by default, with
    ``policy``); over the limit it raises TooManyAttempts instead.
    """
    if throttle is None and policy is not None:
        throttle = AuthThrottle(DatabaseFailures(), policy)
    now = utcnow()
    context = authenticate_with(
        secret,
        lookup=lambda given, wanted: _match_key(given, wanted, now),
        cache=_cache,
        throttle=throttle,
        client=client,
        kind="partner",
        now=now,
        valid_shape=plausible(secret, "", _PREFIX_LEN),
        refusal=lambda: Unauthenticated("Unauthorized"),
    )
    ip_allowlist.enforce(
        context.allowed_ips,
        client,
        account_id=context.account_id,
        subject=("partner_key", context.key_id, context.label),
        message="Unauthorized",  # the contract's one answer to a refused key
    )
    return context


def _match_key(secret: str, wanted: str, now: datetime) -> AuthContext | None:
    candidates = (
        PartnerKey.select(PartnerKey, Account)
        .join(Account)
        .where(PartnerKey.prefix == secret[:_PREFIX_LEN], PartnerKey.revoked_at.is_null())
    )
    for key in candidates:
        if hmac.compare_digest(key.key_hash, wanted):
            touch_last_used(PartnerKey, key, now)
            label = key.label or key.prefix
            test = key.prefix.startswith(KEY_PREFIX + TEST_MARK)
            return AuthContext(
                key.account.id, key.account.name, key.id, key.allowed_ips, label, test
            )
    return None
