"""Two daemons side by side run a shop's interval jobs once per interval, not once each.

Found by the fleet test (tests/e2e/test_fleet.py): the shop lock keeps two runs apart, but
two daemons firing at different moments of the same interval each took it in turn.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bridge.adapters.woocommerce import WooClient
from bridge.adapters.woocommerce_shop import WooCommerceShop
from sync.daemon import SyncDaemon
from sync.jobs import pull_orders, push_stock
from sync.shop_handlers import ShopJobs
from tests.fake_woo import FakeWoo
from tp_api.db import utcnow
from tp_api.models import SyncRun

EVERY = 300


@pytest.fixture
def woo():
    with FakeWoo() as fake:
        yield fake


def _daemon(woo: FakeWoo, tmp_path) -> SyncDaemon:
    client = WooCommerceShop(WooClient(woo.url, "ck_test", "cs_test", sleep=lambda s: None))
    jobs = ShopJobs(
        pull_orders=lambda s: pull_orders(s, client),
        push_stock=lambda s: push_stock(s, client),
        reconcile=lambda s: None,
    )
    return SyncDaemon(jobs, None, lock_dir=str(tmp_path / "locks"))


def _runs(kind: str) -> int:
    return SyncRun.select().where(SyncRun.kind == kind).count()


def test_the_second_daemon_skips_a_pull_the_first_ran_this_interval(
    factory, woo, tmp_path, time_machine
):
    _, shop, _ = factory.shop(url=woo.url, secret="interval-secret")
    first, second = _daemon(woo, tmp_path), _daemon(woo, tmp_path)
    time_machine.move_to(utcnow(), tick=False)
    first._run("orders", first.jobs.pull_orders, shop.id, EVERY)
    time_machine.shift(timedelta(seconds=EVERY / 3))
    second._run("orders", second.jobs.pull_orders, shop.id, EVERY)
    first._run("orders", first.jobs.pull_orders, shop.id, EVERY)
    assert _runs("orders") == 1
    # One interval after the run (the first daemon gone, say), the second one runs it.
    time_machine.shift(timedelta(seconds=EVERY * 2 / 3))
    second._run("orders", second.jobs.pull_orders, shop.id, EVERY)
    assert _runs("orders") == 2


def test_a_run_slightly_early_in_the_next_interval_still_runs(factory, woo, tmp_path, time_machine):
    _, shop, _ = factory.shop(url=woo.url, secret="interval-secret")
    daemon = _daemon(woo, tmp_path)
    time_machine.move_to(utcnow(), tick=False)
    daemon._run("orders", daemon.jobs.pull_orders, shop.id, EVERY)
    # The scheduler's jitter: the next firing a little before a whole interval has passed.
    time_machine.shift(timedelta(seconds=EVERY - 5))
    daemon._run("orders", daemon.jobs.pull_orders, shop.id, EVERY)
    assert _runs("orders") == 2


def test_a_push_on_a_sale_is_not_held_to_the_interval(factory, woo, tmp_path):
    _, shop, _ = factory.shop(url=woo.url, secret="interval-secret")
    woo.products[93] = {"id": 93, "manage_stock": True, "stock_quantity": 0}
    daemon = _daemon(woo, tmp_path)
    daemon._run("stock", daemon.jobs.push_stock, shop.id, EVERY)
    # The stock watch's push (no interval): it runs although a push ran a moment ago.
    daemon._run("stock", daemon.jobs.push_stock, shop.id)
    assert _runs("stock") == 2
