"""One way to authenticate a presented key: a per-process cache of good keys, and one
throttle of failed keys per client address shared by partner, admin-API and scanner keys.

A right key is always served: the throttle is consulted only after a key failed, so a
stale key in a shop's cron job can never lock out the shop's good key. Failures are
counted atomically in a store every worker shares (Redis when configured, else the
database): of any number of concurrent wrong keys from one address, exactly
``max_failures`` are answered as wrong keys; the rest are refused with TooManyAttempts
until the block ends.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

import peewee

from tp_api.db import utcnow, write_transaction
from tp_api.models import AuthFailure
from tp_api.services.errors import TicketingError, TooManyAttempts

log = logging.getLogger(__name__)

T = TypeVar("T")
# Each worker process remembers a good key this long instead of asking the database on
# every request: a revocation made by another process takes effect within this time.
KEY_CACHE_TTL = timedelta(seconds=5)
MAX_KEY_LENGTH = 200
_CLIENT_LEN = 64
_MEMO_LIMIT = 10_000
BLOCKED_MESSAGE = "Too many failed authentication attempts"


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failed keys one client may send in a window before it is refused."""

    max_failures: int = 10
    window: timedelta = timedelta(minutes=5)
    block_for: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Verdict:
    """A counted failure: the client's count in its window, and when a block ends."""

    failures: int
    blocked_until: datetime | None


class FailureStore(Protocol):
    """Where failures are counted; ``count`` must be atomic across processes."""

    def count(self, client: str, now: datetime, policy: ThrottlePolicy) -> Verdict: ...


def hash_key(secret: str) -> str:
    """The stored form of a key (keys carry 256 bits of randomness: a fast hash is right)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def plausible(secret: str | None, prefix: str, min_length: int) -> bool:
    """Whether ``secret`` could be one of our keys: worth a lookup at all.

    Keys are printable ASCII; anything else (a NUL, which PostgreSQL refuses in a query,
    or a control character) is wrong without asking the database.
    """
    if not secret or not min_length <= len(secret) <= MAX_KEY_LENGTH:
        return False
    return secret.startswith(prefix) and secret.isascii() and secret.isprintable()


class KeyCache(Generic[T]):
    """Good keys (by hash) and what they resolve to, for ``KEY_CACHE_TTL``, per process."""

    def __init__(self, ttl: timedelta = KEY_CACHE_TTL) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[T, datetime]] = {}

    def get(self, key_hash: str, now: datetime) -> T | None:
        entry = self._entries.get(key_hash)
        return entry[0] if entry is not None and entry[1] > now else None

    def put(self, key_hash: str, value: T, now: datetime) -> None:
        if len(self._entries) >= _MEMO_LIMIT:
            self._entries.clear()
        self._entries[key_hash] = (value, now + self.ttl)

    def forget(self, key_hash: str) -> None:
        self._entries.pop(key_hash, None)

    def clear(self) -> None:
        self._entries.clear()


class DatabaseFailures:
    """Failures counted in the ``auth_failure`` table: one row per client address."""

    def count(self, client: str, now: datetime, policy: ThrottlePolicy) -> Verdict:
        try:
            return self._count(client, now, policy)
        except peewee.IntegrityError:
            # PostgreSQL: another worker inserted this client's first row at the same moment.
            return self._count(client, now, policy)

    @staticmethod
    def _count(client: str, now: datetime, policy: ThrottlePolicy) -> Verdict:
        with write_transaction():
            AuthFailure.insert(
                client=client, failures=0, window_started_at=now, blocked_until=None
            ).on_conflict_ignore().execute()
            # A window without a block that is over, or a block that ran out: start again.
            ended = (
                AuthFailure.blocked_until.is_null()
                & (AuthFailure.window_started_at < now - policy.window)
            ) | (AuthFailure.blocked_until <= now)
            AuthFailure.update(failures=0, window_started_at=now, blocked_until=None).where(
                AuthFailure.client == client, ended
            ).execute()
            # One atomic increment; the row stays locked until commit, so the count read
            # back is this failure's own place in line.
            AuthFailure.update(failures=AuthFailure.failures + 1).where(
                AuthFailure.client == client
            ).execute()
            row = AuthFailure.get(AuthFailure.client == client)
            if row.failures == policy.max_failures:
                row.blocked_until = now + policy.block_for
                row.save(only=[AuthFailure.blocked_until])
        return Verdict(int(row.failures), row.blocked_until)


# INCR and the expiry in one step: the window starts with a client's first failure, and
# the failure that reaches the limit stretches the key's life to the block's length.
_REDIS_COUNT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n == tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {n, redis.call('PTTL', KEYS[1])}
"""


