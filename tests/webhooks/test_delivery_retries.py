"""Outgoing webhooks delivered at least once through the outbox, against real HTTP receivers
on loopback that fail in the ways receivers fail: 500s, hangs, dropped connections, redirects,
a port that refuses connections, and names that resolve somewhere private.

Time is controlled with time_machine (``tick=False``): a retry becomes due only when the test
travels to it, so the retry schedule is checked to the microsecond, and three days of retries
take no real time.
"""

from __future__ import annotations

import random
from datetime import timedelta
from itertools import pairwise

import pytest
import time_machine

from tests.webhooks.delivery_support import (
    API,
    admin_headers,
    attempts,
    body_json,
    delivery,
    event_id_of,
    job_key,
    jobs,
    make_hook,
    open_jobs,
    public_number,
    receiving,
    travel_start,
    within_jitter,
)
from tp_api.models import DeliveryStatus, WebhookEndpoint
from tp_api.services.webhooks import webhook_delivery
from tp_api.services.webhooks.webhook_delivery import (
    GIVE_UP_AFTER,
    RETRY_DELAYS,
    retry_delay,
)

# --- a receiver answering 500: the retry schedule and the delivery log --------------------


def test_a_failing_receiver_is_retried_on_the_schedule_until_three_days_then_given_up(
    db, settings, factory, client
):
    seller = factory.seller()
    headers = admin_headers(factory.api_key(seller))
    with (
        receiving("error", delay_s=0.05) as receiver,
        time_machine.travel(travel_start(), tick=False) as traveller,
    ):
        hook = make_hook(settings, seller, receiver)
        d = hook.emit("order.paid", {"orderId": 7})
        window = delivery(d).window_started_at
        assert [j.dedupe_key for j in open_jobs(d)] == [job_key(d, 1)]
        assert hook.run() == 1
        n = _retry_on_schedule_until_settled(hook, receiver, traveller, d)

        # Given up within three days of the event, after every retry that fitted in them.
        row, last = delivery(d), attempts(d)[-1]
        assert row.status == DeliveryStatus.FAILED
        assert row.finished_at == last.attempted_at and row.next_attempt_at is None
        assert last.attempted_at - window <= GIVE_UP_AFTER
        assert n >= 11  # the first ten delays add up to at most 63.3 h: they always fit
        assert open_jobs(d) == []
        assert [j.dedupe_key for j in jobs(d)] == [job_key(d, i) for i in range(1, n + 1)]
        assert hook.endpoint().failed_deliveries_in_a_row == 1
        _check_the_same_event_at_the_scheduled_gaps(receiver.requests, d, n)

        # Nothing more, however long one waits.
        traveller.shift(timedelta(days=10))
        assert hook.run() == 0
        assert len(receiver.requests) == n

        response = client.get(f"{API}/webhooks/{hook.endpoint_id}/deliveries", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    newest = response.get_json()["items"][0]
    assert newest["id"] == public_number(d) and newest["eventId"] == event_id_of(d)
    assert newest["status"] == "failed" and newest["attempts"] == n
    assert newest["nextAttemptAt"] is None
    log_out = newest["attemptLog"]
    assert [a["number"] for a in log_out] == list(range(1, n + 1))
    for entry in log_out:
        assert entry["statusCode"] == 500
        assert entry["durationMs"] >= 50
        assert entry["responseExcerpt"] == "receiver broke: database down"
        assert entry["error"] is None


def _retry_on_schedule_until_settled(hook, receiver, traveller, d: int) -> int:
    """Travel from attempt to attempt, checking each is logged and the next one is due not
    a second early and exactly on time; the number of attempts once the delivery settled."""
    n = 1
    while True:
        row, log = delivery(d), attempts(d)
        assert [a.number for a in log] == list(range(1, n + 1))
        last = log[-1]
        assert last.status_code == 500
        assert last.error is None
        assert last.response_excerpt == "receiver broke: database down"
        assert last.duration_ms >= 50  # the receiver took 50 ms to answer
        assert row.attempts == n and row.last_attempt_at == last.attempted_at
        if row.status != DeliveryStatus.PENDING:
            return n
        # Exactly one job waits: the next attempt's, due when the delivery says.
        waiting = open_jobs(d)
        assert [j.dedupe_key for j in waiting] == [job_key(d, n + 1)]
        assert waiting[0].not_before == row.next_attempt_at
        assert within_jitter(row.next_attempt_at - last.attempted_at, retry_delay(n))
        # Not a second early ...
        traveller.move_to(row.next_attempt_at - timedelta(seconds=1))
        assert hook.run() == 0
        assert len(receiver.requests) == n
        # ... and on time.
        traveller.move_to(row.next_attempt_at)
        assert hook.run() == 1
        n += 1
        assert n <= 20, "more attempts than three days hold"


def _check_the_same_event_at_the_scheduled_gaps(seen: list, d: int, n: int) -> None:
    """The receiver saw the same event every time, at the scheduled gaps, in order."""
    assert len(seen) == n
    assert {r.webhook_id for r in seen} == {event_id_of(d)}
    assert len({r.body for r in seen}) == 1
    assert body_json(seen[0])["data"] == {"orderId": 7}
    assert all(r.verified for r in seen)
    for i, (a, b) in enumerate(pairwise(seen)):
        assert within_jitter(b.at - a.at, retry_delay(i + 1)), (i, b.at - a.at)


def test_retries_go_on_until_the_three_days_are_used_up_whatever_the_jitter():
    class LowestJitter(random.Random):
        def random(self) -> float:
            return 0.0

    window = travel_start()
    at, attempt = window, 1
    while True:
        following = webhook_delivery.next_attempt_at(window, attempt, at, LowestJitter())
        if following is None:
            break
        at, attempt = following, attempt + 1
    # Given up only when one more 10 h retry (at its earliest) would miss the window.
    assert at + RETRY_DELAYS[-1] * 0.9 > window + GIVE_UP_AFTER, (attempt, at - window)


# --- a receiver that is down for a while ---------------------------------------------------


def test_a_receiver_down_for_a_while_gets_every_event_exactly_once_when_it_recovers(
    db, settings, factory
):
    seller = factory.seller()
    with (
        receiving("ok") as receiver,
        time_machine.travel(travel_start(), tick=False) as traveller,
    ):
        hook = make_hook(settings, seller, receiver)
        receiver.down()
        deliveries = [hook.emit("order.created", {"order": i}) for i in range(20)]
        assert hook.run() == 20
        traveller.shift(RETRY_DELAYS[0] * 1.1)
        assert hook.run() == 20
        assert receiver.requests == []
        for d in deliveries:
            log = attempts(d)
            assert [a.status_code for a in log] == [None, None]
            assert all("ConnectionError" in a.error for a in log), log[0].error
            assert delivery(d).status == DeliveryStatus.PENDING
            assert [j.dedupe_key for j in open_jobs(d)] == [job_key(d, 3)]

        receiver.up()
        traveller.shift(RETRY_DELAYS[1] * 1.1)
        assert hook.run() == 20
        traveller.shift(timedelta(days=4))
        assert hook.run() == 0

    ids = receiver.ids
    assert sorted(ids) == sorted(hook.events) and len(set(ids)) == 20  # each once, none lost
    assert all(r.verified for r in receiver.requests)
    assert sorted(body_json(r)["data"]["order"] for r in receiver.requests) == list(range(20))
    for d in deliveries:
        row = delivery(d)
        assert (row.status, row.attempts) == (DeliveryStatus.SUCCEEDED, 3)
        assert attempts(d)[-1].status_code == 200
        assert open_jobs(d) == []
    assert WebhookEndpoint.get_by_id(hook.endpoint_id).failed_deliveries_in_a_row == 0


# --- each way an attempt fails is an attempt, and is retried -------------------------------


FAILURES = {
    # mode: (status code recorded, text the error holds, text the excerpt holds)
    "error": (500, None, "receiver broke"),
    "redirect": (302, None, ""),
    "close": (None, "ConnectionError", ""),
    "hang": (None, "timed out after 1.0 s", ""),
    "down": (None, "ConnectionError", ""),
}


@pytest.mark.parametrize("mode", list(FAILURES))
def test_every_kind_of_failure_is_recorded_as_an_attempt_and_retried(db, settings, factory, mode):
    status, error, excerpt = FAILURES[mode]
    seller = factory.seller()
    with (
        receiving("ok", hang_s=3.0) as receiver,
        time_machine.travel(travel_start(), tick=False) as traveller,
    ):
        hook = make_hook(settings, seller, receiver)
        if mode == "down":
            receiver.down()
        else:
            receiver.mode = mode
        d = hook.emit()
        assert hook.run() == 1
        (failed,) = attempts(d)
        assert failed.status_code == status
        if error is None:
            assert failed.error is None
        else:
            assert error in (failed.error or ""), failed.error
        assert excerpt in failed.response_excerpt
        if mode == "hang":
            # The sender waited its 1 s timeout, not the receiver's 3 s.
            assert 1000 <= failed.duration_ms < 2900, failed.duration_ms
        row = delivery(d)
        assert row.status == DeliveryStatus.PENDING and row.attempts == 1
        assert [j.dedupe_key for j in open_jobs(d)] == [job_key(d, 2)]

        # The receiver recovers; the retry is sent when due and succeeds.
        if mode == "down":
            receiver.up()
        receiver.mode = "ok"
        receiver.release()
        traveller.move_to(row.next_attempt_at)
        assert hook.run() == 1

    assert [a.status_code for a in attempts(d)] == [status, 200]
    assert delivery(d).status == DeliveryStatus.SUCCEEDED
    seen = receiver.requests
    assert len(seen) == (1 if mode == "down" else 2)
    assert {r.webhook_id for r in seen} == {event_id_of(d)}
    assert all(r.verified for r in seen)
    # No request ever went where the redirect pointed (nor anywhere but the endpoint).
    assert {(r.path, bool(r.body)) for r in seen} == {("/hooks", True)}


def test_a_redirect_answer_is_logged_with_its_excerpt_like_any_other(db, settings, factory):
    seller = factory.seller()
    with receiving("ok") as receiver, time_machine.travel(travel_start(), tick=False):
        hook = make_hook(settings, seller, receiver)
        receiver.mode = "redirect"
        d = hook.emit()
        assert hook.run() == 1
        (attempt,) = attempts(d)
    assert attempt.status_code == 302
    assert attempt.response_excerpt == "moved elsewhere"
