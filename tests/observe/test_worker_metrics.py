"""What the outbox worker and the sync jobs count: e-mails sent and failed, outbox jobs by
kind and result, webhook deliveries by result, sync runs by shop and result with their
duration. Real parts: aiosmtpd, a loopback webhook receiver, the fake WooCommerce."""

from __future__ import annotations

import time_machine

from sync.jobs import pull_orders
from tests.fake_woo import fail_times, woo_order
from tests.observe.metrics_text import scrape
from tests.sync.test_mail_refusals import _personalised_order, smtp_replying, worker_for  # noqa: F401
from tests.sync.test_sync_jobs import setup, woo  # noqa: F401 - fixtures reused
from tests.webhooks.delivery_support import make_hook, receiving, travel_start
from tp_api.services.delivery.outbox import DELIVER_TICKETS
from tp_api.services.webhooks.webhook_events import DELIVER_WEBHOOK


def test_emails_and_outbox_jobs(client, factory, smtp_replying, worker_for):  # noqa: F811
    accepting, _ = smtp_replying("250 OK")
    refusing, _ = smtp_replying("550 5.1.1 No such user")
    busy, _ = smtp_replying("450 4.2.1 Mailbox busy")
    before = scrape(client)
    for relay in (accepting, refusing, busy):
        _personalised_order(factory)
        assert worker_for(relay.port).run_once() == 1
    after = scrape(client)
    assert after.moved(before, "tp_emails_total", result="sent") == 1
    assert after.moved(before, "tp_emails_total", result="failed") == 2
    for result in ("done", "failed", "retry"):
        moved = after.moved(before, "tp_outbox_jobs_total", kind=DELIVER_TICKETS, result=result)
        assert moved == 1, result


def test_webhook_deliveries_by_result(client, settings, factory):
    with (
        receiving("ok") as ok,
        receiving("error") as failing,
        time_machine.travel(travel_start(), tick=False),
    ):
        # Each endpoint's creation ping is delivered here, before the counting starts.
        good = make_hook(settings, factory.seller(), ok)
        bad = make_hook(settings, factory.seller(), failing)
        before = scrape(client)
        good.emit("order.paid", {"orderId": 1})
        good.emit("order.paid", {"orderId": 2})
        bad.emit("order.paid", {"orderId": 3})
        assert good.run() == 3  # one worker runs every due delivery
    after = scrape(client)
    assert after.moved(before, "tp_webhook_deliveries_total", result="succeeded") == 2
    assert after.moved(before, "tp_webhook_deliveries_total", result="retry") == 1
    done = after.moved(before, "tp_outbox_jobs_total", kind=DELIVER_WEBHOOK, result="done")
    assert done == 3  # each job ran; the failed delivery's next attempt is a new job


def test_sync_runs_by_shop_and_result_with_duration(client, woo, setup):  # noqa: F811
    shop, _, shop_client = setup
    before = scrape(client)
    woo.put(woo_order(1))
    assert pull_orders(shop, shop_client).errors == 0
    woo.failures.append(fail_times(99, 503, b"<html>down</html>", {}, "text/html"))
    assert pull_orders(shop, shop_client).errors == 1
    after = scrape(client)
    labels = {"shop": shop.name, "kind": "orders"}
    assert after.moved(before, "tp_sync_runs_total", result="ok", **labels) == 1
    assert after.moved(before, "tp_sync_runs_total", result="failed", **labels) == 1
    assert after.moved(before, "tp_sync_run_duration_seconds_count", **labels) == 2
    assert after.value("tp_sync_last_success_timestamp_seconds", **labels) > 0
    assert after.moved(before, "tp_orders_created_total") == 1  # the shop's order, ingested
