"""The outbox worker: claims due jobs, runs their handler, and records the outcome.

A handler that raises is retried later with backoff (tp_api.services.delivery.outbox.retry_later);
one that raises PermanentError is given up at once with its reason. A job is marked done
only after its handler returned, so nothing is lost if the worker dies mid-job: the claim's
lease runs out and another worker takes it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from tp_api.db import database
from tp_api.metrics import metrics
from tp_api.models import OutboxEntry
from tp_api.services.delivery import outbox

log = logging.getLogger(__name__)

Handler = Callable[[OutboxEntry], None]


@dataclass
class OutboxWorker:
    """Runs outbox jobs of the kinds it has handlers for."""

    handlers: Mapping[str, Handler]
    # One job per claim: a claim's lease covers only the job being run, so a slow job never
    # lets the lease of the jobs queued behind it run out (and another worker repeat them).
    batch_size: int = 1
    idle_sleep_s: float = 1.0
    lease: timedelta = outbox.DEFAULT_LEASE
    stats: dict[str, int] = field(default_factory=lambda: {"done": 0, "retry": 0, "failed": 0})

    def run_once(self) -> int:
        """Claim and run one batch. Returns how many jobs were run."""
        with database.connection_context():
            jobs = outbox.claim(list(self.handlers), limit=self.batch_size, lease=self.lease)
            for job in jobs:
                self._run(job)
        return len(jobs)

    def run(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set; sleeps only while there is nothing to do."""
        while not stop.is_set():
            try:
                worked = self.run_once()
            except Exception:  # noqa: BLE001 - a database hiccup must not end the worker
                log.exception("outbox: claiming jobs failed; trying again")
                worked = 0
            if not worked:
                stop.wait(self.idle_sleep_s)

    def _run(self, job: OutboxEntry) -> None:
        handler = self.handlers[job.kind]
        try:
            handler(job)
        except outbox.PermanentError as error:
            outbox.fail(job, str(error))
            self._count(job, "failed")
            log.error("outbox: job %s (%s) failed for good: %s", job.id, job.kind, error)
            return
        except Exception as error:  # noqa: BLE001 - every failure is retried, none is lost
            next_run = outbox.retry_later(job, f"{type(error).__name__}: {error}")
            self._count(job, "retry" if next_run else "failed")
            log.warning(
                "outbox: job %s (%s) attempt %d failed (%s); next try %s",
                job.id,
                job.kind,
                job.attempts,
                error,
                next_run.isoformat() if next_run else "never",
            )
            return
        if not outbox.complete(job):
            log.warning("outbox: job %s (%s) finished after its lease ran out", job.id, job.kind)
        self._count(job, "done")
        log.info("outbox: job %s (%s) done", job.id, job.kind)

    def _count(self, job: OutboxEntry, result: str) -> None:
        self.stats[result] += 1
        metrics().outbox_jobs.labels(job.kind, result).inc()


@dataclass
class OutboxWorkers:
    """Several workers run side by side, each in its own thread with its own database
    connection: webhook deliveries get workers of their own, so a receiver that takes its
    time never holds up ticket e-mails (or the other deliveries)."""

    workers: list[OutboxWorker]

    def run_once(self) -> int:
        """One batch of each worker, one after the other. Returns how many jobs ran."""
        return sum(worker.run_once() for worker in self.workers)

    def run(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set; returns when every worker finished its current job."""
        threads = [
            threading.Thread(target=worker.run, args=(stop,), name=f"outbox-{n}", daemon=True)
            for n, worker in enumerate(self.workers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    @property
    def stats(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for worker in self.workers:
            for key, value in worker.stats.items():
                totals[key] = totals.get(key, 0) + value
        return totals
