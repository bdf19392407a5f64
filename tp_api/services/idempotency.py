"""``Idempotency-Key`` for admin-API writes: the first response is stored and replayed.

pretix's API middleware is the model: responses are stored under (credential, key) for 24
hours; a repeat while the first request runs gets 409; the same key with another request
gets 422; responses that say "try again" (409, 429, 5xx) are not stored, so a retry runs.
The in-flight row is committed before the request's own work starts, so a concurrent
duplicate meets the unique index and is refused instead of running twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import peewee

from tp_api.db import utcnow, write_transaction
from tp_api.models import IdempotencyRecord
from tp_api.services.errors import Conflict, InvalidInput, Said, Unprocessable

KEEP_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 200
# Each process deletes expired responses at most this often, on a request that uses a key:
# the table stays at about a day of keys without a separate job to run.
PURGE_EVERY = timedelta(minutes=10)
_last_purge: list[datetime] = []


@dataclass(frozen=True)
class StoredResponse:
    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Claim:
    """The caller owns the key: run the request, then :func:`finish` or :func:`abandon`."""

    record_id: int


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests "the same" for one key."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def begin(
    account_id: int, credential_id: str, key: str, request_fingerprint: str
) -> Claim | StoredResponse:
    """Claim ``key`` for this request, or return the response stored for it.

    Raises Conflict while another request with the key is in flight, and Unprocessable
    when the key was used for a different request.
    """
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInput(
            Said(
                "Idempotency-Key must be 1 to {limit} printable characters",
                limit=MAX_KEY_LENGTH,
            ),
            code="invalid_idempotency_key",
        )
    scope = hashlib.sha256(f"{credential_id}\x00{key}".encode()).hexdigest()
    now = utcnow()
    if not _last_purge or now - _last_purge[0] >= PURGE_EVERY:
        _last_purge[:] = [now]
        purge_expired()
    with write_transaction():
        IdempotencyRecord.delete().where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.expires_at <= now
        ).execute()
        existing = IdempotencyRecord.get_or_none(IdempotencyRecord.scope == scope)
        if existing is None:
            try:
                with write_transaction():
                    record = IdempotencyRecord.create(
                        account=account_id,
                        scope=scope,
                        fingerprint=request_fingerprint,
                        created_at=now,
                        expires_at=now + KEEP_FOR,
                    )
                return Claim(record.id)
            except peewee.IntegrityError:
                existing = IdempotencyRecord.get(IdempotencyRecord.scope == scope)
    if existing.fingerprint != request_fingerprint:
        raise Unprocessable(
            "This Idempotency-Key was already used for a different request",
            code="idempotency_key_reused",
        )
    if existing.status is None:
        raise Conflict(
            "A request with this Idempotency-Key is still being processed; retry later",
            code="idempotency_in_flight",
        )
    return StoredResponse(existing.status, existing.content_type, bytes(existing.body or b""))


def finish(claim: Claim, status: int, content_type: str, body: bytes) -> None:
    """Store the response for replay, or forget the key when the answer means "retry"."""
    if status in (409, 429) or status >= 500:
        abandon(claim)
        return
    with write_transaction():
        IdempotencyRecord.update(status=status, content_type=content_type[:100], body=body).where(
            IdempotencyRecord.id == claim.record_id
        ).execute()


SECRET_NOT_REPLAYED = 409


def finish_without_replay(claim: Claim, message: str) -> None:
    """Keep the key, but answer a repeat with 409 and ``message`` instead of the response.

    For responses carrying a secret shown once (a new API or scanner key): storing them
    would keep the secret in clear for a day. (Nothing else is ever stored as a 409.)
    """
    with write_transaction():
        IdempotencyRecord.update(
            status=SECRET_NOT_REPLAYED, content_type="text/plain", body=message.encode()
        ).where(IdempotencyRecord.id == claim.record_id).execute()


def abandon(claim: Claim) -> None:
    """Release the key (the request failed before it produced a response to keep)."""
    with write_transaction():
        IdempotencyRecord.delete().where(IdempotencyRecord.id == claim.record_id).execute()


def purge_expired() -> int:
    """Delete stored responses older than 24 hours; returns how many."""
    with write_transaction():
        return int(
            IdempotencyRecord.delete().where(IdempotencyRecord.expires_at <= utcnow()).execute()
        )
