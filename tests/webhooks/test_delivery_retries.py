"""Outgoing webhooks delivered at least once through the outbox, against real HTTP receivers
on loopback that fail in the ways receivers fail: 500s, hangs, dropped connections, redirects,
a port that refuses connections, and names that resolve somewhere private.

Time is controlled with time_machine (``tick=False``): a retry becomes due only when the test
travels to it, so the retry schedule is checked to the microsecond, and three days of retries
take no real time.
"""

from __future__ import annotations

import random
import threading
from dataclasses import replace
from datetime import timedelta
from itertools import pairwise

import pytest
import time_machine

from config.shops import secret_box
from config.wsgi import create_app
from sync.outbox_worker import OutboxWorker
from sync.webhook_sender import SenderSettings, webhook_handler
from tests.webhooks.delivery_support import (
    API,
    Hook,
    Receiver,
    admin_headers,
    attempts,
    body_json,
    delivery,
    delivery_worker,
    drain,
    event_id_of,
    job_key,
    jobs,
    make_hook,
    open_jobs,
    public_number,
    receiving,
    run_until_settled,
    travel_start,
)
from tp_api.db import database, utcnow, write_transaction
from tp_api.models import DeliveryStatus, OutboxEntry, WebhookDelivery, WebhookEndpoint
from tp_api.services.webhooks import webhook_delivery, webhook_events
from tp_api.services.webhooks.webhook_delivery import (
    DISABLE_AFTER_FAILED_DELIVERIES,
    GIVE_UP_AFTER,
    RETRY_DELAYS,
    AttemptResult,
    retry_delay,
)
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy
from tp_api.services.webhooks.webhook_events import DELIVER_WEBHOOK

PUBLIC = "93.184.216.34"


def _within_jitter(delay: timedelta, nominal: timedelta) -> bool:
    return nominal * 0.9 <= delay <= nominal * 1.1


def _advance(traveller, hook: Hook, until) -> None:
    """Deliver and retry everything due up to ``until``, travelling from attempt to attempt."""
    for _ in range(100):
        hook.run()
        pending = [
            d.next_attempt_at
            for d in WebhookDelivery.select().where(
                WebhookDelivery.endpoint == hook.endpoint_id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
            )
        ]
        if not pending or min(pending) > until:
            traveller.move_to(until)
            hook.run()
            return
        traveller.move_to(min(pending))
    raise AssertionError("too many rounds")


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
                break
            # Exactly one job waits: the next attempt's, due when the delivery says.
            waiting = open_jobs(d)
            assert [j.dedupe_key for j in waiting] == [job_key(d, n + 1)]
            assert waiting[0].not_before == row.next_attempt_at
            assert _within_jitter(row.next_attempt_at - last.attempted_at, retry_delay(n))
            # Not a second early ...
            traveller.move_to(row.next_attempt_at - timedelta(seconds=1))
            assert hook.run() == 0
            assert len(receiver.requests) == n
            # ... and on time.
            traveller.move_to(row.next_attempt_at)
            assert hook.run() == 1
            n += 1
            assert n <= 20, "more attempts than three days hold"

        # Given up within three days of the event, after every retry that fitted in them.
        assert row.status == DeliveryStatus.FAILED
        assert row.finished_at == last.attempted_at and row.next_attempt_at is None
        assert last.attempted_at - window <= GIVE_UP_AFTER
        assert n >= 11  # the first ten delays add up to at most 63.3 h: they always fit
        assert open_jobs(d) == []
        assert [j.dedupe_key for j in jobs(d)] == [job_key(d, i) for i in range(1, n + 1)]
        assert hook.endpoint().failed_deliveries_in_a_row == 1

        # The receiver saw the same event every time, at the scheduled gaps, in order.
        seen = receiver.requests
        assert len(seen) == n
        assert {r.webhook_id for r in seen} == {event_id_of(d)}
        assert len({r.body for r in seen}) == 1
        assert body_json(seen[0])["data"] == {"orderId": 7}
        assert all(r.verified for r in seen)
        for i, (a, b) in enumerate(pairwise(seen)):
            assert _within_jitter(b.at - a.at, retry_delay(i + 1)), (i, b.at - a.at)

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


# --- giving up and switching the endpoint off --------------------------------------------


