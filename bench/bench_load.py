"""Closed-loop load for a fixed time: wrk when it is there, else threads with http.client.

Both report the same :class:`LoadResult`: responses received, how many were not 200 (plus
socket errors and time-outs), and latency percentiles. A "post" target sends single-ticket
paid orders, each with a ``wp_order_id`` no other request of the run uses.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import bench_report

LUA_SCRIPT = Path(__file__).resolve().parent / "wrk_orders.lua"
REQUEST_TIMEOUT_S = 10
APT_TIMEOUT_S = 300
ORDER_TEMPLATE = (
    '{"wp_order_id":"%s-%d-%d","wp_user_id":%d,"date_paid":"2026-06-01T10:01:00Z",'
    '"order_lines":[{"tp_event_ticket_id":%d,"name":"GA","quantity":1,"product_id":1,'
    '"order_item_type":"line_item","unit_price":29.95}]}'
)


@dataclass(frozen=True)
class Target:
    """What to send: a GET of ``url``, or (``post``) orders for one ticket type."""

    url: str
    post: bool = False
    ticket_type_id: int = 0
    prefix: str = "run"


@dataclass
class LoadResult:
    """One timed step: ``clients`` connections hammering one target for ``seconds``."""

    name: str
    clients: int
    seconds: float
    requests: int
    non200: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    client: str
    detail: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return self.non200 + self.socket_errors

    @property
    def ok_per_s(self) -> float:
        """Responses with status 200 per second."""
        return (self.requests - self.non200) / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        data = dict(self.__dict__)
        data.update(errors=self.errors, ok_per_s=round(self.ok_per_s, 1))
        return data


def order_body(prefix: str, worker: int, n: int, ticket_type_id: int) -> str:
    """A single-ticket paid order whose wp_order_id is ``prefix-worker-n``."""
    return ORDER_TEMPLATE % (prefix, worker, n, n, ticket_type_id)


def step_name(target: Target, clients: int) -> str:
    """How a step is named in the 429/5xx verdict: method, path and connections."""
    parts = urlsplit(target.url)
    return f"{'POST' if target.post else 'GET'} {parts.path} at {clients} client(s)"


# --- wrk ---------------------------------------------------------------------------------


def find_wrk(install: bool = True) -> str | None:
    """The wrk binary; when missing, one attempt to apt-get it (with an update if needed)."""
    found = shutil.which("wrk")
    if found or not install or not shutil.which("apt-get"):
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if not _apt(["apt-get", "install", "-y", "wrk"], env):
        _apt(["apt-get", "update"], env)
        _apt(["apt-get", "install", "-y", "wrk"], env)
    return shutil.which("wrk")


def _apt(cmd: list[str], env: dict[str, str]) -> bool:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, timeout=APT_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def wrk_version(wrk: str) -> str:
    """``wrk debian/4.1.0-3+b2`` from wrk's banner."""
    done = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10, check=False)
    words = (done.stdout or done.stderr).split()
    return " ".join(words[:2]) if words else "wrk"


def wrk_json(cmd: list[str], seconds: float) -> dict[str, Any]:
    """Run a wrk command whose Lua script's done() prints a ``BENCH_JSON {...}`` line; that
    line's figures. RuntimeError (with wrk's first words) when wrk fails or prints none."""
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        output = (done.stderr or done.stdout).strip().splitlines()[:3]
        raise RuntimeError(f"wrk failed ({done.returncode}): {' / '.join(output)}")
    raw: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
    return raw


def run_wrk(
    wrk: str, target: Target, clients: int, seconds: float, *, threads: int = 1
) -> LoadResult:
    """One wrk run (whole seconds, at least 1); the Lua script's done() hook reports as JSON."""
    seconds = max(1, round(seconds))
    cmd = [
        wrk, f"-t{max(1, min(threads, clients))}", f"-c{clients}", f"-d{seconds}s",
        "--timeout", f"{REQUEST_TIMEOUT_S}s", "-s", str(LUA_SCRIPT), target.url,
        "--", "post" if target.post else "get", target.prefix, str(target.ticket_type_id),
    ]  # fmt: skip
    raw = wrk_json(cmd, seconds)
    bench_report.record_wrk(step_name(target, clients), raw)
    sockets = {k: int(raw[k]) for k in ("connect", "read", "write", "timeout")}
    return LoadResult(
        name="",
        clients=clients,
        seconds=raw["duration_us"] / 1e6,
        requests=int(raw["requests"]),
        non200=int(raw["non200"]),
        socket_errors=sum(sockets.values()),
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        client="wrk",
        detail=sockets,
    )


# --- Python fallback ---------------------------------------------------------------------


class _Worker(threading.Thread):
    """One client: a keep-alive http.client connection, reopened when the server closes it."""

    def __init__(self, target: Target, index: int, deadline: float) -> None:
        super().__init__(daemon=True)
        parts = urlsplit(target.url)
        self.target = target
        self.index = index
        self.deadline = deadline
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.path = parts.path + (f"?{parts.query}" if parts.query else "")
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.failures = 0

    def _body(self, n: int) -> str | None:
        if not self.target.post:
            return None
        return order_body(self.target.prefix, self.index, n, self.target.ticket_type_id)

    def run(self) -> None:
        conn: http.client.HTTPConnection | None = None
        method = "POST" if self.target.post else "GET"
        headers = {"Content-Type": "application/json"} if self.target.post else {}
        n = 0
        while time.monotonic() < self.deadline:
            n += 1
            conn = conn or http.client.HTTPConnection(self.host, self.port, REQUEST_TIMEOUT_S)
            started = time.perf_counter()
            try:
                conn.request(method, self.path, body=self._body(n), headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                self.failures += 1
                conn.close()
                conn = None
                continue
            self.latencies.append(time.perf_counter() - started)
            self.statuses[response.status] += 1
            if response.will_close:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list (0.0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(pct / 100 * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def run_python(target: Target, clients: int, seconds: float) -> LoadResult:
    """The fallback load generator: ``clients`` threads for ``seconds``."""
    started = time.monotonic()
    workers = [_Worker(target, i + 1, started + seconds) for i in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=seconds + REQUEST_TIMEOUT_S + 5)
    elapsed = time.monotonic() - started
    latencies = sorted(x for w in workers for x in w.latencies)
    statuses: Counter[int] = sum((w.statuses for w in workers), Counter())
    bench_report.record_statuses(step_name(target, clients), statuses)
    return LoadResult(
        name="",
        clients=clients,
        seconds=elapsed,
        requests=len(latencies),
        non200=sum(n for status, n in statuses.items() if status != 200),
        socket_errors=sum(w.failures for w in workers),
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        max_ms=(latencies[-1] if latencies else 0.0) * 1000,
        client="python",
        detail={str(status): n for status, n in sorted(statuses.items())},
    )


def run_load(wrk: str | None, target: Target, clients: int, seconds: float) -> LoadResult:
    """Run one step with wrk if given (whole seconds), else with the Python client."""
    if wrk:
        return run_wrk(wrk, target, clients, seconds)
    return run_python(target, clients, seconds)
