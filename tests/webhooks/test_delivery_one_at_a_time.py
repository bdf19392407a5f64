"""Webhook delivery attempts run one at a time and in order, and the address checked at
delivery time is the one the request goes to (no private destination slips through)."""

from __future__ import annotations

import threading
from dataclasses import replace
from itertools import pairwise

import pytest
import time_machine

from config.shops import secret_box
from config.wsgi import create_app
from sync.outbox_worker import OutboxWorker
from sync.webhook_sender import SenderSettings, webhook_handler
from tests.webhooks.delivery_support import (
    API,
    PUBLIC,
    Receiver,
    admin_headers,
    attempts,
    delivery,
    delivery_worker,
    drain,
    event_id_of,
    job_key,
    jobs,
    make_hook,
    open_jobs,
    receiving,
    travel_start,
)
from tp_api.db import database, utcnow
from tp_api.models import DeliveryStatus, OutboxEntry, WebhookDelivery
from tp_api.services.webhooks import webhook_delivery
from tp_api.services.webhooks.webhook_delivery import (
    AttemptResult,
)
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy
from tp_api.services.webhooks.webhook_events import DELIVER_WEBHOOK

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

        for _ in range(4):
            _drain_both_at_once(workers)
            # Every delivery has exactly one job waiting: its next attempt's.
            for d in deliveries:
                waiting = open_jobs(d)
                assert [j.dedupe_key for j in waiting] == [job_key(d, delivery(d).attempts + 1)]
            traveller.move_to(max(delivery(d).next_attempt_at for d in deliveries))
        receiver.mode = "ok"
        _drain_both_at_once(workers)

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


def _drain_both_at_once(workers: list[OutboxWorker]) -> None:
    """Both workers drain the outbox at the same moment, each on its own thread."""
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
