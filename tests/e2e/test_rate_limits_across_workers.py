"""Rate limits hold across gunicorn workers when counted in Redis (`TP_REDIS_URL`)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.slow
TP_BRIDGE = str(Path(sys.executable).with_name("tp-bridge"))
REDIS_URL = "redis://127.0.0.1:6379/14"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def limited_server(db, db_url, tmp_path):
    """`tp-bridge serve` with 3 workers, an admin limit of 10/minute counted in Redis."""
    if not _redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    env = {
        **os.environ,
        "TP_DATABASE_URL": db_url,
        "TP_SECRET_KEY": "s" * 48,
        "TP_RATE_LIMIT_ADMIN": "10/minute",
        "TP_REDIS_URL": REDIS_URL,
    }

    def run(*args: str) -> str:
        return subprocess.run(
            [TP_BRIDGE, *args], env=env, check=True, capture_output=True, text=True, timeout=60
        ).stdout

    run("account", "create", "Limits")
    key = json.loads(run("key", "create", "--account", "Limits", "--admin"))["key"]
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
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
        pytest.fail("server did not start: " + (tmp_path / "server.log").read_text())
    yield base, key
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


def test_a_limit_of_ten_admits_ten_across_three_workers(limited_server):
    base, key = limited_server

    def call(_: int) -> tuple[int, str | None]:
        # A new connection per request, so the requests spread over the workers.
        response = requests.get(
            f"{base}/api/v1/events",
            headers={"Authorization": f"Bearer {key}", "Connection": "close"},
            timeout=30,
        )
        return response.status_code, response.headers.get("Retry-After")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(call, range(40)))
    statuses = Counter(status for status, _ in results)
    assert statuses == {200: 10, 429: 30}
    assert all(retry and int(retry) > 0 for status, retry in results if status == 429)
    # Another key has its own budget.
    other = requests.get(f"{base}/api/v1/health", timeout=30)
    assert other.status_code == 200
