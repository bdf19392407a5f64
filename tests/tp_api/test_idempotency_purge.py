"""Stored Idempotency-Key responses expire after 24 hours and are purged without a job."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from tp_api.db import utcnow
from tp_api.models import IdempotencyRecord
from tp_api.services import idempotency


def test_expired_responses_are_replaced_and_purged(db, factory):
    seller = factory.seller()
    start = utcnow()
    with time_machine.travel(start, tick=False):
        idempotency._last_purge.clear()
        first = idempotency.begin(seller.id, "k1", "same", "fp-1")
        idempotency.finish(first, 201, "application/json", b'{"id": 1}')
        other = idempotency.begin(seller.id, "k1", "other", "fp-2")
        idempotency.finish(other, 200, "application/json", b"{}")
        replay = idempotency.begin(seller.id, "k1", "same", "fp-1")
        assert replay == idempotency.StoredResponse(201, "application/json", b'{"id": 1}')
    with time_machine.travel(start + timedelta(hours=23, minutes=59), tick=False):
        # Within the day the key still replays, even for the purge that runs now.
        assert isinstance(
            idempotency.begin(seller.id, "k1", "same", "fp-1"), idempotency.StoredResponse
        )
    with time_machine.travel(start + timedelta(hours=24, minutes=15), tick=False):
        # After a day the key is free again (a new request with it runs) ...
        again = idempotency.begin(seller.id, "k1", "same", "fp-other-body")
        assert isinstance(again, idempotency.Claim)
        # ... and the other expired row was purged in passing, with no job to run.
        assert [r.scope for r in IdempotencyRecord.select()] == [
            IdempotencyRecord.get_by_id(again.record_id).scope
        ]


def test_a_response_meaning_retry_is_not_kept(db, factory):
    seller = factory.seller()
    for status in (409, 429, 500, 503):
        claim = idempotency.begin(seller.id, "k1", f"key-{status}", "fp")
        idempotency.finish(claim, status, "application/json", b"{}")
        assert isinstance(
            idempotency.begin(seller.id, "k1", f"key-{status}", "fp"), idempotency.Claim
        )
