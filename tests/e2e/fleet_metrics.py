"""The fleet's metrics, checked against what a last, quiet phase of the run did: each process's
``/metrics`` scraped before and after a known piece of work (no kill meanwhile), and each
counter must have moved by exactly that work, as counted at the receivers where it ends
(docs/operations.md lists the metrics)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from tests.e2e import fleet_checks as checks
from tests.e2e.fleet_load import Sale, Tally, buy
from tests.observe.metrics_text import Scrape

TOKEN = "fleet-metrics-token-0123456789abcdef"
# Customer numbers of this phase: far above what the load's threads count to.
FIRST_CUSTOMER = 900_000
SETTLE_S = 60.0


@dataclass(frozen=True)
class Work:
    """What the phase asks of the fleet, and what each counter should then say."""

    bench_orders: tuple[int, ...] = (0, 0, 1)  # the instance each plain order goes to
    scanned_orders: int = 2  # ordered, personalised and scanned twice, through instance 0


def scrape(url: str, token: str = "") -> Scrape:
    """One process's metrics, as Prometheus would read them."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = requests.get(url, headers=headers, timeout=15)
    answer.raise_for_status()
    return Scrape.parse(answer.text)


def _sum(scrapes: list[Scrape], before: list[Scrape], name: str, **labels: str) -> float:
    return sum(after.moved(old, name, **labels) for after, old in zip(scrapes, before, strict=True))


def _wait(until: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not until() and time.monotonic() < deadline:
        time.sleep(0.25)


def check_metrics(fleet, work: Work = Work()) -> list[str]:  # noqa: ANN001 - tests.e2e.fleet.Fleet
    """Run ``work`` through the fleet and say every counter that did not move by it."""
    serve = fleet.procs["serve"]
    outbox = fleet.procs["daemon"] + fleet.procs["worker"]  # every process that runs jobs

    def scrapes() -> tuple[list[Scrape], list[Scrape]]:
        return (
            [scrape(p.metrics_url, TOKEN) for p in serve],
            [scrape(p.metrics_url) for p in outbox],
        )

    web_before, jobs_before = scrapes()
    mails_before, hooks_before = len(fleet.inbox.messages), len(fleet.hooks.requests)
    tally = _do(fleet, work)
    _wait(lambda: checks.pending_outbox(fleet.db_url) == 0, SETTLE_S)
    time.sleep(1.0)  # a receiver's record lands a moment after the sender counted success
    web, jobs = scrapes()
    mails = len(fleet.inbox.messages) - mails_before
    hooks = len(fleet.hooks.requests) - hooks_before
    problems = [f"the phase's own requests failed: {tally.failures}"] if tally.failures else []
    problems += _web_problems(web_before, web, work)
    problems += _job_problems(jobs_before, jobs, mails, hooks, work)
    problems += _gauge_problems([*web, *jobs])
    return problems


def _do(fleet, work: Work) -> Tally:  # noqa: ANN001 - tests.e2e.fleet.Fleet
    ids, tally = fleet.ids, Tally()
    bench = Sale(fleet.bases, ids["bench_key"], ids["bench_event"], ids["bench_type"])
    for n, instance in enumerate(work.bench_orders):
        buy(bench, tally, instance, FIRST_CUSTOMER + n, 1)
    door = Sale(fleet.bases, ids["key"], ids["event"], ids["shop_type"], ids["scanner_key"])
    for n in range(work.scanned_orders):
        # At instance 0: the order, its personalisation and the first scan; at 1 the second.
        buy(door, tally, 0, FIRST_CUSTOMER + 100 + n, 1)
    return tally


def _web_problems(before: list[Scrape], after: list[Scrape], work: Work) -> list[str]:
    problems = []
    orders = [work.bench_orders.count(i) + (work.scanned_orders if i == 0 else 0) for i in (0, 1)]
    for name in ("tp_orders_created_total", "tp_orders_paid_total"):
        moved = [new.moved(old, name) for new, old in zip(after, before, strict=True)]
        if moved != orders:
            problems.append(f"{name} moved {moved} at the instances, expected {orders}")
    for i, result in ((0, "ok"), (1, "already_checked_in")):
        got = after[i].moved(before[i], "tp_scans_total", direction="in", result=result)
        if got != work.scanned_orders:
            problems.append(f"tp_scans_total{{in,{result}}} at serve{i} moved {got}")
    return problems


def _job_problems(
    before: list[Scrape], after: list[Scrape], mails: int, hooks: int, work: Work
) -> list[str]:
    problems = []
    sent = _sum(after, before, "tp_emails_total", result="sent")
    if sent != mails or mails < work.scanned_orders:
        problems.append(f"tp_emails_total{{sent}} moved {sent}; the SMTP server got {mails}")
    delivered = _sum(after, before, "tp_webhook_deliveries_total", result="succeeded")
    # order.paid and checkin.completed of each scanned order, at least.
    if delivered != hooks or hooks < 2 * work.scanned_orders:
        problems.append(f"webhook deliveries moved {delivered}; the receiver got {hooks}")
    done = _sum(after, before, "tp_outbox_jobs_total", kind="deliver_tickets", result="done")
    if done != work.scanned_orders:
        problems.append(f"deliver_tickets jobs done moved {done}, not {work.scanned_orders}")
    return problems


def _gauge_problems(scrapes: list[Scrape]) -> list[str]:
    problems = []
    for scraped in scrapes:
        if scraped.value("tp_database_figures_up") != 1:
            problems.append("a process could not read the database's figures")
        depth = sum(v for (name, _), v in scraped.samples.items() if name == "tp_outbox_depth")
        if depth:
            problems.append(f"a process says {depth} outbox jobs pending at the end")
    return problems
