"""Benchmark: what counting and timing a request costs (config/metrics_http.py's hooks).

Times the two metric updates each request makes (one counter, one histogram, by endpoint
class and status), in memory (the daemon, the worker, tests) and in prometheus_client's
multiprocess mode (``tp-bridge serve``: values in files shared by gunicorn's workers), and a
scrape of ``/metrics``'s counters. Each in a child process, because prometheus_client chooses
where values live when the first metric is made.

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


def run(mode: str, updates: int) -> dict[str, float]:
    """One child process's figures; ``mode`` is ``memory`` or ``multiprocess``."""
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    with tempfile.TemporaryDirectory(prefix="tp-metrics-bench-") as directory:
        if mode == "multiprocess":
            env["PROMETHEUS_MULTIPROC_DIR"] = directory
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(updates)],
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


if __name__ == "__main__":
    main()
