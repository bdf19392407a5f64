"""Issue 20, proven together: two service instances, two sync daemons and two outbox workers
on one PostgreSQL database and one Redis, under load, one of each killed with SIGKILL and
started again; then nothing oversold, lost or done twice (tests/e2e/fleet.py)."""

from __future__ import annotations

import os

import pytest

from tests.e2e.fleet import KINDS, TEST_PLAN, Fleet, run, scratch_database
from tests.e2e.serve import redis_up

pytestmark = pytest.mark.slow
POSTGRES_URL = os.environ.get("TP_TEST_POSTGRES_URL", "")


@pytest.fixture
def fleet(tmp_path):
    if not POSTGRES_URL:
        pytest.skip("the fleet needs PostgreSQL: set TP_TEST_POSTGRES_URL")
    if not redis_up():
        pytest.skip("the fleet needs Redis on 127.0.0.1:6379")
    # A database of its own next to the suite's (never the suite's schema), dropped after.
    db_url, drop = scratch_database(POSTGRES_URL)
    try:
        with Fleet(TEST_PLAN, db_url, tmp_path) as running:
            yield running
    finally:
        drop()


def test_a_fleet_killed_one_of_each_kind_loses_and_doubles_nothing(fleet):
    report = run(fleet)
    broken = {check: found[:10] for check, found in report.problems.items() if found}
    assert not broken, broken
    # The run did what it claims: each kind was killed and came back, the stock sold out
    # (and was asked for beyond it), and every path carried traffic.
    assert set(report.recovery_s) == set(KINDS)
    counts = report.counts
    assert counts["sold_out_answers"] > 0
    assert counts["orders"] > 0 and counts["personalised"] > 0
    assert counts["scans"].get("admitted", 0) > 0
    assert counts["scans"].get("already_checked_in", 0) > 0
    assert counts["shop_orders"] > 0 and counts["emails"] > 0 and counts["webhooks"] > 0
