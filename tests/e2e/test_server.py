"""The real server, as `tp-bridge serve` runs it (gunicorn, several workers), on loopback."""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.serve import cli, serving
from tests.factories import order_body

pytestmark = pytest.mark.slow


@pytest.fixture
def server(db, db_url, tmp_path):
    """Start `tp-bridge serve` with an account and one event loaded; stop it afterwards."""
    env = {**os.environ, "TP_DATABASE_URL": db_url, "TP_SECRET_KEY": "s" * 48}
    key = json.loads(cli(env, "account", "create", "E2E"))["key"]
    events_file = tmp_path / "events.json"
    last_hundred = {"name": "Last hundred", "stock": 100, "price": 10}
    events_file.write_text(json.dumps([{"name": "Race", "stock": 1000, "tickets": [last_hundred]}]))
    loaded = json.loads(cli(env, "events", "load", "--account", "E2E", str(events_file)))
    log_path = tmp_path / "server.log"
    with serving(env, log_path) as base:
        yield {"base": base, "key": key, "type_id": loaded[0]["tickets"][0]["id"], "log": log_path}


def test_300_buyers_for_the_last_100_over_http(server):
    url = f"{server['base']}/tp-api/orders/create?key={server['key']}"
    start = threading.Barrier(32)

    def buy(n: int) -> int:
        if n < 32:
            start.wait(timeout=30)
        body = order_body(server["type_id"], wp_order_id=f"http-{n}")
        return requests.post(url, json=body, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = Counter(pool.map(buy, range(300)))
    assert statuses == {200: 100, 409: 200}
    events = requests.get(f"{server['base']}/tp-api/events?key={server['key']}", timeout=10)
    assert events.json()[0]["tickets"][0]["stock"] == 0


def test_access_log_never_shows_the_key(server):
    key = server["key"]
    requests.get(f"{server['base']}/tp-api/events?key={key}", timeout=10)
    requests.get(f"{server['base']}/tp-api/events?wp_user_id=1&key={key}x", timeout=10)
    time.sleep(0.5)  # gunicorn writes the access log line after the response
    text = server["log"].read_text()
    assert "key=[redacted]" in text
    assert key not in text and key[3:20] not in text
