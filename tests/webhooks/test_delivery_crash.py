"""Webhook delivery with real processes: `tp-bridge outbox work` killed with SIGKILL in the
middle of its batch and restarted loses no event, and repeats (with the same ``webhook-id``)
only what was in flight; `tp-bridge serve --outbox-worker` delivers and stops its worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from standardwebhooks import Webhook

from config.settings import Settings
from tests.webhooks.delivery_receiver import Received, Receiver
from tests.webhooks.delivery_support import (
    Hook,
    admin_headers,
    make_hook,
    receiving,
)
from tp_api.db import utcnow
from tp_api.models import DeliveryStatus, OutboxEntry, WebhookAttempt, WebhookDelivery
from tp_api.services.webhooks import webhook_events

pytestmark = pytest.mark.slow
TP_BRIDGE = str(Path(sys.executable).with_name("tp-bridge"))
EVENTS = 60


def _env(settings: Any, db_url: str, tmp_path: Path) -> dict[str, str]:
    """What `tp-bridge outbox work` / `serve` need: the database, a production-grade secret
    (the test one), loopback receivers allowed; no TP_* setting leaks in from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TP_")}
    env.update(
        TP_DATABASE_URL=db_url,
        TP_SECRET_KEY=settings.secret_key,
        TP_WEBHOOK_ALLOW_PRIVATE="1",
        TP_WEBHOOK_TIMEOUT_SECONDS="5",
        TP_FILES_DIR=str(tmp_path / "files"),
        TP_LOG_LEVEL="INFO",
        PYTHONFAULTHANDLER="1",  # SIGABRT dumps every thread's stack (see _wait)
    )
    return env


