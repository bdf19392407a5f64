"""The fleet, proven together: two `tp-bridge serve`, two `sync daemon` and two `outbox work`
processes on one PostgreSQL database and one Redis, with the fake WooCommerce shop, a real
SMTP server (aiosmtpd) and a webhook receiver. Load runs through both instances while one
process of each kind is killed with SIGKILL and started again; then the invariants are
checked (tests/e2e/fleet_checks.py).

The test (tests/e2e/test_fleet.py) and the operator's script share this module:

    make fleet                                   # or: .venv/bin/python -m tests.e2e.fleet
    TP_FLEET_POSTGRES_URL=postgresql://... make fleet

The script makes a scratch database next to the URL's (default
postgresql://postgres@127.0.0.1:5432/postgres) and drops it afterwards; Redis database 11 on
127.0.0.1 is the fleet's own and is emptied first. It prints the figures and exits 1 when a
check failed.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
import requests
from aiosmtpd.controller import Controller

from sync.daemon import INTERVAL_SLACK
from tests.conftest import _admin
from tests.e2e import fleet_checks as checks
from tests.e2e import fleet_metrics
from tests.e2e.fleet_load import Sale, Tally, customers, join_line, rate_limit_burst, shop_orders
from tests.e2e.fleet_procs import FleetProcess
from tests.e2e.serve import cli
from tests.fake_woo import FakeWoo
from tests.smtp_inbox import Inbox, free_port
from tests.webhooks.support import Receiver

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/11"
SECRET = "fleet-secret-key-that-is-long-enough-0123456789"
RATE_LIMIT = 20  # admin calls per key per hour: one hour, so a burst never spans two windows
KINDS = ("serve", "daemon", "worker")


@dataclass(frozen=True)
class Plan:
    """How long and how hard: the test's plan is short, the script's longer."""

    throughput_s: float = 15.0  # each step: one instance, then both
    chaos_s: float = 90.0
    customers: int = 4  # customer threads (half at each instance)
    stock: int = 300  # of the ticket type the customers buy: sold out during the run
    interval_s: int = 30  # the shop's sync interval (the least there is)
    lease_s: int = 15  # TP_OUTBOX_LEASE_SECONDS: a killed worker's job is retaken after this
    drain_s: float = 150.0  # at most, after the load, for the fleet to finish its work


TEST_PLAN = Plan(throughput_s=4.0, chaos_s=50.0, customers=4, stock=120)


@dataclass
class Report:
    """The run's figures and every broken invariant."""

    orders_per_s_one: float = 0.0
    orders_per_s_two: float = 0.0
    recovery_s: dict[str, float] = field(default_factory=dict)  # kind -> kill to working
    drain_s: float = 0.0
    counts: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # requests an instance did not answer
    problems: dict[str, list[str]] = field(default_factory=dict)  # check -> what broke

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())


def scratch_database(admin_url: str) -> tuple[str, Callable[[], None]]:
    """A new empty database next to ``admin_url``'s, and how to drop it."""
    name = f"tp_fleet_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    _admin(f'CREATE DATABASE "{name}"', admin_url)
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}")), lambda: _admin(
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', admin_url
    )


def _events(name: str, types: dict[str, int]) -> dict[str, Any]:
    return {
        "name": name, "city": "Utrecht", "timezone": "Europe/Amsterdam",
        "start_date": 1893456000, "end_date": 1893542400, "price": "29.95",
        "stock": sum(types.values()), "status": 1, "children": [],
        "tickets": [
            {"name": t, "stock": s, "price": 29.95, "status": 1, "enabled": True}
            for t, s in types.items()
        ],
    }  # fmt: skip


