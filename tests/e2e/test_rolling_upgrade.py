"""A zero-downtime upgrade (docs/deploy/upgrades.md): the next release's migration is applied
while this release serves partner API reads and writes through two instances, then the
instances are restarted one by one, each taken out of the balancer first. Not one request
fails.

The next release's migration is defined here, in two versions of the same change (an order's
sales channel): the safe one the upgrade guide asks for (a column with a database default, a
new table, an index built concurrently on PostgreSQL), and peewee's plain ``add_column``,
which makes the column NOT NULL with no database default, so the running release's orders
fail until it is replaced: the rule the guide states, shown to matter.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from contextlib import ExitStack

import pytest
import requests

from tests.conftest import BACKENDS
from tests.e2e.scratch_db import installation
from tests.e2e.serve import cli, serving
from tests.e2e.traffic import Traffic, background
from tests.factories import order_body
from tp_api import migrations
from tp_api.db import connect

pytestmark = pytest.mark.slow

SAFE = '''
import peewee as pw

# CREATE INDEX CONCURRENTLY refuses to run inside a transaction.
atomic = False


def up(migrator, db):
    db.execute_sql(
        """ALTER TABLE "order" ADD COLUMN "channel" VARCHAR(20) NOT NULL DEFAULT 'web'"""
    )
    db.execute_sql(
        'CREATE TABLE "sales_channel" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"name" VARCHAR(20) NOT NULL)'
    )
    concurrently = "CONCURRENTLY " if isinstance(db, pw.PostgresqlDatabase) else ""
    db.execute_sql(f'CREATE INDEX {concurrently}"order_channel" ON "order" ("channel")')
'''

UNSAFE = """
import peewee as pw


def up(migrator, db):
    migrator.migrate(migrator.add_column("order", "channel", pw.CharField(default="web")))
"""


class Balancer:
    """What nginx's upstream block does for the test: round robin over the instances in
    rotation; an instance is taken out before it is stopped (the guide's drain step)."""

    def __init__(self) -> None:
        self.instances: list[str] = []
        self._turn = itertools.count()
        self._lock = threading.Lock()

    def pick(self) -> str:
        with self._lock:
            return self.instances[next(self._turn) % len(self.instances)]


@pytest.fixture(params=BACKENDS)
def install(request, tmp_path):
    """An installation of this release: its own database, an account and one event."""
    with installation(request.param, tmp_path, "upgrade") as env:
        url = env["TP_DATABASE_URL"]
        key = json.loads(cli(env, "account", "create", "Rolling"))["key"]
        events = tmp_path / "events.json"
        tickets = [{"name": "GA", "stock": 100000, "price": 10}]
        events.write_text(json.dumps([{"name": "Fest", "stock": 100000, "tickets": tickets}]))
        loaded = json.loads(cli(env, "events", "load", "--account", "Rolling", str(events)))
        yield {"env": env, "url": url, "key": key, "type_id": loaded[0]["tickets"][0]["id"]}


def _partner_calls(balancer, install):
    """Even calls read the events, odd ones create an order: what a shop does all day."""

    def call(n: int) -> str | None:
        base, key = balancer.pick(), install["key"]
        if n % 2:
            body = order_body(install["type_id"], wp_order_id=f"rolling-{n}")
            response = requests.post(
                f"{base}/tp-api/orders/create", params={"key": key}, json=body, timeout=60
            )
        else:
            response = requests.get(f"{base}/tp-api/events", params={"key": key}, timeout=60)
        if response.status_code != 200:
            return f"{response.request.method} {response.status_code} {response.text[:200]}"
        return None

    return call


def _migrate(url, folder, code):
    """The next release's `tp-bridge db upgrade`: our migrations plus the new one."""
    folder.mkdir()
    (folder / "9001_sales_channel.py").write_text(code)
    database = connect(url, max_connections=2)
    applied = migrations.upgrade(database, extra_dirs=[str(folder)])
    database.close_all()
    return applied


def _more(traffic: Traffic, count: int) -> None:
    """Wait until ``count`` more background requests have gone through (or failed)."""
    goal = traffic.done + len(traffic.failures) + count
    deadline = time.monotonic() + 120
    while traffic.done + len(traffic.failures) < goal and time.monotonic() < deadline:
        time.sleep(0.05)


def _columns(url, table):
    database = connect(url, max_connections=2)
    with database.connection_context():
        names = {c.name for c in database.get_columns(table)}
    database.close_all()
    return names


def test_the_safe_migration_and_a_rolling_restart_fail_no_request(install, tmp_path):
    balancer = Balancer()
    with ExitStack() as stack:
        instances = []
        for n in range(2):
            log = tmp_path / f"instance-{n}.log"
            instances.append(stack.enter_context(ExitStack()))
            balancer.instances.append(instances[n].enter_context(serving(install["env"], log)))
        with background(_partner_calls(balancer, install)) as traffic:
            _more(traffic, 20)
            applied = _migrate(install["url"], tmp_path / "next", SAFE)
            _more(traffic, 40)
            for n, instance in enumerate(instances):
                # Drain, stop, start the new release, wait until it answers, put it back.
                old = balancer.instances[n]
                balancer.instances.remove(old)
                instance.close()
                log = tmp_path / f"instance-{n}-new.log"
                balancer.instances.insert(n, instance.enter_context(serving(install["env"], log)))
                _more(traffic, 40)
    assert applied == ["9001_sales_channel"]
    assert traffic.failures == []
    assert traffic.done >= 140
    assert "channel" in _columns(install["url"], "order")
    assert _columns(install["url"], "sales_channel") == {"id", "name"}
    database = connect(install["url"], max_connections=2)
    with database.connection_context():
        orders, channels = database.execute_sql(
            'SELECT COUNT(*), COUNT(DISTINCT "channel") FROM "order"'
        ).fetchone()
    database.close_all()
    # Every order the old release wrote after the migration got the database's default.
    assert orders > 0 and channels == 1


def test_the_unsafe_version_of_the_migration_breaks_the_running_release(install, tmp_path):
    balancer = Balancer()
    with serving(install["env"], tmp_path / "server.log") as base:
        balancer.instances.append(base)
        with background(_partner_calls(balancer, install)) as traffic:
            _more(traffic, 10)
            _migrate(install["url"], tmp_path / "next", UNSAFE)
            _more(traffic, 20)
    failed_orders = [f for f in traffic.failures if f.startswith("POST 500")]
    assert failed_orders, traffic.failures
    assert not [f for f in traffic.failures if f.startswith("GET")]
