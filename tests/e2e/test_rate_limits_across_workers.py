"""Rate limits hold across gunicorn workers when counted in Redis (`TP_REDIS_URL`)."""

from __future__ import annotations

import json
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.serve import cli, redis_up, serving

pytestmark = pytest.mark.slow
REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def limited_server(db, db_url, tmp_path):
    """`tp-bridge serve` with 3 workers, an admin limit of 10/minute counted in Redis."""
    if not redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    env = {
        **os.environ,
        "TP_DATABASE_URL": db_url,
        "TP_SECRET_KEY": "s" * 48,
        "TP_RATE_LIMIT_ADMIN": "10/minute",
        "TP_REDIS_URL": REDIS_URL,
    }
    cli(env, "account", "create", "Limits")
    key = json.loads(cli(env, "key", "create", "--account", "Limits", "--admin"))["key"]
    with serving(env, tmp_path / "server.log", workers=3) as base:
        yield base, key


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