class Fleet:
    """Everything of one run, as a context manager that stops it all (by PID) on leaving."""

    def __init__(self, plan: Plan, db_url: str, workdir: Path) -> None:
        self.plan, self.db_url, self.workdir = plan, db_url, workdir
        self.inbox = Inbox()
        self.smtp = Controller(self.inbox, hostname="127.0.0.1", port=free_port())
        self.hooks = Receiver()
        self.woo = FakeWoo()
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("TP_")}
        self.env = {
            **inherited,
            "TP_DATABASE_URL": db_url, "TP_SECRET_KEY": SECRET, "TP_REDIS_URL": REDIS_URL,
            "TP_SMTP_HOST": "127.0.0.1", "TP_SMTP_PORT": str(self.smtp.port),
            "TP_WEBHOOK_ALLOW_PRIVATE": "1", "TP_OUTBOX_LEASE_SECONDS": str(plan.lease_s),
            "TP_RATE_LIMIT_ADMIN": f"{RATE_LIMIT}/hour", "TP_REMINDER_HOURS": "0",
            "TP_FILES_DIR": str(workdir / "files"), "TP_LOG_LEVEL": "INFO",
            "TP_METRICS_TOKEN": fleet_metrics.TOKEN,
        }  # fmt: skip
        self.procs = {
            kind: [FleetProcess(kind, i, self.env, workdir) for i in range(2)] for kind in KINDS
        }
        self.ids: dict[str, Any] = {}
        self._stack = ExitStack()

    def __enter__(self) -> Fleet:
        redis.Redis.from_url(REDIS_URL).flushdb()  # the fleet's own database: last run's lines
        self.smtp.start()
        self._stack.callback(self.smtp.stop)
        self._stack.enter_context(self.hooks)
        self._stack.enter_context(self.woo)
        for group in self.procs.values():
            for proc in group:
                self._stack.callback(proc.stop)
        try:
            self._prepare()
            for group in self.procs.values():
                for proc in group:
                    proc.start()
            for group in self.procs.values():
                for proc in group:
                    proc.wait_ready()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    @property
    def bases(self) -> tuple[str, ...]:
        return tuple(p.base_url for p in self.procs["serve"])

    def _cli(self, *args: str) -> Any:
        return json.loads(cli(self.env, *args))

    def _prepare(self) -> None:
        """The database, the sellers, their events, a scanner, the shop, the webhook."""
        cli(self.env, "db", "upgrade")
        ids = self.ids
        ids["key"] = self._cli("account", "create", "Fleet")["key"]
        ids["bench_key"] = self._cli("account", "create", "Fleet Bench")["key"]
        for name in ("admin_key", "probe_key"):
            ids[name] = self._cli("key", "create", "--account", "Fleet", "--admin")["key"]
        events = [
            _events("Fleet Festival", {"Door": self.plan.stock, "Shop": 100_000}),
            _events("Fleet Queue", {"Queued": 1000}),
        ]
        path = self.workdir / "events.json"
        path.write_text(json.dumps(events))
        loaded = self._cli("events", "load", "--account", "Fleet", str(path))
        ids["event"], ids["queue_event"] = loaded[0]["id"], loaded[1]["id"]
        ids["door_type"], ids["shop_type"] = (t["id"] for t in loaded[0]["tickets"])
        ids["queue_type"] = loaded[1]["tickets"][0]["id"]
        path.write_text(json.dumps([_events("Fleet Bench", {"Bench": 10_000_000})]))
        bench = self._cli("events", "load", "--account", "Fleet Bench", str(path))[0]
        ids["bench_event"], ids["bench_type"] = bench["id"], bench["tickets"][0]["id"]
        scanner = self._cli(
            "scanner", "create", "Door", "--account", "Fleet", "--event", str(ids["event"])
        )
        ids["scanner_key"] = scanner["key"]
        shop = self._cli(
            "shop", "add", "fleet", "--account", "Fleet", "--url", self.woo.url,
            "--consumer-key", self.woo.key, "--consumer-secret", self.woo.secret,
            "--interval", str(self.plan.interval_s),
        )  # fmt: skip
        ids["shop"], ids["shop_secret"] = shop["shop_id"], shop["webhook_secret"]
        self.woo.products[93] = {"id": 93, "manage_stock": True, "stock_quantity": 100_000}
        cli(self.env, "shop", "map", "fleet", "--account", "Fleet", "--product", "93",
            "--ticket-type", str(ids["shop_type"]))  # fmt: skip
        cli(self.env, "webhook", "create", "--account", "Fleet", "--url", self.hooks.url,
            "--event", "order.paid", "--event", "checkin.completed")  # fmt: skip

    def open_queue(self) -> None:
        """The waiting room of the queue event, on from now, one customer a minute."""
        body = {"queueEnabled": True, "ratePerMinute": 1,
                "startsAt": datetime.now(UTC).replace(microsecond=0).isoformat()}  # fmt: skip
        answer = requests.put(
            f"{self.bases[0]}/api/v1/events/{self.ids['queue_event']}/queue", json=body,
            headers={"Authorization": f"Bearer {self.ids['admin_key']}"}, timeout=30,
        )  # fmt: skip
        answer.raise_for_status()

    def error_lines(self) -> list[str]:
        return [line for group in self.procs.values() for p in group for line in p.error_lines()]


def throughput(fleet: Fleet, bases: tuple[str, ...], seconds: float) -> float:
    """Paid single-or-double orders per second through ``bases``, from the plan's threads."""
    ids = fleet.ids
    sale = Sale(bases, ids["bench_key"], ids["bench_event"], ids["bench_type"])
    tally = Tally()
    threads = _threads(
        fleet.plan.customers,
        lambda w, end: customers(sale, tally, w + 100 * len(bases), end),
        seconds,
    )
    _join(threads, seconds)
    return tally.orders_ok / seconds


def _threads(
    count: int, target: Callable[[int, float], None], seconds: float
) -> list[threading.Thread]:
    end = time.monotonic() + seconds
    threads = [threading.Thread(target=target, args=(w, end), daemon=True) for w in range(count)]
    for thread in threads:
        thread.start()
    return threads