def test_three_failed_deliveries_in_a_row_disable_the_endpoint_until_it_is_enabled_again(
    db, settings, factory, client
):
    seller = factory.seller()
    headers = admin_headers(factory.api_key(seller))
    with (
        receiving("ok") as receiver,
        time_machine.travel(travel_start(), tick=False) as traveller,
    ):
        hook = make_hook(settings, seller, receiver)
        receiver.mode = "error"
        first_two = [hook.emit(), hook.emit()]
        run_until_settled(traveller, hook)
        assert [delivery(d).status for d in first_two] == [DeliveryStatus.FAILED] * 2
        endpoint = hook.endpoint()
        assert endpoint.enabled and endpoint.failed_deliveries_in_a_row == 2
        assert endpoint.disabled_reason is None

        # The third gives up ~3 days from now; a fourth raised 30 h later is still being
        # retried then (its own three days end ~30 h after the third's).
        third = hook.emit()
        _advance(traveller, hook, utcnow() + timedelta(hours=30))
        queued = hook.emit()
        run_until_settled(traveller, hook)
        endpoint = hook.endpoint()
        assert delivery(third).status == DeliveryStatus.FAILED
        assert not endpoint.enabled
        assert endpoint.failed_deliveries_in_a_row == DISABLE_AFTER_FAILED_DELIVERIES
        assert "3 deliveries failed in a row" in endpoint.disabled_reason
        disabled_at = endpoint.updated_at
        assert delivery(third).finished_at == disabled_at
        # The delivery already queued is dropped: nothing reached the receiver after that.
        assert delivery(queued).status == DeliveryStatus.FAILED
        assert open_jobs(queued) == []
        queued_id = event_id_of(queued)
        after = [r for r in receiver.requests if r.webhook_id == queued_id]
        assert after and all(r.at < disabled_at for r in after)
        assert len(after) == delivery(queued).attempts

        shown = client.get(f"{API}/webhooks/{hook.endpoint_id}", headers=headers).get_json()
        assert shown["enabled"] is False
        assert shown["disabledReason"] == endpoint.disabled_reason
        assert shown["failedDeliveriesInARow"] == DISABLE_AFTER_FAILED_DELIVERIES

        # Later events are not sent to it at all.
        receiver.mode = "ok"
        count = len(receiver.requests)
        with write_transaction():
            assert webhook_events.emit(seller.id, "order.created", lambda: {"late": 1}) == 0
        traveller.shift(timedelta(hours=1))
        assert hook.run() == 0
        assert len(receiver.requests) == count

        # Enabled again by hand: the count and the notice are cleared and events flow.
        response = client.patch(
            f"{API}/webhooks/{hook.endpoint_id}", json={"enabled": True}, headers=headers
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert body["enabled"] is True and body["disabledReason"] is None
        assert body["failedDeliveriesInARow"] == 0
        again = hook.emit()
        assert hook.run() == 1
    assert delivery(again).status == DeliveryStatus.SUCCEEDED
    assert receiver.ids[-1] == event_id_of(again)


def test_a_success_in_between_resets_the_count_of_failed_deliveries(db, settings, factory):
    seller = factory.seller()
    with (
        receiving("ok") as receiver,
        time_machine.travel(travel_start(), tick=False) as traveller,
    ):
        hook = make_hook(settings, seller, receiver)
        receiver.mode = "error"
        hook.emit(), hook.emit()
        run_until_settled(traveller, hook)
        assert hook.endpoint().failed_deliveries_in_a_row == 2

        receiver.mode = "ok"
        success = hook.emit()
        assert hook.run() == 1
        assert delivery(success).status == DeliveryStatus.SUCCEEDED
        assert hook.endpoint().failed_deliveries_in_a_row == 0

        receiver.mode = "error"
        hook.emit(), hook.emit()
        run_until_settled(traveller, hook)
        endpoint = hook.endpoint()
        assert endpoint.enabled and endpoint.failed_deliveries_in_a_row == 2

        hook.emit()
        run_until_settled(traveller, hook)
        endpoint = hook.endpoint()
    assert not endpoint.enabled
    assert endpoint.failed_deliveries_in_a_row == 3


# --- resending by hand -------------------------------------------------------------------


def test_resending_a_failed_delivery_sends_the_same_event_again(db, settings, factory, client):
    seller = factory.seller()
    headers = admin_headers(factory.api_key(seller))
    with (
        receiving("error") as receiver,
        time_machine.travel(travel_start(), tick=False) as traveller,
    ):
        hook = make_hook(settings, seller, receiver)
        d = hook.emit("order.paid", {"orderId": 9})
        run_until_settled(traveller, hook)
        failed = delivery(d)
        assert failed.status == DeliveryStatus.FAILED
        n = failed.attempts
        first_body = receiver.requests[0].body

        traveller.shift(timedelta(days=2))
        receiver.mode = "ok"
        response = client.post(
            f"{API}/webhooks/deliveries/{public_number(d)}/resend", headers=headers
        )
        assert response.status_code == 202, response.get_data(as_text=True)
        out = response.get_json()
        assert out["id"] == public_number(d) and out["eventId"] == event_id_of(d)
        assert out["status"] == "pending" and out["attempts"] == n
        row = delivery(d)
        now = utcnow()
        assert row.window_started_at == now and row.next_attempt_at == now
        assert row.finished_at is None
        assert [j.dedupe_key for j in open_jobs(d)] == [job_key(d, n + 1)]
        assert open_jobs(d)[0].not_before == now

        assert hook.run() == 1
        assert hook.run() == 0
    row = delivery(d)
    assert (row.status, row.attempts) == (DeliveryStatus.SUCCEEDED, n + 1)
    assert [a.status_code for a in attempts(d)] == [500] * n + [200]
    resent = receiver.requests[-1]
    assert resent.webhook_id == event_id_of(d)  # receivers can de-duplicate by it
    assert resent.body == first_body and resent.verified
    assert len(receiver.requests) == n + 1


def test_a_resent_delivery_is_retried_within_its_fresh_three_day_window(
    db, settings, factory, client
):
    seller = factory.seller()
    headers = admin_headers(factory.api_key(seller))
    with (
        receiving("error") as receiver,
        time_machine.travel(travel_start(), tick=False) as traveller,
    ):
        hook = make_hook(settings, seller, receiver)
        d = hook.emit()
        run_until_settled(traveller, hook)
        n = delivery(d).attempts
        traveller.shift(timedelta(days=1))
        response = client.post(
            f"{API}/webhooks/deliveries/{public_number(d)}/resend", headers=headers
        )
        assert response.status_code == 202, response.get_data(as_text=True)
        resent_at = utcnow()
        assert hook.run() == 1  # the receiver still fails
        row = delivery(d)
        assert row.attempts == n + 1
        assert row.status == DeliveryStatus.PENDING, "given up at once after the resend"
        # The schedule starts again: 5 s after the resent attempt, and so on for 3 days.
        assert _within_jitter(row.next_attempt_at - resent_at, RETRY_DELAYS[0])
        assert [j.dedupe_key for j in open_jobs(d)] == [job_key(d, n + 2)]
        run_until_settled(traveller, hook)
        row = delivery(d)
        assert row.status == DeliveryStatus.FAILED
        assert row.attempts >= n + 11  # a whole new schedule of retries
        assert row.finished_at - resent_at <= GIVE_UP_AFTER
        log = attempts(d)
        assert [a.number for a in log] == list(range(1, row.attempts + 1))
        resent_log = [a for a in log if a.number > n]
        for i, (a, b) in enumerate(pairwise(resent_log)):
            assert _within_jitter(b.attempted_at - a.attempted_at, retry_delay(i + 1))
    assert {r.webhook_id for r in receiver.requests} == {event_id_of(d)}
    assert len(receiver.requests) == row.attempts


def test_resending_a_pending_delivery_is_refused_and_queues_nothing(db, settings, factory, client):
    seller = factory.seller()
    other = factory.seller()
    headers = admin_headers(factory.api_key(seller))
    with (
        receiving("error") as receiver,
        time_machine.travel(travel_start(), tick=False),
    ):
        hook = make_hook(settings, seller, receiver)
        d = hook.emit()
        assert hook.run() == 1
        before = [(j.id, j.dedupe_key) for j in jobs(d)]

        response = client.post(
            f"{API}/webhooks/deliveries/{public_number(d)}/resend", headers=headers
        )
        assert response.status_code == 409, response.get_data(as_text=True)
        assert "delivery_pending" in response.get_data(as_text=True)
        foreign = client.post(
            f"{API}/webhooks/deliveries/{public_number(d)}/resend",
            headers=admin_headers(factory.api_key(other)),
        )
        assert foreign.status_code == 404
    assert [(j.id, j.dedupe_key) for j in jobs(d)] == before
    assert [j.dedupe_key for j in open_jobs(d)] == [job_key(d, 2)]
    assert delivery(d).status == DeliveryStatus.PENDING and delivery(d).attempts == 1


# --- one attempt at a time, in order ---------------------------------------------------------


def test_two_workers_never_run_two_attempts_of_one_delivery_at_once(db, settings, factory):
    seller = factory.seller()
    with (
        receiving("ok", delay_s=0.03) as receiver,
        time_machine.travel(travel_start(), tick=False) as traveller,
    ):
        hook = make_hook(settings, seller, receiver)
        workers = [delivery_worker(settings), delivery_worker(settings)]
        receiver.mode = "error"
        deliveries = [hook.emit(data={"n": i}) for i in range(12)]

        def round_of_both() -> None:
            start = threading.Barrier(2)
            errors: list[BaseException] = []

            def work(worker: OutboxWorker) -> None:
                try:
                    start.wait(timeout=10)
                    drain(worker)
                except BaseException as error:  # noqa: BLE001 - reported below
                    errors.append(error)
                finally:
                    database.close()

            threads = [threading.Thread(target=work, args=(w,)) for w in workers]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
            assert not any(t.is_alive() for t in threads)
            assert errors == []

        for _ in range(4):
            round_of_both()
            # Every delivery has exactly one job waiting: its next attempt's.
            for d in deliveries:
                waiting = open_jobs(d)
                assert [j.dedupe_key for j in waiting] == [job_key(d, delivery(d).attempts + 1)]
            traveller.move_to(max(delivery(d).next_attempt_at for d in deliveries))
        receiver.mode = "ok"
        round_of_both()

    assert max(receiver.max_in_flight.values()) == 1
    for d in deliveries:
        row, log = delivery(d), attempts(d)
        assert (row.status, row.attempts) == (DeliveryStatus.SUCCEEDED, 5)
        assert [a.number for a in log] == [1, 2, 3, 4, 5]
        assert all(a.attempted_at < b.attempted_at for a, b in pairwise(log))
        assert [a.status_code for a in log] == [500, 500, 500, 500, 200]
        assert [j.dedupe_key for j in jobs(d)] == [job_key(d, i) for i in range(1, 6)]
        assert all(j.done_at is not None and j.attempts == 1 for j in jobs(d))
        event = event_id_of(d)
        assert receiver.ids.count(event) == 5


def test_a_job_run_again_after_its_attempt_was_recorded_sends_nothing(db, settings, factory):
    """A worker that loses its lease after recording the attempt (or a job run twice) must
    neither send nor record the attempt again."""
    seller = factory.seller()
    with (
        receiving("error") as receiver,
        time_machine.travel(travel_start(), tick=False),
    ):
        hook = make_hook(settings, seller, receiver)
        d = hook.emit()
        assert hook.run() == 1
        (first_job,) = [j for j in jobs(d) if j.dedupe_key == job_key(d, 1)]
        # The lease of a worker that died before marking the job done has run out.
        OutboxEntry.update(done_at=None, locked_until=None).where(
            OutboxEntry.id == first_job.id
        ).execute()
        assert hook.run() == 1
        assert webhook_delivery.record(d, 1, AttemptResult(200, 3), utcnow()) == "duplicate"
    assert len(receiver.requests) == 1
    assert [a.number for a in attempts(d)] == [1]
    assert delivery(d).status == DeliveryStatus.PENDING
    assert [j.dedupe_key for j in open_jobs(d)] == [job_key(d, 2)]


# --- private addresses at delivery time ------------------------------------------------------


@pytest.fixture
def private_client(db, settings):
    """The admin API of an installation that lets endpoints point at private addresses."""
    application = create_app(replace(settings, webhook_allow_private=True))
    application.config["TESTING"] = True
    yield application.test_client()
    database.close_all()


def test_an_endpoint_made_private_at_delivery_time_is_refused(
    db, settings, factory, private_client
):
    seller = factory.seller()
    headers = admin_headers(factory.api_key(seller))
    with (
        receiving("ok") as receiver,
        time_machine.travel(travel_start(), tick=False) as traveller,
    ):
        response = private_client.post(
            f"{API}/webhooks",
            json={"url": receiver.url, "eventTypes": ["order.created"]},
            headers=headers,
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        endpoint_id = response.get_json()["id"]
        # The worker runs with the installation's default: private addresses refused.
        strict = delivery_worker(settings, webhook_allow_private=False)
        assert drain(strict) == 1  # the creation ping
        (ping,) = WebhookDelivery.select().where(WebhookDelivery.endpoint == endpoint_id)
        (refused,) = attempts(ping.id)
        assert refused.status_code is None
        assert refused.error.startswith("refused: ")
        assert "127.0.0.1" in refused.error and "private" in refused.error
        assert delivery(ping.id).status == DeliveryStatus.PENDING  # retried, like any failure
        assert [j.dedupe_key for j in open_jobs(ping.id)] == [job_key(ping.id, 2)]
        traveller.move_to(delivery(ping.id).next_attempt_at)
        assert drain(strict) == 1
        assert [a.error.startswith("refused: ") for a in attempts(ping.id)] == [True, True]
    assert receiver.requests == []


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["10.0.0.7"],
        ["192.168.1.20"],
        ["169.254.169.254"],
        ["::1"],
        ["::ffff:127.0.0.1"],
        ["fd00:ec2::254"],
        [PUBLIC, "10.0.0.7"],
    ],
    ids=lambda a: "+".join(a),
)
def test_a_name_that_resolves_to_a_private_address_at_delivery_time_is_refused(
    db, settings, factory, addresses
):
    seller = factory.seller()
    with (
        receiving("ok") as receiver,
        time_machine.travel(travel_start(), tick=False),
    ):
        url = f"http://hooks.seller.test:{receiver.port}/hooks"
        # Public when the endpoint was made; private (or partly) now.
        created_with = EndpointPolicy(allow_private=False, resolver=lambda host, port: [PUBLIC])
        handler = webhook_handler(
            secret_box(settings),
            SenderSettings(timeout_s=1, allow_private=False, resolver=lambda h, p: addresses),
        )
        hook = make_hook(
            settings,
            seller,
            receiver,
            url=url,
            policy=created_with,
            worker=OutboxWorker({DELIVER_WEBHOOK: handler}),
            deliver_ping=False,
        )
        assert hook.run() == 1
        (refused,) = attempts(hook.ping_delivery_id)
    assert refused.status_code is None
    assert refused.error.startswith("refused: ") and "private" in refused.error
    assert delivery(hook.ping_delivery_id).status == DeliveryStatus.PENDING
    assert receiver.requests == []


