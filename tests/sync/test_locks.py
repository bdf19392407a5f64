"""One run of a shop's job at a time, on both databases."""

from __future__ import annotations

import threading

from sync.locks import job_lock
from tp_api.db import database


def test_a_held_lock_is_not_taken_twice(db, tmp_path):
    held = threading.Event()
    release = threading.Event()
    results = []

    def holder():
        with database.connection_context(), job_lock("tp:orders:1", str(tmp_path)) as got:
            results.append(("holder", got))
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    with database.connection_context(), job_lock("tp:orders:1", str(tmp_path)) as got:
        results.append(("second", got))
    with database.connection_context(), job_lock("tp:orders:2", str(tmp_path)) as got:
        results.append(("other shop", got))
    release.set()
    thread.join(10)
    with database.connection_context(), job_lock("tp:orders:1", str(tmp_path)) as got:
        results.append(("after", got))
    assert results == [("holder", True), ("second", False), ("other shop", True), ("after", True)]
