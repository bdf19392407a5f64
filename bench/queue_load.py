"""The waiting-room bench's load: customers joining through the admin API from threads, and
polling their places with wrk; the server's CPU per request."""

from __future__ import annotations

import http.client
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bench_cpu
import bench_report
from bench_load import Target, percentile, run_wrk, wrk_json
from bench_server import Server
from queue_checks import REQUEST_TIMEOUT_S

HERE = Path(__file__).resolve().parent
POLL_SCRIPT = HERE / "wrk_queue_polls.lua"
JOIN_CLIENTS = 16
POLL_CLIENTS = (16, 64)
POSTGRES_NAME = "tp_queue_bench"


# --- joining -------------------------------------------------------------------------------


@dataclass
class Joined:
    """What the join step saw: per customer their token and place, and the timings."""

    tokens: dict[str, str] = field(default_factory=dict)  # customer -> token
    places: dict[str, int] = field(default_factory=dict)  # customer -> place number
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    finished_at: list[float] = field(default_factory=list)  # seconds from the start
    failures: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


class _Joiner(threading.Thread):
    """One shop server's worth of joins: a keep-alive connection, customers one after the
    other."""

    def __init__(
        self,
        base: str,
        key: str,
        event_id: int,
        type_id: int,
        customers: list[str],
        started: float,
    ) -> None:
        super().__init__(daemon=True)
        self.host, self.port = base.removeprefix("http://").split(":")
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        self.event_id = event_id
        self.type_id = type_id
        self.customers = customers
        self.started = started
        self.result = Joined()

    def run(self) -> None:
        out = self.result
        conn: http.client.HTTPConnection | None = None
        for customer in self.customers:
            body = json.dumps(
                {
                    "eventId": self.event_id,
                    "customerId": customer,
                    "items": [{"ticketTypeId": self.type_id, "quantity": 1}],
                }
            )
            conn = conn or http.client.HTTPConnection(self.host, int(self.port), REQUEST_TIMEOUT_S)
            sent = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/queue/join", body=body, headers=self.headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as error:
                out.failures += 1
                out.problems.append(f"{customer}: {type(error).__name__}: {error}")
                conn.close()
                conn = None
                continue
            now = time.perf_counter()
            out.latencies.append(now - sent)
            out.finished_at.append(now - self.started)
            out.statuses[response.status] += 1
            if response.status == 201:
                answer = json.loads(data)
                out.tokens[customer] = answer["token"]
                out.places[customer] = answer["place"]
            elif len(out.problems) < 5:
                out.problems.append(f"{customer}: {response.status} {data[:200]!r}")
            if response.will_close:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()


def join_all(base: str, key: str, event_id: int, type_id: int, count: int) -> Joined:
    """``count`` distinct customers join, from JOIN_CLIENTS threads at once."""
    customers = [f"cus-{n:06d}" for n in range(1, count + 1)]
    started = time.perf_counter()
    joiners = [
        _Joiner(base, key, event_id, type_id, customers[i::JOIN_CLIENTS], started)
        for i in range(JOIN_CLIENTS)
    ]
    for joiner in joiners:
        joiner.start()
    for joiner in joiners:
        while joiner.is_alive():
            joiner.join(timeout=15)
            done = sum(len(j.result.latencies) for j in joiners)
            print(f"    joined {done:,} of {count:,}", file=sys.stderr, flush=True)
    total = Joined(seconds=time.perf_counter() - started)
    for joiner in joiners:
        part = joiner.result
        total.tokens.update(part.tokens)
        total.places.update(part.places)
        total.statuses.update(part.statuses)
        total.latencies += part.latencies
        total.finished_at += part.finished_at
        total.failures += part.failures
        total.problems += part.problems
    bench_report.record_statuses(f"POST /api/v1/queue/join at {JOIN_CLIENTS}", total.statuses)
    return total


def join_figures(joined: Joined) -> dict[str, Any]:
    """Joins/s: the median of the run's whole seconds, and overall; latency percentiles."""
    per_second = Counter(int(t) for t in joined.finished_at)
    whole = [per_second[s] for s in range(int(joined.seconds))]  # the last, partial one out
    latencies = sorted(joined.latencies)
    return {
        "joins": len(latencies),
        "seconds": round(joined.seconds, 2),
        "per_s_median": statistics.median(whole) if whole else float(len(latencies)),
        "per_s_overall": len(latencies) / joined.seconds if joined.seconds else 0.0,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": (latencies[-1] if latencies else 0.0) * 1000,
        "statuses": {str(k): v for k, v in sorted(joined.statuses.items())},
        "socket_errors": joined.failures,
    }


# --- polling -------------------------------------------------------------------------------


