"""Webhook deliveries given up after three days, endpoints switched off after three failed
deliveries in a row (and back on), and resending by hand, each within a fresh window."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import time_machine

from tests.webhooks.delivery_receiver import Receiver
from tests.webhooks.delivery_support import (
    API,
    Hook,
    admin_headers,
    advance,
    attempts,
    delivery,
    event_id_of,
    job_key,
    jobs,
    make_hook,
    open_jobs,
    public_number,
    receiving,
    run_until_settled,
    travel_start,
    within_jitter,
)
from tp_api.db import utcnow, write_transaction
from tp_api.models import DeliveryStatus
from tp_api.services.webhooks import webhook_events
from tp_api.services.webhooks.webhook_delivery import (
    DISABLE_AFTER_FAILED_DELIVERIES,
    GIVE_UP_AFTER,
    RETRY_DELAYS,
    retry_delay,
)

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
        assert (endpoint.enabled, endpoint.failed_deliveries_in_a_row) == (True, 2)
        assert endpoint.disabled_reason is None

        # The third gives up ~3 days from now; a fourth raised 30 h later is still being
        # retried then (its own three days end ~30 h after the third's).
        third = hook.emit()
        advance(traveller, hook, utcnow() + timedelta(hours=30))
        queued = hook.emit()
        run_until_settled(traveller, hook)
        endpoint = hook.endpoint()
        assert (delivery(third).status, endpoint.enabled) == (DeliveryStatus.FAILED, False)
        assert endpoint.failed_deliveries_in_a_row == DISABLE_AFTER_FAILED_DELIVERIES
        assert "3 deliveries failed in a row" in endpoint.disabled_reason
        assert delivery(third).finished_at == endpoint.updated_at
        _check_dropped_when_disabled(queued, receiver, endpoint.updated_at)

        shown = client.get(f"{API}/webhooks/{hook.endpoint_id}", headers=headers).get_json()
        assert (shown["enabled"], shown["disabledReason"]) == (False, endpoint.disabled_reason)
        assert shown["failedDeliveriesInARow"] == DISABLE_AFTER_FAILED_DELIVERIES

        # Later events are not sent to it at all.
        receiver.mode = "ok"
        count = len(receiver.requests)
        with write_transaction():
            assert webhook_events.emit(seller.id, "order.created", lambda: {"late": 1}) == 0
        traveller.shift(timedelta(hours=1))
        assert (hook.run(), len(receiver.requests)) == (0, count)

        again = _enable_by_hand(client, headers, hook)
    assert delivery(again).status == DeliveryStatus.SUCCEEDED
    assert receiver.ids[-1] == event_id_of(again)


def _enable_by_hand(client, headers: dict[str, str], hook: Hook) -> int:
    """Enable the endpoint again: the count and the notice are cleared and events flow;
    the delivery of a new event, sent at once."""
    response = client.patch(
        f"{API}/webhooks/{hook.endpoint_id}", json={"enabled": True}, headers=headers
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["enabled"] is True and body["disabledReason"] is None
    assert body["failedDeliveriesInARow"] == 0
    again = hook.emit()
    assert hook.run() == 1
    return again


def _check_dropped_when_disabled(queued: int, receiver: Receiver, disabled_at) -> None:
    """The delivery already queued is dropped: nothing reached the receiver after that."""
    assert delivery(queued).status == DeliveryStatus.FAILED
    assert open_jobs(queued) == []
    queued_id = event_id_of(queued)
    after = [r for r in receiver.requests if r.webhook_id == queued_id]
    assert after and all(r.at < disabled_at for r in after)
    assert len(after) == delivery(queued).attempts


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
        assert within_jitter(row.next_attempt_at - resent_at, RETRY_DELAYS[0])
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
            assert within_jitter(b.attempted_at - a.attempted_at, retry_delay(i + 1))
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