def test_the_request_goes_to_the_address_that_was_checked(db, settings, factory):
    seller = factory.seller()
    with (
        receiving("ok") as receiver,
        time_machine.travel(travel_start(), tick=False),
    ):
        # "localhost" stands for a rebinding name: public to the check, loopback on connect.
        public_to_the_check = EndpointPolicy(allow_private=False, resolver=lambda h, p: [PUBLIC])
        handler = webhook_handler(
            secret_box(settings),
            SenderSettings(timeout_s=1, allow_private=False, resolver=lambda h, p: [PUBLIC]),
        )
        hook = make_hook(
            settings,
            seller,
            receiver,
            url=f"http://localhost:{receiver.port}/hooks",
            policy=public_to_the_check,
            worker=OutboxWorker({DELIVER_WEBHOOK: handler}),
            deliver_ping=False,
        )
        hook.run()
    assert receiver.requests == [], "the request reached 127.0.0.1 after checking " + PUBLIC


def test_receiver_helper_reports_what_it_saw():
    """The receiver itself: modes, down/up on the same port, and the in-flight count."""
    import requests

    with Receiver("error") as receiver:
        assert requests.post(receiver.url, data=b"{}", timeout=5).status_code == 500
        receiver.down()
        with pytest.raises(requests.ConnectionError):
            requests.post(receiver.url, data=b"{}", timeout=5)
        receiver.up()
        receiver.mode = "redirect"
        answer = requests.post(receiver.url, data=b"{}", timeout=5, allow_redirects=False)
        assert answer.status_code == 302 and answer.headers["Location"] == "/moved"
        assert [r.path for r in receiver.requests] == ["/hooks", "/hooks"]
        # The handler counts a request done just after its answer is on the wire.
        assert receiver.wait_idle() == 0