def wrk_polls(
    wrk: str, base: str, tokens: Path, clients: int, seconds: int, offset: int
) -> dict[str, Any]:
    """One wrk run of polls: each request the next place's token."""
    cmd = [
        wrk, "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", f"{REQUEST_TIMEOUT_S}s",
        "-s", str(POLL_SCRIPT), base, "--", str(tokens), "1", str(offset),
    ]  # fmt: skip
    raw = wrk_json(cmd, seconds)
    bench_report.record_wrk(f"GET /api/v1/queue/<token> at {clients}", raw)
    seconds_run = raw["duration_us"] / 1e6
    sockets = sum(int(raw[k]) for k in ("connect", "read", "write", "timeout"))
    return {
        "clients": clients,
        "requests": int(raw["requests"]),
        "per_s": (raw["requests"] - raw["non200"]) / seconds_run,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "errors": int(raw["non200"]) + sockets,
        "answers": {k: int(raw[k]) for k in ("waiting", "admitted", "other")},
    }


def drain(base: str, timeout_s: float = 60.0) -> None:
    """Wait until the server has worked off what a step left queued: a quick /livez."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        started = time.monotonic()
        with urllib.request.urlopen(base + "/livez", timeout=timeout_s) as response:  # noqa: S310
            response.read()
        if time.monotonic() - started < 0.02:
            return


def _process_seconds(wanted: Any) -> float:
    """CPU seconds of the processes for which ``wanted(comm, cmdline)`` holds."""
    total = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
            comm = raw[raw.index("(") + 1 : raw.rindex(")")]
            if comm not in ("redis-server", "postgres"):
                continue
            title = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, UnicodeDecodeError):
            continue  # the process ended meanwhile
        if wanted(comm, title):
            rest = raw[raw.rindex(")") + 2 :].split()
            total += (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _ours(comm: str, title: str) -> bool:
    # Only the PostgreSQL backends serving this bench's database (their title names it):
    # other people's databases on a shared machine are "other".
    return comm == "redis-server" or f" {POSTGRES_NAME} " in title


class CpuMeter:
    """CPU over one step, per request: the server's, this bench's PostgreSQL backends', the
    Redis server's, and what the rest of the machine used (other)."""

    def __init__(self, server: Server) -> None:
        assert server.proc is not None
        self.pgid = server.proc.pid
        self.before = bench_cpu.snapshot(self.pgid)
        self.redis_before = _process_seconds(lambda c, _t: c == "redis-server")
        self.pg_before = _process_seconds(lambda c, t: c == "postgres" and _ours(c, t))

    def usage(self, requests: int) -> dict[str, float]:
        after = bench_cpu.snapshot(self.pgid)
        redis = _process_seconds(lambda c, _t: c == "redis-server") - self.redis_before
        pg = _process_seconds(lambda c, t: c == "postgres" and _ours(c, t)) - self.pg_before
        capacity = max(after.at - self.before.at, 1e-9) * (os.cpu_count() or 1)
        server = after.server - self.before.server
        client = after.client - self.before.client
        busy = after.busy - self.before.busy
        per = 1000 / max(requests, 1)
        return {
            "server_ms_per_request": round(server * per, 3),
            "postgres_ms_per_request": round(pg * per, 3),
            "redis_ms_per_request": round(redis * per, 3),
            "client_pct": round(100 * client / capacity, 1),
            "machine_busy_pct": round(100 * busy / capacity, 1),
            "other_pct": round(100 * max(0.0, busy - server - pg - redis - client) / capacity, 1),
        }


def poll_steps(
    wrk: str, server: Server, tokens: Path, seconds: int, customers: int
) -> list[dict[str, Any]]:
    """At each concurrency: GET /livez (the ceiling), then the polls, on an idle server."""
    base = server.base_url
    drain(base)
    wrk_polls(wrk, base, tokens, POLL_CLIENTS[0], 1, 0)  # warm-up: connections, caches
    offset = 0
    steps = []
    for clients in POLL_CLIENTS:
        drain(base)
        meter = CpuMeter(server)
        livez = run_wrk(wrk, Target(f"{base}/livez"), clients, seconds)
        livez_cpu = meter.usage(livez.requests)
        drain(base)
        meter = CpuMeter(server)
        polls = wrk_polls(wrk, base, tokens, clients, seconds, offset)
        polls["cpu"] = meter.usage(polls["requests"])
        offset = (offset + polls["requests"]) % customers
        polls["livez"] = {
            "per_s": livez.ok_per_s,
            "p50_ms": livez.p50_ms,
            "p99_ms": livez.p99_ms,
            "errors": livez.errors,
            "cpu": livez_cpu,
        }
        steps.append(polls)
        cpu = polls["cpu"]
        print(
            f"    polls c={clients:<3} {polls['per_s']:8.1f}/s p50 {polls['p50_ms']:6.2f} ms "
            f"p99 {polls['p99_ms']:6.2f} ms errors {polls['errors']} | livez "
            f"{livez.ok_per_s:8.1f}/s | ratio {polls['per_s'] / livez.ok_per_s:.3f} | server "
            f"{cpu['server_ms_per_request']} ms/poll, db {cpu['postgres_ms_per_request']}, "
            f"redis {cpu['redis_ms_per_request']}, other {cpu['other_pct']}% "
            f"| {polls['answers']}",
            file=sys.stderr,
            flush=True,
        )
    return steps


# --- the checks ----------------------------------------------------------------------------
