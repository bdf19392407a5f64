"""Accounts, partner keys and authentication of partner-API calls.

A key is shown once when created; only its SHA-256 is stored. Keys carry 256 bits of
randomness, so an unsalted fast hash is the right tool (as for GitHub tokens): there is
nothing to brute-force offline.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import peewee

from tp_api.db import utcnow, write_transaction
from tp_api.models import Account, AuthFailure, PartnerKey
from tp_api.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    Unauthenticated,
)

log = logging.getLogger(__name__)

KEY_PREFIX = "tp_"
_PREFIX_LEN = 12
# last_used_at is a hint for admins, not an audit log: write it at most this often per key.
LAST_USED_RESOLUTION = timedelta(seconds=60)
# Each worker process remembers a good key this long, and re-reads the list of blocked
# clients this often, instead of asking the database on every request: a revocation or a
# block made by another process takes effect within these times (docs/partner-api.md).
KEY_CACHE_TTL = timedelta(seconds=5)
BLOCKLIST_TTL = timedelta(seconds=2)


@dataclass
class _AuthCache:
    keys: dict[str, tuple[AuthContext, datetime]]
    blocked: dict[str, datetime]
    blocked_read_at: datetime | None = None

    def clear(self) -> None:
        self.keys.clear()
        self.blocked.clear()
        self.blocked_read_at = None


_cache = _AuthCache({}, {})


def clear_auth_cache() -> None:
    """Forget cached keys and blocks (tests, and after bulk changes)."""
    _cache.clear()


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failed keys one client may send in a window before it is refused."""

    max_failures: int = 10
    window: timedelta = timedelta(minutes=5)
    block_for: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class AuthContext:
    """Who is calling: the account and the key used."""

    account_id: int
    account_name: str
    key_id: int


@dataclass(frozen=True)
class NewKey:
    """A freshly created key. ``secret`` is shown once and never stored."""

    id: int
    account_id: int
    label: str
    secret: str
    created_at: datetime


def hash_key(secret: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_account(name: str) -> Account:
    """Create a seller account; the name must be new."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("Account name must be 1 to 200 characters")
    try:
        with write_transaction():
            return Account.create(name=name)
    except peewee.IntegrityError:
        raise Conflict(f"Account {name!r} already exists", code="account_exists") from None


def find_account(name: str) -> Account | None:
    """The account called ``name``, or None."""
    return Account.get_or_none(Account.name == name)


def get_account_by_name(name: str) -> Account:
    """The account called ``name``, or NotFound."""
    account = find_account(name)
    if account is None:
        raise NotFound(f"Account {name!r} not found", code="account_not_found")
    return account


def create_key(account_id: int, *, label: str = "") -> NewKey:
    """Create a partner key for the account and return it with its secret, once."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    with write_transaction():
        row = PartnerKey.create(
            account=account_id,
            label=label[:200],
            prefix=secret[:_PREFIX_LEN],
            key_hash=hash_key(secret),
        )
    return NewKey(row.id, account_id, row.label, secret, row.created_at)


def list_keys(account_id: int) -> list[PartnerKey]:
    """Every key of the account, revoked ones included, oldest first."""
    return list(PartnerKey.select().where(PartnerKey.account == account_id).order_by(PartnerKey.id))


def revoke_key(account_id: int, key_id: int) -> PartnerKey:
    """Revoke one key of the account; later calls with it get 403 Unauthorized."""
    with write_transaction():
        key = PartnerKey.get_or_none((PartnerKey.id == key_id) & (PartnerKey.account == account_id))
        if key is None:
            raise NotFound(f"Key {key_id} not found", code="key_not_found")
        if key.revoked_at is None:
            key.revoked_at = utcnow()
            key.save(only=[PartnerKey.revoked_at])
    _cache.keys.pop(key.key_hash, None)
    return key


def authenticate(
    secret: str | None, *, client: str, policy: ThrottlePolicy | None = None
) -> AuthContext:
    """Resolve a partner key to its account, refusing throttled clients.

    Raises TooManyAttempts while ``client`` is blocked (even with a good key, so a blocked
    brute-forcer learns nothing) and Unauthenticated for a missing, unknown or revoked key.
    """
    policy = policy or ThrottlePolicy()
    now = utcnow()
    _refuse_if_blocked(client, now)
    context = _match_key(secret or "", now)
    if context is None:
        _record_failure(client, now, policy)
        raise Unauthenticated("Unauthorized")
    return context


def _match_key(secret: str, now: datetime) -> AuthContext | None:
    if len(secret) < _PREFIX_LEN or len(secret) > 200:
        return None
    wanted = hash_key(secret)
    cached = _cache.keys.get(wanted)
    if cached is not None and cached[1] > now:
        return cached[0]
    candidates = (
        PartnerKey.select(PartnerKey, Account)
        .join(Account)
        .where(PartnerKey.prefix == secret[:_PREFIX_LEN], PartnerKey.revoked_at.is_null())
    )
    for key in candidates:
        if hmac.compare_digest(key.key_hash, wanted):
            _touch(key, now)
            context = AuthContext(key.account.id, key.account.name, key.id)
            _cache.keys[wanted] = (context, now + KEY_CACHE_TTL)
            return context
    return None


def _touch(key: PartnerKey, now: datetime) -> None:
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        (PartnerKey.update(last_used_at=now).where(PartnerKey.id == key.id).execute())


def _refuse_if_blocked(client: str, now: datetime) -> None:
    if _cache.blocked_read_at is None or now - _cache.blocked_read_at > BLOCKLIST_TTL:
        rows = AuthFailure.select(AuthFailure.client, AuthFailure.blocked_until).where(
            AuthFailure.blocked_until > now
        )
        _cache.blocked = {row.client: row.blocked_until for row in rows}
        _cache.blocked_read_at = now
    blocked_until = _cache.blocked.get(client[:64])
    if blocked_until is not None and blocked_until > now:
        retry_after = int((blocked_until - now).total_seconds()) + 1
        raise TooManyAttempts("Too many failed authentication attempts", retry_after_s=retry_after)


def _record_failure(client: str, now: datetime, policy: ThrottlePolicy) -> None:
    client = client[:64]
    try:
        failures = _count_failure(client, now, policy)
    except peewee.IntegrityError:
        # PostgreSQL: another worker inserted this client's first failure at the same moment.
        failures = _count_failure(client, now, policy)
    log.info("partner auth: failed key from client %s (%d in window)", client, failures)


def _count_failure(client: str, now: datetime, policy: ThrottlePolicy) -> int:
    with write_transaction():
        # An atomic increment: parallel failures from one client are all counted.
        counted = (
            AuthFailure.update(failures=AuthFailure.failures + 1)
            .where(
                AuthFailure.client == client,
                AuthFailure.window_started_at >= now - policy.window,
            )
            .execute()
        )
        if not counted:
            # First failure, or the last window is over: start a new one.
            fresh = {"failures": 1, "window_started_at": now, "blocked_until": None}
            if not AuthFailure.update(**fresh).where(AuthFailure.client == client).execute():
                AuthFailure.insert(client=client, **fresh).execute()
        row = AuthFailure.get(AuthFailure.client == client)
        if row.failures >= policy.max_failures and (
            row.blocked_until is None or row.blocked_until <= now
        ):
            row.blocked_until = now + policy.block_for
            row.save(only=[AuthFailure.blocked_until])
            _cache.blocked[client] = row.blocked_until
            log.warning(
                "partner auth: client %s blocked until %s after %d failed keys",
                client,
                row.blocked_until.isoformat(),
                row.failures,
            )
    return int(row.failures)