def _wait(
    condition: Any,
    timeout_s: float,
    what: str,
    *,
    log: Path | None = None,
    proc: subprocess.Popen[bytes] | None = None,
) -> None:
    """Poll ``condition`` until it holds; on timeout fail with the process's log, after
    making a still-running process dump its threads' stacks there (faulthandler)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGABRT)
                proc.wait(timeout=30)
            tail = log.read_text()[-5000:] if log is not None and log.exists() else ""
            state = "" if proc is None else f" (process exit status {proc.returncode})"
            pytest.fail(f"timed out waiting for {what}{state}\n{tail}")
        time.sleep(0.02)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)


def _claimed_not_done() -> int:
    """Jobs a worker holds (claimed, lease running) and has not finished."""
    return (
        OutboxEntry.select()
        .where(
            OutboxEntry.kind == webhook_events.DELIVER_WEBHOOK,
            OutboxEntry.done_at.is_null(),
            OutboxEntry.failed_at.is_null(),
            OutboxEntry.locked_until > utcnow(),
        )
        .count()
    )


def test_a_worker_killed_mid_batch_loses_no_event_and_repeats_only_what_was_in_flight(
    db, db_url, settings, factory, tmp_path
):
    workers = _Workers(_env(settings, db_url, tmp_path), tmp_path)
    seller = factory.seller()
    # A receiver that takes 80 ms per request: the worker spends most of its time waiting
    # for it, so a kill usually lands while a request is in flight.
    with receiving("ok", delay_s=0.08) as receiver:
        hook = make_hook(settings, seller, receiver, event_types=["order.created"])
        for i in range(EVENTS):
            hook.emit("order.created", {"n": i})
        expected = set(hook.events)
        assert len(expected) == EVENTS
        try:
            # (requests seen at the kill, jobs in flight)
            kills = [_kill_mid_request(workers, receiver, cut) for cut in (15, 35)]
            final = workers.start()
            _wait(
                lambda: _all_succeeded(hook.endpoint_id),
                120,
                "every delivery to succeed",
                log=workers.logs[-1],
                proc=final,
            )
            final.send_signal(signal.SIGTERM)  # a clean stop: the current job finishes
            assert final.wait(timeout=30) == 0, workers.logs[-1].read_text()[-3000:]
            assert '"failed": 0' in workers.logs[-1].read_text()  # the stats it prints
        finally:
            workers.stop_all()
    _check_each_event_arrived_once_but_the_killed_ones(hook, receiver.requests, expected, kills)


class _Workers:
    """``tp-bridge outbox work`` processes, each with its own log."""

    def __init__(self, env: dict[str, str], tmp_path: Path) -> None:
        self.env, self.tmp_path = env, tmp_path
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = self.tmp_path / f"worker-{len(self.procs)}.log"
        self.logs.append(log)
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [TP_BRIDGE, "outbox", "work"], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.procs:
            _stop(proc)


def _kill_mid_request(workers: _Workers, receiver: Receiver, cut: int) -> tuple[int, int]:
    """Start a worker, SIGKILL it once ``cut`` requests arrived with one in flight, and free
    its claims; (requests seen at the kill, jobs it had in flight)."""
    proc = workers.start()
    _wait(
        lambda: len(receiver.requests) >= cut and receiver.in_flight > 0,
        60,
        f"{cut} deliveries with one in flight",
        log=workers.logs[-1],
        proc=proc,
    )
    assert proc.poll() is None, workers.logs[-1].read_text()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    seen = len(receiver.requests)
    assert seen < EVENTS, "the worker finished before it was killed: add events"
    in_flight = _claimed_not_done()
    # one job per claim in each webhook worker thread
    assert in_flight <= Settings().webhook_workers
    # The killed worker's claim would hold its job for the outbox lease
    # (delivery.outbox.DEFAULT_LEASE, 5 minutes) before another worker may take it. Rather
    # than wait that long, expire the leases here, as if the five minutes had passed.
    OutboxEntry.update(locked_until=utcnow() - timedelta(seconds=1)).where(
        OutboxEntry.done_at.is_null(), OutboxEntry.locked_until.is_null(False)
    ).execute()
    return seen, in_flight


def _all_succeeded(endpoint_id: int) -> bool:
    unfinished = WebhookDelivery.select().where(
        WebhookDelivery.endpoint == endpoint_id,
        WebhookDelivery.status != DeliveryStatus.SUCCEEDED,
    )
    return unfinished.count() == 0


def _check_each_event_arrived_once_but_the_killed_ones(
    hook: Hook, seen: list[Received], expected: set[str], kills: list[tuple[int, int]]
) -> None:
    counts = Counter(r.webhook_id for r in seen)
    assert set(counts) == expected  # every event arrived, and nothing else did
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= sum(in_flight for _, in_flight in kills), (kills, counts)
    # Each kill landed while the receiver held a request: that attempt was never recorded,
    # so it is sent again. Without any repeat this test did not test the crash at all.
    assert duplicates >= 1, kills
    for webhook_id in (i for i, n in counts.items() if n > 1):
        # A repeat is the same event: same id, same bytes, still correctly signed.
        repeats = [r for r in seen if r.webhook_id == webhook_id]
        assert len({r.body for r in repeats}) == 1
    assert all(r.verified for r in seen)
    rows = list(WebhookDelivery.select().where(WebhookDelivery.endpoint == hook.endpoint_id))
    assert len(rows) == EVENTS + 1  # and the creation ping
    assert all(r.status == DeliveryStatus.SUCCEEDED and r.attempts == 1 for r in rows)
    attempts_made = (
        WebhookAttempt.select()
        .join(WebhookDelivery)
        .where(WebhookDelivery.endpoint == hook.endpoint_id)
    )
    assert attempts_made.count() == EVENTS + 1
    open_jobs = OutboxEntry.select().where(
        OutboxEntry.kind == webhook_events.DELIVER_WEBHOOK, OutboxEntry.done_at.is_null()
    )
    assert open_jobs.count() == 0


def _live(base: str) -> bool:
    try:
        return requests.get(f"{base}/livez", timeout=1).ok
    except (requests.ConnectionError, requests.Timeout):  # not up, or slow
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _outbox_child(pid: int) -> int | None:
    for child in _children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"outbox" in cmdline and b"work" in cmdline:
            return child
    return None


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


def test_serve_with_outbox_worker_delivers_webhooks_and_stops_its_worker(
    db, db_url, settings, factory, tmp_path
):
    seller = factory.seller()
    key = factory.api_key(seller)
    env = _env(settings, db_url, tmp_path)
    port = _free_port()
    log = tmp_path / "serve.log"
    receiver: Receiver
    with receiving("ok") as receiver, log.open("wb") as out:
        proc = subprocess.Popen(
            [TP_BRIDGE, "serve", "--port", str(port), "--workers", "1", "--outbox-worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        worker_pid: int | None = None
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(lambda: _live(base), 30, "the server to start", log=log, proc=proc)
            _wait(lambda: _outbox_child(proc.pid) is not None, 30, "the outbox worker", log=log)
            worker_pid = _outbox_child(proc.pid)

            created = requests.post(
                f"{base}/api/v1/webhooks",
                json={"url": receiver.url, "eventTypes": ["order.created"]},
                headers=admin_headers(key),
                timeout=10,
            )
            assert created.status_code == 201, created.text
            secret = created.json()["secret"]
            _wait(lambda: len(receiver.requests) >= 1, 30, "the ping", log=log)
            (ping,) = receiver.requests
            payload = Webhook(secret).verify(ping.body, ping.headers)
            assert payload["type"] == "webhook.ping"
            assert payload["data"]["endpointId"] == created.json()["id"]

            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
            assert worker_pid is not None
            _wait(lambda: _gone(worker_pid), 30, "the outbox worker to stop with the server")
        finally:
            if worker_pid is not None and not _gone(worker_pid):
                os.kill(worker_pid, signal.SIGKILL)
            _stop(proc)