class RedisFailures:
    """Failures counted in Redis (``TP_REDIS_URL``); the database if Redis is away."""

    def __init__(self, url: str, fallback: FailureStore | None = None) -> None:
        import redis  # only an installation with TP_REDIS_URL needs the client

        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._script = self._client.register_script(_REDIS_COUNT)
        self._errors: tuple[type[Exception], ...] = (redis.RedisError,)
        self._fallback = fallback or DatabaseFailures()

    def count(self, client: str, now: datetime, policy: ThrottlePolicy) -> Verdict:
        args = [
            int(policy.window.total_seconds() * 1000),
            int(policy.block_for.total_seconds() * 1000),
            policy.max_failures,
        ]
        try:
            failures, ttl_ms = self._script(keys=[f"tp:auth-failures:{client}"], args=args)
        except self._errors:
            log.warning("auth throttle: Redis is unreachable; counting in the database")
            return self._fallback.count(client, now, policy)
        if int(failures) < policy.max_failures:
            return Verdict(int(failures), None)
        return Verdict(int(failures), now + timedelta(milliseconds=max(int(ttl_ms), 1)))


class AuthThrottle:
    """Counts failed keys per client address in ``store`` and refuses clients over the limit.

    Each process also remembers the blocks it has been told of, so a blocked client's
    further wrong keys cost no write until the block ends.
    """

    def __init__(self, store: FailureStore, policy: ThrottlePolicy | None = None) -> None:
        self.store = store
        self.policy = policy or ThrottlePolicy()
        self._blocked: dict[str, datetime] = {}

    def failed(self, client: str, kind: str, now: datetime) -> None:
        """Count a failed ``kind`` key from ``client``; raise TooManyAttempts when the client
        has used up its allowance."""
        client = client[:_CLIENT_LEN]
        until = self._blocked.get(client)
        if until is not None and until > now:
            log.debug("auth: %s key from %s refused while blocked", kind, client)
            raise _refusal(until, now)
        verdict = self.store.count(client, now, self.policy)
        if verdict.failures > self.policy.max_failures and verdict.blocked_until is not None:
            self._remember(client, verdict.blocked_until)
            log.debug("auth: %s key from %s refused while blocked", kind, client)
            raise _refusal(verdict.blocked_until, now)
        log.info(
            "auth: wrong %s key from %s (%d of %d allowed)",
            kind,
            client,
            verdict.failures,
            self.policy.max_failures,
        )
        if verdict.blocked_until is not None:
            self._remember(client, verdict.blocked_until)
            log.warning(
                "auth: %s blocked until %s after %d wrong keys; right keys are still served",
                client,
                verdict.blocked_until.isoformat(),
                verdict.failures,
            )

    def forget_blocks(self) -> None:
        """Forget the blocks this process remembers (tests)."""
        self._blocked.clear()

    def _remember(self, client: str, until: datetime) -> None:
        if len(self._blocked) >= _MEMO_LIMIT:
            self._blocked.clear()
        self._blocked[client] = until


def _refusal(until: datetime, now: datetime) -> TooManyAttempts:
    seconds = max(1, int((until - now).total_seconds()) + 1)
    return TooManyAttempts(BLOCKED_MESSAGE, retry_after_s=seconds)


_default_throttle = AuthThrottle(DatabaseFailures())


def default_throttle() -> AuthThrottle:
    """The throttle for callers that pass none: counted in the database, default policy."""
    return _default_throttle


def authenticate_with(
    secret: str | None,
    *,
    lookup: Callable[[str, str], T | None],
    cache: KeyCache[T],
    throttle: AuthThrottle | None,
    client: str,
    kind: str,
    now: datetime,
    valid_shape: bool,
    refusal: Callable[[], TicketingError],
) -> T:
    """Resolve ``secret`` through ``cache`` then ``lookup(secret, hash)``; on failure count
    it against ``client`` and raise ``refusal()`` (or TooManyAttempts over the limit).

    ``valid_shape`` says whether the secret is worth a lookup (see ``plausible``).
    """
    if secret and valid_shape:
        wanted = hash_key(secret)
        found = cache.get(wanted, now)
        if found is None:
            found = lookup(secret, wanted)
            if found is not None:
                cache.put(wanted, found, now)
        if found is not None:
            return found
    (throttle or _default_throttle).failed(client, kind, now)
    raise refusal()


# last_used_at is a hint for admins, not an audit log: write it at most this often per key.
LAST_USED_RESOLUTION = timedelta(seconds=60)


def touch_last_used(model: Any, row: Any, now: datetime) -> None:
    """Record that a key was used, at most once per ``LAST_USED_RESOLUTION``."""
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        model.update(last_used_at=now).where(model.id == row.id).execute()


def stamp_revoked(model: Any, row: Any) -> bool:
    """Mark a key (partner, admin-API or scanner) revoked now, in the caller's transaction;
    whether it was still active (revoking twice changes nothing)."""
    if row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    row.save(only=[model.revoked_at])
    return True
