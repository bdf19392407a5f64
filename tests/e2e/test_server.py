"""The real server, as `tp-bridge serve` runs it (gunicorn, several workers), on loopback."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.factories import order_body

pytestmark = pytest.mark.slow
TP_BRIDGE = str(Path(sys.executable).with_name("tp-bridge"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(db, db_url, tmp_path):
    """Start `tp-bridge serve` with an account and one event loaded; stop it afterwards."""
    env = {**os.environ, "TP_DATABASE_URL": db_url, "TP_SECRET_KEY": "s" * 48}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [TP_BRIDGE, *args], env=env, check=True, capture_output=True, text=True, timeout=60
        )

    key = json.loads(run("account", "create", "E2E").stdout)["key"]
    events_file = tmp_path / "events.json"
    events_file.write_text(
        json.dumps(
            [
                {
                    "name": "Race",
                    "stock": 1000,
                    "tickets": [{"name": "Last hundred", "stock": 100, "price": 10}],
                }
            ]
        )
    )
    type_id = json.loads(run("events", "load", "--account", "E2E", str(events_file)).stdout)[0][
        "tickets"
    ][0]["id"]
    port = _free_port()
    log_path = tmp_path / "server.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [TP_BRIDGE, "serve", "--port", str(port), "--workers", "3"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/livez", timeout=1).ok:
                break
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or slow
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("server did not start: " + log_path.read_text())
    yield {"base": base, "key": key, "type_id": type_id, "log": log_path}
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


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
