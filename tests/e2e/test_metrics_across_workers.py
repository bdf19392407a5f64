"""`tp-bridge serve` under gunicorn: /metrics sums every worker's counts (prometheus_client's
multiprocess mode), also those of workers that have exited; the metrics listener answers
/metrics only; JSON logs carry the request id in every line, keys never."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import requests

from tests.e2e.serve import cli, free_port, serving
from tests.observe.metrics_text import BEARER, TOKEN, Scrape

pytestmark = pytest.mark.slow


@pytest.fixture
def env(db, db_url, tmp_path):
    return {
        "TP_DATABASE_URL": db_url,
        "TP_SECRET_KEY": "s" * 48,
        "TP_METRICS_TOKEN": TOKEN,
        "TP_LOG_FORMAT": "json",
        "TMPDIR": str(tmp_path / "tmp"),
    }


def _scrape(url: str, **headers: str) -> Scrape:
    answer = requests.get(url, headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return Scrape.parse(answer.text)


def test_counts_of_every_worker_are_summed_on_the_metrics_listener(env, tmp_path):
    (tmp_path / "tmp").mkdir()
    metrics_port = free_port()
    # One request per worker: each of the requests below is answered by a process of its
    # own, which then exits, so only a sum over every process (dead ones too) is right.
    args = ("--metrics-port", str(metrics_port), "--max-requests", "1")
    with serving(env, tmp_path / "server.log", workers=2, args=args) as base:
        scrape_url = f"http://127.0.0.1:{metrics_port}/metrics"
        before = _scrape(scrape_url)
        for _ in range(5):
            assert requests.get(f"{base}/livez", timeout=30).status_code == 200
        after = _scrape(scrape_url)
        health = after.moved(
            before, "tp_http_requests_total", endpoint_class="health", status="200"
        )
        assert health == 5
        assert after.value("tp_database_figures_up") == 1
        # The metrics listener answers nothing else; the public port wants the token.
        assert requests.get(f"http://127.0.0.1:{metrics_port}/livez", timeout=30).status_code == 404
        assert requests.get(f"{base}/metrics", timeout=30).status_code == 401
        assert _scrape(f"{base}/metrics", **BEARER).value("tp_stock_held") == 0
        # serve made its own directory for the workers' values, in memory where it can
        # (/dev/shm: config.metrics._memory_backed_dir says why), else in TMPDIR...
        said = re.search(r"metrics: the workers' values in (\S+)", log_text(tmp_path))
        assert said, log_text(tmp_path)
        made = Path(said.group(1))
        shm = Path("/dev/shm")  # noqa: S108 - where serve puts it, not a file of ours
        assert made.parent == (shm if os.access(shm, os.W_OK) else tmp_path / "tmp")
        assert made.name.startswith("tp-bridge-metrics-") and list(made.glob("counter_*.db"))
    # ... and removed it when it stopped.
    assert not made.exists()


def log_text(tmp_path: Path) -> str:
    return (tmp_path / "server.log").read_text(errors="replace")


def test_json_logs_name_the_request_and_hide_the_key(env, tmp_path):
    (tmp_path / "tmp").mkdir()
    cli({**os.environ, **env}, "account", "create", "Logs")
    key = json.loads(cli({**os.environ, **env}, "key", "create", "--account", "Logs"))["key"]
    log_path = tmp_path / "server.log"
    with serving(env, log_path, workers=2) as base:
        answer = requests.get(f"{base}/tp-api/events?key={key}", timeout=30)
        assert answer.status_code == 200
        rid = answer.headers["X-Request-Id"]
        named = requests.get(f"{base}/livez", headers={"X-Request-Id": "probe-42"}, timeout=30)
        assert named.status_code == 200
    text = log_path.read_text()
    assert key not in text
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert {"time", "level", "logger", "message", "request_id"} <= set(access[0])
    (events,) = [line for line in access if "/tp-api/events" in line["message"]]
    assert events["request_id"] == rid and "key=[redacted]" in events["message"]
    assert [line["request_id"] for line in access if "/livez" in line["message"]][-1] == "probe-42"
    # gunicorn's own lines (workers booting) are JSON too, outside any request.
    booting = [line for line in lines if line["logger"] == "gunicorn.error"]
    assert booting and all(line["request_id"] is None for line in booting)
