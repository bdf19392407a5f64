"""`tp-bridge outbox work` opens enough database connections for all its worker threads.

Found by the fleet test (tests/e2e/test_fleet.py): the command opened a pool of 4 for its 5
threads (ticket e-mails plus TP_WEBHOOK_WORKERS=4), so a thread's claim failed with
"Exceeded maximum connections" whenever the others were busy.
"""

from __future__ import annotations

import threading

from config.workers import outbox_worker, worker_connections
from sync.outbox_worker import OutboxWorker, OutboxWorkers
from tp_api.db import connect, write_transaction
from tp_api.models import OutboxEntry
from tp_api.services.delivery import outbox


def test_every_worker_thread_holds_a_connection_at_the_same_time(db, db_url, settings):
    threads = len(outbox_worker(settings).workers)
    pool = connect(db_url, max_connections=worker_connections(settings))
    with write_transaction():
        for n in range(threads):
            outbox.enqueue("pool_probe", {}, dedupe_key=f"probe-{n}")
    # Each job waits inside its worker (so inside its connection) until all are running.
    together = threading.Barrier(threads, timeout=20)
    workers = OutboxWorkers(
        [OutboxWorker({"pool_probe": lambda job: together.wait()}) for _ in range(threads)]
    )
    stop = threading.Event()
    runner = threading.Thread(target=workers.run, args=(stop,), daemon=True)
    runner.start()
    try:
        for _ in range(600):
            with pool.connection_context():
                if not OutboxEntry.select().where(OutboxEntry.done_at.is_null()).exists():
                    break
            stop.wait(0.05)
    finally:
        stop.set()
        runner.join(timeout=30)
        pool.close_all()
    assert workers.stats == {"done": threads, "retry": 0, "failed": 0}
