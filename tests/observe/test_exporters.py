"""The outbox worker's and the sync daemon's metrics: a textfile for node_exporter (or a port
of their own), with the database's figures and the process's own counts."""

from __future__ import annotations

import os

from tests.e2e.serve import cli
from tests.observe.metrics_text import Scrape
from tp_api.db import write_transaction
from tp_api.services.delivery import outbox
from tp_api.services.delivery.outbox import DELIVER_TICKETS


def test_the_worker_writes_its_metrics_to_a_textfile(db, db_url, tmp_path):
    with write_transaction():
        # A job of an order that does not exist: the worker gives it up at once.
        outbox.enqueue(DELIVER_TICKETS, {"order_id": 999, "event_id": 999})
    env = {**os.environ, "TP_DATABASE_URL": db_url, "TP_SECRET_KEY": "s" * 48}
    path = tmp_path / "textfile" / "tp_worker.prom"
    path.parent.mkdir()
    cli(env, "outbox", "work", "--once", "--metrics-textfile", str(path))
    figures = Scrape.parse(path.read_text())
    assert figures.value("tp_outbox_jobs_total", kind=DELIVER_TICKETS, result="failed") == 1
    assert figures.value("tp_database_figures_up") == 1
    # Read after the job was given up: nothing is pending any more.
    assert figures.value("tp_outbox_depth", kind=DELIVER_TICKETS) == 0
