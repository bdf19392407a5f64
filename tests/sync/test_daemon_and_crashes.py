"""The daemon end to end, and a sync killed with SIGKILL at random moments."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from bridge.adapters.woocommerce import WooClient
from bridge.adapters.woocommerce_shop import WooCommerceShop
from sync.daemon import SyncDaemon
from sync.jobs import pull_orders, push_stock
from sync.shop_handlers import ShopJobs
from tests.fake_woo import EPOCH, FakeWoo, woo_order
from tp_api.models import Order, OrderStatus, ShopOrder, Ticket, TicketStatus, TicketType

SECRET = "crash-test-secret-that-is-long-enough-0123456789"
TP_BRIDGE = str(Path(sys.executable).with_name("tp-bridge"))


@pytest.fixture
def woo():
    with FakeWoo() as fake:
        yield fake


def _shop(factory, woo, stock):
    _, shop, ticket_type = factory.shop(url=woo.url, stock=stock, secret=SECRET, seller="Crash BV")
    return shop, ticket_type


def test_the_daemon_syncs_and_stops_gracefully(factory, woo, tmp_path):
    shop, ticket_type = _shop(factory, woo, 100)
    woo.products[93] = {"id": 93, "manage_stock": True, "stock_quantity": 100}
    for i in range(1, 21):
        woo.put(woo_order(i))
    client = WooCommerceShop(WooClient(woo.url, "ck_test", "cs_test", sleep=lambda s: None))
    jobs = ShopJobs(
        pull_orders=lambda s: pull_orders(s, client),
        push_stock=lambda s: push_stock(s, client),
        reconcile=lambda s: None,
    )
    daemon = SyncDaemon(jobs, None, lock_dir=str(tmp_path / "locks"))
    daemon.start()
    try:
        deadline = time.monotonic() + 20
        while Order.select().count() < 20 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        daemon.stop()
    assert Order.select().count() == 20
    assert not daemon.scheduler.running


def _expected(order_id: int) -> str:
    if order_id % 10 == 0:
        return "cancelled"
    if order_id % 7 == 0:
        return "on-hold"
    return "processing"


@pytest.mark.slow
def test_killed_at_random_moments_ends_like_a_clean_run(factory, woo, db_url, tmp_path):
    orders = 2000
    shop, ticket_type = _shop(factory, woo, orders)
    # The mapped product exists in the shop: a clean run exits 0 (a failed push exits 1).
    woo.products[93] = {"id": 93, "manage_stock": True, "stock_quantity": 0}
    for i in range(1, orders + 1):
        woo.put(woo_order(i, status=_expected(i), modified=EPOCH + timedelta(seconds=i // 4)))
    env = {
        **os.environ,
        "TP_DATABASE_URL": db_url,
        "TP_SECRET_KEY": SECRET,
        "TP_FILES_DIR": str(tmp_path / "files"),
        "TP_LOG_LEVEL": "WARNING",
    }
    command = [TP_BRIDGE, "sync", "run", "--shop", "main"]
    rng = random.Random(20261126)
    kills = 0
    for _ in range(4):
        proc = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(1.0, 4.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=30)
    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert kills >= 1, "the sync finished before it could be killed: make the run longer"

    ids = range(1, orders + 1)
    paid = [i for i in ids if _expected(i) == "processing"]
    held = [i for i in ids if _expected(i) == "on-hold"]
    assert ShopOrder.select().count() == orders
    assert Order.select().count() == len(paid) + len(held)
    assert Order.select().where(Order.status == OrderStatus.PROCESSING).count() == len(paid)
    assert Ticket.select().count() == len(paid)
    assert Ticket.select().where(Ticket.status != TicketStatus.CREATED).count() == 0
    fresh = TicketType.get_by_id(ticket_type.id)
    assert (fresh.sold, fresh.reserved) == (len(paid), len(held))


def test_the_daemon_pushes_stock_soon_after_a_sale(factory, woo, tmp_path, monkeypatch):
    import sync.daemon as daemon_module

    monkeypatch.setattr(daemon_module, "STOCK_WATCH_S", 1)
    shop, ticket_type = _shop(factory, woo, 100)
    woo.products[93] = {"id": 93, "manage_stock": True, "stock_quantity": 100}
    client = WooCommerceShop(WooClient(woo.url, "ck_test", "cs_test", sleep=lambda s: None))
    jobs = ShopJobs(
        pull_orders=lambda s: None,
        push_stock=lambda s: push_stock(s, client),
        reconcile=lambda s: None,
    )
    daemon = SyncDaemon(jobs, None, lock_dir=str(tmp_path / "locks"))
    daemon.start()
    try:
        time.sleep(1.5)  # first look: fingerprint taken, stock pushed (100 -> 100: no write)
        factory.order(factory.sellers[0], ticket_type, quantity=4)
        deadline = time.monotonic() + 10
        while woo.products[93]["stock_quantity"] != 96 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        daemon.stop()
    assert woo.products[93]["stock_quantity"] == 96
