"""Benchmark: what counting and timing a request costs (config/metrics_http.py's hooks).

Times the two metric updates each request makes (one counter, one histogram, by endpoint
class and status), in memory (the daemon, the worker, tests) and in prometheus_client's
multiprocess mode (``tp-bridge serve``: values in files shared by gunicorn's workers), and a
scrape of ``/metrics``'s counters; then ``GET /livez`` through the Flask test client with the
hooks and with them taken off, alternating five rounds (the whole request in one process, no
socket). Each in a child process, because prometheus_client chooses where values live when
the first metric is made.

    .venv/bin/python bench/metrics_bench.py [--updates N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

CHILD = """
import json, sys, time
from tp_api.metrics import metrics
from config.metrics import exposition, scrape_registry
n = int(sys.argv[1])
m = metrics()
best = None
for _ in range(5):
    started = time.perf_counter()
    for i in range(n):
        m.requests.labels("partner", "200").inc()
        m.request_seconds.labels("partner").observe(0.004)
    took = (time.perf_counter() - started) / n
    best = took if best is None else min(best, took)
scrapes = []
for _ in range(20):
    started = time.perf_counter()
    exposition(scrape_registry(None))
    scrapes.append(time.perf_counter() - started)
print(json.dumps({"update_us": best * 1e6, "scrape_ms": sorted(scrapes)[10] * 1e3}))
"""

LIVEZ = """
import json, sys, tempfile, time
from config.settings import Settings
from config.wsgi import create_app
n = int(sys.argv[1])
url = "sqlite:///" + tempfile.mkdtemp() + "/bench.db"
app = create_app(Settings(database_url=url, secret_key="s" * 48))
hooks = (list(app.before_request_funcs[None]), list(app.after_request_funcs[None]))
without = (
    [f for f in hooks[0] if getattr(f, "__name__", "") != "start_clock"],
    [f for f in hooks[1] if getattr(f, "__name__", "") != "_count"],
)
client = app.test_client()
best = {"with": None, "without": None}
for _ in range(5):
    for name, (before, after) in (("with", hooks), ("without", without)):
        app.before_request_funcs[None], app.after_request_funcs[None] = before, after
        started = time.perf_counter()
        for _ in range(n):
            client.get("/livez")
        took = (time.perf_counter() - started) / n
        best[name] = took if best[name] is None else min(best[name], took)
print(json.dumps({k: v * 1e6 for k, v in best.items()}))
"""


def run(mode: str, updates: int, script: str = CHILD) -> dict[str, float]:
    """One child process's figures; ``mode`` is ``memory`` or ``multiprocess``."""
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    with tempfile.TemporaryDirectory(prefix="tp-metrics-bench-") as directory:
        if mode == "multiprocess":
            env["PROMETHEUS_MULTIPROC_DIR"] = directory
        done = subprocess.run(
            [sys.executable, "-c", script, str(updates)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=50_000)
    args = parser.parse_args()
    print("| values | µs per request (counter + histogram), best of 5 | scrape ms (median) |")
    print("|---|---:|---:|")
    for mode in ("memory", "multiprocess"):
        figures = run(mode, args.updates)
        print(f"| {mode} | {figures['update_us']:.2f} | {figures['scrape_ms']:.2f} |")
    print()
    print("| values | GET /livez µs, with the hooks | without | difference |")
    print("|---|---:|---:|---:|")
    for mode in ("memory", "multiprocess"):
        livez = run(mode, args.updates // 10, LIVEZ)
        extra = livez["with"] - livez["without"]
        print(f"| {mode} | {livez['with']:.1f} | {livez['without']:.1f} | {extra:+.1f} |")


if __name__ == "__main__":
    main()