def _join(threads: list[threading.Thread], seconds: float) -> None:
    # Each thread stops at its deadline; a request under way ends within its time-out.
    for thread in threads:
        thread.join(timeout=seconds + 120)


def kill_and_restart(proc: FleetProcess) -> float:
    """SIGKILL, start again at once: seconds from the kill until it works again."""
    killed = time.monotonic()
    proc.kill()
    proc.start()
    proc.wait_ready()
    return time.monotonic() - killed


def chaos(fleet: Fleet, tally: Tally, report: Report) -> None:
    """The customers and the shop for the plan's time; one of each kind killed meanwhile."""
    ids, seconds = fleet.ids, fleet.plan.chaos_s
    sale = Sale(fleet.bases, ids["key"], ids["event"], ids["door_type"], ids["scanner_key"])
    threads = _threads(fleet.plan.customers, lambda w, end: customers(sale, tally, w, end), seconds)
    threads += _threads(
        1,
        lambda _w, end: shop_orders(
            fleet.woo, fleet.bases, ids["shop"], ids["shop_secret"], tally, end
        ),
        seconds,  # fmt: skip
    )
    started = time.monotonic()
    for share, kind in zip((0.25, 0.45, 0.65), KINDS, strict=True):
        time.sleep(max(0.0, started + seconds * share - time.monotonic()))
        report.recovery_s[kind] = round(kill_and_restart(fleet.procs[kind][0]), 2)
    _join(threads, seconds)


def drain(fleet: Fleet, tally: Tally) -> float:
    """Wait (at most the plan's drain time) until every shop order is in and the outbox is
    empty; the seconds it took."""
    started = time.monotonic()
    deadline = started + fleet.plan.drain_s
    while time.monotonic() < deadline:
        done = checks.shop_orders_ingested(fleet.db_url) >= len(tally.shop_orders)
        if done and checks.pending_outbox(fleet.db_url) == 0:
            break
        time.sleep(0.5)
    time.sleep(1.0)  # a receiver's record lands a moment after the sender recorded success
    return time.monotonic() - started


def run(fleet: Fleet) -> Report:
    """The whole run on a started fleet: throughput, chaos, probes, drain, checks."""
    report = Report()
    plan = fleet.plan
    report.orders_per_s_one = round(throughput(fleet, fleet.bases[:1], plan.throughput_s), 1)
    report.orders_per_s_two = round(throughput(fleet, fleet.bases, plan.throughput_s), 1)
    fleet.open_queue()
    tally = Tally()
    chaos(fleet, tally, report)
    limited = rate_limit_burst(fleet.bases, fleet.ids["probe_key"], 2 * RATE_LIMIT)
    places = join_line(
        fleet.bases, fleet.ids["admin_key"], fleet.ids["queue_event"], fleet.ids["queue_type"], 20
    )
    report.drain_s = round(drain(fleet, tally), 1)
    metrics = fleet_metrics.check_metrics(fleet)
    report.counts = {
        "orders": tally.orders_ok, "sold_out_answers": tally.sold_out,
        "personalised": tally.personalised, "scans": dict(tally.scans),
        "shop_orders": len(tally.shop_orders), "emails": len(fleet.inbox.messages),
        "webhooks": len(fleet.hooks.requests), "gave_up": len(tally.gave_up),
    }  # fmt: skip
    report.failures = [what for _, what in tally.failures]
    db = fleet.db_url
    report.problems = {
        "oversold": checks.not_oversold(db),
        "paid orders": checks.paid_orders_have_their_tickets(db, tally),
        "shop orders": checks.shop_orders_once(db, tally),
        "e-mails": checks.mails_once(db, fleet.inbox.messages, tally),
        "webhooks": checks.webhooks_once(db, fleet.hooks.requests),
        "scans": checks.scans_once(db, tally),
        "sync runs": checks.runs_once_per_interval(db, plan.interval_s, INTERVAL_SLACK),
        "outbox": [f"{n} jobs pending" for n in [checks.pending_outbox(db)] if n],
        "rate limit": []
        if dict(limited) == {200: RATE_LIMIT, 429: RATE_LIMIT}
        else [f"statuses {dict(limited)}"],  # fmt: skip
        "waiting room": [] if sorted(places) == list(range(1, 21)) else [f"places {places}"],
        "gave up": tally.gave_up,
        "log errors": fleet.error_lines(),
        "metrics": metrics,
    }
    return report


def main() -> int:
    """``make fleet``: one run with the script's plan against a scratch database; prints the
    figures (JSON) and exits 1 when an invariant broke."""
    admin_url = os.environ.get("TP_FLEET_POSTGRES_URL") or DEFAULT_ADMIN_URL
    workdir = Path(tempfile.mkdtemp(prefix="tp-fleet-"))
    db_url, drop = scratch_database(admin_url)
    try:
        with Fleet(Plan(), db_url, workdir) as fleet:
            report = run(fleet)
    finally:
        drop()
    print(json.dumps({**asdict(report), "ok": report.ok, "logs": str(workdir)}, indent=2))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
