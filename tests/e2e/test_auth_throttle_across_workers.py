"""Wrong keys sent all at once to three gunicorn workers: exactly the documented ten are
answered as wrong keys, the rest get 429, and a right key is served 200 throughout."""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.serve import cli, redis_up, serving

pytestmark = pytest.mark.slow
REDIS_URL = "redis://127.0.0.1:6379/13"
DOCUMENTED_LIMIT = 10  # TP_AUTH_MAX_FAILURES' default, docs/partner-api.md
GUESSES = 60


@pytest.fixture(params=["database", "redis"])
def counted_in(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "database":
        return {}
    if not redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    import redis

    # Counters of an earlier run would still be blocking 127.0.0.1.
    redis.Redis.from_url(REDIS_URL).flushdb()
    return {"TP_REDIS_URL": REDIS_URL}


def _guess(base: str, n: int) -> int:
    # A new connection per request, so the guesses spread over the workers.
    if n % 2:
        response = requests.get(
            f"{base}/api/v1/events",
            headers={"Authorization": f"Bearer tpk_wrong{n:040d}", "Connection": "close"},
            timeout=30,
        )
    else:
        response = requests.get(
            f"{base}/tp-api/events",
            params={"key": f"tp_wrong{n:040d}"},
            headers={"Connection": "close"},
            timeout=30,
        )
    return response.status_code


def test_concurrent_wrong_keys_are_held_to_the_limit_and_a_right_key_is_served(
    db, db_url, tmp_path, counted_in
):
    env = {
        **os.environ,
        "TP_DATABASE_URL": db_url,
        "TP_SECRET_KEY": "s" * 48,
        "TP_RATE_LIMIT_ADMIN": "off",
        **counted_in,
    }
    partner_key = json.loads(cli(env, "account", "create", "Throttle"))["key"]
    admin_key = json.loads(cli(env, "key", "create", "--account", "Throttle", "--admin"))["key"]
    with serving(env, tmp_path / "server.log") as base:
        done = threading.Event()
        served: list[int] = []
        shop = threading.Thread(
            target=_ask_with_the_right_keys, args=(base, partner_key, admin_key, done, served)
        )
        shop.start()
        with ThreadPoolExecutor(max_workers=8) as pool:
            guesses = Counter(pool.map(lambda n: _guess(base, n), range(GUESSES)))
        done.set()
        shop.join(timeout=60)
        # Credentials in any query parameter stay out of the access log.
        logged = requests.get(
            f"{base}/tp-api/events", params={"key": partner_key, "api_key": admin_key}, timeout=30
        )
        assert logged.status_code == 200
    assert guesses[401] + guesses[403] == DOCUMENTED_LIMIT
    assert guesses[429] == GUESSES - DOCUMENTED_LIMIT
    assert len(served) >= 4
    assert set(served) == {200}
    log = (tmp_path / "server.log").read_text()
    assert log.count("blocked until") == 1
    assert "key=[redacted]&api_key=[redacted]" in log
    assert partner_key not in log
    assert admin_key not in log


def _ask_with_the_right_keys(
    base: str, partner_key: str, admin_key: str, done: threading.Event, served: list[int]
) -> None:
    """Keep asking with the right keys until every guess is answered, and once more."""
    while True:
        last = done.is_set()
        served.append(
            requests.get(f"{base}/tp-api/events?key={partner_key}", timeout=30).status_code
        )
        served.append(
            requests.get(
                f"{base}/api/v1/events",
                headers={"Authorization": f"Bearer {admin_key}"},
                timeout=30,
            ).status_code
        )
        if last:
            return
