"""The outbox lease from TP_OUTBOX_LEASE_SECONDS: how soon a killed worker's job is retaken."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from config.workers import outbox_worker
from sync.outbox_worker import OutboxWorker
from tp_api.db import utcnow, write_transaction
from tp_api.models import OutboxEntry
from tp_api.services.delivery import outbox


def test_every_worker_of_the_installation_claims_for_the_configured_lease(db, settings):
    workers = outbox_worker(dataclasses.replace(settings, outbox_lease_s=20))
    assert {w.lease for w in workers.workers} == {timedelta(seconds=20)}


def test_a_job_whose_worker_died_is_taken_again_once_the_lease_ran_out(db, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    with write_transaction():
        outbox.enqueue("fleet_probe", {}, dedupe_key="probe")
    ran: list[int] = []
    lease = timedelta(seconds=20)
    # A worker that claimed the job and died before finishing it: only its claim remains.
    (claimed,) = outbox.claim(["fleet_probe"], lease=lease)
    survivor = OutboxWorker({"fleet_probe": lambda job: ran.append(job.id)}, lease=lease)
    time_machine.shift(timedelta(seconds=19))
    assert survivor.run_once() == 0
    time_machine.shift(timedelta(seconds=2))
    assert survivor.run_once() == 1
    assert ran == [claimed.id]
    assert OutboxEntry.get_by_id(claimed.id).attempts == 2
