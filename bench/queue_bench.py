"""Benchmark: the waiting room (an event's queue) through the real server.

Run: .venv/bin/python bench/queue_bench.py [--store database|redis|all] [--db sqlite|postgres|both]
         [--customers 50000] [--rate 500] [--seconds 5]

For each store (the line in the database, or in Redis with ``TP_REDIS_URL``) and database:
a fresh database with one published event and one ticket type (the CLI, as bench_server
prepares it), an admin key, and `tp-bridge serve` (gunicorn, 2 workers). The bench switches
the waiting room on (``PUT /api/v1/events/{id}/queue``: ``--rate`` a minute, starting now),
then:

1. joins ``--customers`` distinct customers over HTTP (``POST /api/v1/queue/join``, 16 client
   threads with keep-alive connections): joins/s (the median of the run's whole seconds, and
   overall) and the latency percentiles;
2. polls the places with the tokens the joins returned (``GET /api/v1/queue/{token}``, wrk,
   every place in turn) at 16 and 64 connections: the sustained polls/s with p50/p99,
   against ``GET /livez`` on the same server (the ceiling);
3. checks the line from the data (the service's own line object, in-process): every place
   exists once, numbered 1..N, each the customer that was told so; turns follow the order of
   joining and replay exactly through ``schedule.next_turn``; no minute from the start lets
   more than the rate through; and the number admitted at chosen moments, in-process and
   through ``GET /api/v1/events/{id}/queue``, is exactly what the schedule says.

One setting differs from the shipped defaults, declared (bench_report.override) and printed:
``TP_TRUSTED_PROXIES=1``, as behind a reverse proxy, so each customer's polls come from their
own address (X-Forwarded-For) and the shipped per-address limit applies as in a real sale.
Joins are in the checkout class (5,000/second per key), so one key joins everyone. Redis
runs use DB 11 of the local server (``--redis-url``), flushed before and after. Exits
non-zero if any check fails or any request was answered 429 or 5xx.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_cpu  # noqa: E402
import bench_report  # noqa: E402
from bench_db import drop_postgres, fresh_postgres  # noqa: E402
from bench_load import Target, find_wrk, percentile, run_wrk, wrk_version  # noqa: E402
from bench_server import (  # noqa: E402
    ACCOUNT_NAME,
    Server,
    _cli,
    code_state,
    install_cleanup,
    prepare,
)

POLL_SCRIPT = HERE / "wrk_queue_polls.lua"
REDIS_URL = "redis://127.0.0.1:6379/11"
POSTGRES_NAME = "tp_queue_bench"
JOIN_CLIENTS = 16
POLL_CLIENTS = (16, 64)
REQUEST_TIMEOUT_S = 10
# The targets for the polls, on one machine.
TARGET_POLLS_PER_S = 2000
TARGET_POLL_P99_MS = 50.0
# A customer's page polls every 3 to 30 s (docs/waiting-room.md); the offered load is
# customers / interval.
POLL_INTERVAL_S = 5


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
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[:300]}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
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


def _line(store: str) -> Any:
    from tp_api.services.queue.db_line import DatabaseLine
    from tp_api.services.queue.redis_line import RedisLine

    # The service's own line object, with the service's namespace for Redis.
    return RedisLine(REDIS_URL) if store == "redis" else DatabaseLine()


def _admitted_by(admit_times: list[datetime], moment: datetime) -> int:
    """How many places' turns have come by ``moment`` (``admit_times`` sorted)."""
    import bisect

    return bisect.bisect_right(admit_times, moment)


def check_line(
    store: str, url: str, event_id: int, joined: Joined, base: str, key: str
) -> dict[str, Any]:
    """Read the line back and hold it to the schedule; every problem found is listed."""
    from tp_api.db import connect
    from tp_api.models import Event
    from tp_api.services.queue.room_settings import room_of
    from tp_api.services.queue.schedule import Tail, minute_index, next_turn

    db = connect(url)
    try:
        room = room_of(Event.get_by_id(event_id))
        line = _line(store)
        count = len(joined.tokens)
        places = line.places(event_id, 1, count + 100)
        length = line.length(event_id)
    finally:
        db.close_all()
    assert room.starts_at is not None
    starts, rate = room.starts_at, room.rate_per_minute
    problems: list[str] = []

    def check(ok: bool, what: str) -> None:
        if not ok:
            problems.append(what)

    seqs = [p.seq for p in places]
    check(seqs == list(range(1, count + 1)), f"places are not exactly 1..{count}: {len(seqs)}")
    check(length == count, f"the line's length is {length}, not {count}")
    refs = {p.seq: p.customer_ref for p in places}
    told = sum(1 for customer, seq in joined.places.items() if refs.get(seq) == customer)
    check(told == count, f"{count - told} customers' places hold another customer")
    check(len(set(refs.values())) == len(refs), "a customer holds two places")
    # Turns in the order of joining: each place's minute no earlier than the one before, and
    # its turn no earlier, except among places let through at once (their turn is their
    # joining clock, read before the line's lock: concurrent joins may read it out of order).
    pairs = list(zip(places, places[1:], strict=False))
    late = sum(
        1 for a, b in pairs if minute_index(b.admit_at, starts) < minute_index(a.admit_at, starts)
    )
    check(late == 0, f"{late} places have a later minute than the place behind them")
    earlier = [(a, b) for a, b in pairs if b.admit_at < a.admit_at]
    order = sum(1 for _a, b in earlier if b.admit_at != b.joined_at)
    check(order == 0, f"{order} places have a turn before the place ahead of them")
    skew_ms = max(((a.admit_at - b.admit_at).total_seconds() * 1000 for a, b in earlier), default=0)
    # Replay the schedule from the joining times: every turn exactly as next_turn gives it.
    tail, replay_wrong = Tail(), 0
    for place in places:
        turn = next_turn(tail, now=place.joined_at, starts_at=starts, rate=rate)
        replay_wrong += turn.seq != place.seq or turn.admit_at != place.admit_at
        tail = turn.tail
    check(replay_wrong == 0, f"{replay_wrong} turns differ from the schedule's replay")
    per_minute = Counter(minute_index(p.admit_at, starts) for p in places)
    busiest = max(per_minute.values(), default=0)
    check(busiest <= rate, f"a minute lets {busiest} through, above the rate {rate}")
    last = max(per_minute, default=0)
    short = [m for m in range(last) if per_minute[m] != rate and m > 0]
    check(not short, f"minutes before the last not full: {short[:5]}")
    first = per_minute[0]
    admit_times = sorted(p.admit_at for p in places)  # to count the turns come by a moment

    # The admitted count at chosen moments: in-process, and the closed form
    # min(N, rate x whole minutes since the first + the first minute's).
    moments = []
    for minutes in (1, 2, 5, 30, last, last + 1):
        for delta in (timedelta(milliseconds=-1), timedelta(0), timedelta(seconds=30)):
            moments.append(starts + minutes * timedelta(minutes=1) + delta)
    db = connect(url)
    try:
        through = {m: line.admitted_through(event_id, m) for m in moments}
    finally:
        db.close_all()
    exact = 0
    for moment, admitted in through.items():
        want = min(count, rate * minute_index(moment, starts) + first)
        data = _admitted_by(admit_times, moment)
        if admitted == want == data:
            exact += 1
        else:
            problems.append(f"at {moment}: line says {admitted}, data {data}, schedule {want}")

    # ... and through the API now, bracketed by the clock before and after the call.
    api = None
    for _ in range(3):
        before = datetime.now(UTC)
        figures = _get_json(f"{base}/api/v1/events/{event_id}/queue", key)["figures"]
        after = datetime.now(UTC)
        low, high = _admitted_by(admit_times, before), _admitted_by(admit_times, after)
        closed = min(count, rate * minute_index(before, starts) + first)
        api = {
            "at": before.isoformat(timespec="seconds"),
            "joined": figures["joined"],
            "admitted": figures["joined"] - figures["waiting"],
            "expected": low,
            "closed_form": closed,
        }
        if low == high:
            break
    assert api is not None
    check(api["joined"] == count, f"the API says {api['joined']} joined, not {count}")
    check(
        api["admitted"] == api["expected"] == api["closed_form"],
        f"the API's admitted count {api['admitted']} is not {api['expected']}",
    )
    polled = check_polls(base, joined, places, admit_times, starts)
    problems += polled["problems"]
    return {
        "places": len(places),
        "starts_at": starts.isoformat(),
        "rate": rate,
        "minutes": last + 1,
        "first_minute": first,
        "busiest_minute": busiest,
        "replay_mismatches": replay_wrong,
        "order_inversions": order,
        "at_once_inversions": len(earlier),
        "at_once_skew_ms": round(skew_ms, 3),
        "let_through_at_once": sum(1 for p in places if p.admit_at == p.joined_at),
        "admitted_moments_exact": f"{exact} of {len(through)}",
        "api": api,
        "polls_checked": polled["checked"],
        "problems": problems,
    }


def _get_json(url: str, key: str = "") -> Any:
    request = urllib.request.Request(url)  # noqa: S310 - loopback
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:  # noqa: S310
        statuses = {response.status: 1}
        data = json.loads(response.read())
    bench_report.record_statuses("checks", statuses)
    return data


def check_polls(
    base: str, joined: Joined, places: list[Any], admit_times: list[datetime], starts: datetime
) -> dict[str, Any]:
    """What 300 customers' polls say, against the data: their place, state and position."""
    by_seq = {p.seq: p for p in places}
    chosen = random.Random(7).sample(sorted(joined.tokens), min(300, len(joined.tokens)))
    problems = []
    for customer in chosen:
        before = datetime.now(UTC)
        answer = _get_json(f"{base}/api/v1/queue/{joined.tokens[customer]}")
        after = datetime.now(UTC)
        place = by_seq.get(answer["place"])
        if place is None or place.customer_ref != customer:
            problems.append(f"poll of {customer}: place {answer['place']} is not theirs")
            continue
        states = {place.state(before), place.state(after)}
        ahead = {
            max(0, place.seq - _admitted_by(admit_times, moment) - 1) for moment in (before, after)
        }
        if answer["status"] not in states:
            problems.append(f"poll of {customer}: {answer['status']}, data says {states}")
        elif answer["status"] == "waiting" and not (min(ahead) <= answer["position"] <= max(ahead)):
            problems.append(f"poll of {customer}: position {answer['position']}, data {ahead}")
    return {"checked": len(chosen), "problems": problems[:10]}


# --- one configuration ---------------------------------------------------------------------


def _redis_flush() -> None:
    """Empty DB 11 (this bench's own database on the local Redis)."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def _put_queue(base: str, key: str, event_id: int, rate: int) -> datetime:
    """Switch the waiting room on, starting now (whole seconds, as a seller would type it)."""
    starts = datetime.now(UTC).replace(microsecond=0)
    body = json.dumps(
        {"queueEnabled": True, "ratePerMinute": rate, "startsAt": starts.isoformat()}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{base}/api/v1/events/{event_id}/queue",
        data=body,
        method="PUT",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:  # noqa: S310
        bench_report.record_statuses("PUT /api/v1/events/{id}/queue", {response.status: 1})
        answer = json.loads(response.read())
    if not answer["queueEnabled"] or answer["ratePerMinute"] != rate:
        raise RuntimeError(f"the waiting room did not switch on: {answer}")
    return starts


def run_one(store: str, db: str, args: argparse.Namespace, wrk: str) -> dict[str, Any]:
    """Prepare, serve, join, poll and check one store on one database."""
    workdir = Path(tempfile.mkdtemp(prefix=f"tp-queue-bench-{store}-{db}-"))
    if db == "sqlite":
        url = f"sqlite:///{workdir / 'queue.sqlite3'}"
    else:
        url = fresh_postgres(POSTGRES_NAME)
    if store == "redis":
        _redis_flush()
        os.environ["TP_REDIS_URL"] = REDIS_URL
    try:
        fixture = prepare(url, workdir, stock=args.customers * 2)
        admin = json.loads(_cli(url, "key", "create", "--account", ACCOUNT_NAME, "--admin"))
        key = admin["key"]
        result: dict[str, Any] = {"store": store, "db": db}
        with Server(url, workdir, workers=args.workers, threads=1) as server:
            base = server.base_url
            starts = _put_queue(base, key, fixture.event_id, args.rate)
            print(f"  [{store}/{db}] joining {args.customers:,} ...", file=sys.stderr, flush=True)
            meter = CpuMeter(server)
            joined = join_all(base, key, fixture.event_id, fixture.ticket_type_id, args.customers)
            result["joins"] = join_figures(joined)
            result["joins"]["cpu"] = meter.usage(len(joined.latencies))
            j = result["joins"]
            print(
                f"    joins: {j['per_s_median']:.0f}/s median ({j['per_s_overall']:.0f} overall)"
                f" p50 {j['p50_ms']:.1f} ms p99 {j['p99_ms']:.1f} ms {j['statuses']} "
                f"server {j['cpu']['server_ms_per_request']} ms/join",
                file=sys.stderr,
                flush=True,
            )
            tokens = workdir / "tokens.txt"
            shuffled = list(joined.tokens.values())
            random.Random(1).shuffle(shuffled)
            tokens.write_text("\n".join(shuffled) + "\n")
            result["polls"] = poll_steps(wrk, server, tokens, args.seconds, len(shuffled))
            result["checks"] = check_line(store, url, fixture.event_id, joined, base, key)
            result["checks"]["starts_at_put"] = starts.isoformat()
            result["join_problems"] = joined.problems[:5]
            result["server_errors"] = server.error_lines()[:10]
        for problem in result["checks"]["problems"]:
            print(f"    CHECK FAILED: {problem}", file=sys.stderr)
        return result
    finally:
        os.environ.pop("TP_REDIS_URL", None)
        if store == "redis":
            _redis_flush()
        if db == "postgres":
            drop_postgres(POSTGRES_NAME)


# --- the report ----------------------------------------------------------------------------


def _ok(flag: bool) -> str:
    return "PASS" if flag else "MISS"


def _table(data: dict[str, Any]) -> list[str]:
    """The markdown table: a row per store, database and poll concurrency."""
    lines = [
        "| store | database | joins/s (median) | join p50 / p99 ms | conns | polls/s | "
        "p50 ms | p99 ms | livez/s | polls ÷ livez | server ms/poll |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in data["results"].items():
        if "error" in result:
            lines.append(f"| {name} | FAILED: {result['error']} |")
            continue
        j = result["joins"]
        for n, step in enumerate(result["polls"]):
            lead = (
                f"| {result['store']} | {bench_report.DB_TITLES[result['db']]} | "
                f"{j['per_s_median']:,.0f} | {j['p50_ms']:.1f} / {j['p99_ms']:.1f} "
                if n == 0
                else "| | | | "
            )
            livez = step["livez"]["per_s"]
            lines.append(
                f"{lead}| {step['clients']} | {step['per_s']:,.0f} | {step['p50_ms']:.1f} "
                f"| {step['p99_ms']:.1f} | {livez:,.0f} | {step['per_s'] / livez:.2f} "
                f"| {step['cpu']['server_ms_per_request']:.2f} |"
            )
    return lines


def _details(name: str, result: dict[str, Any]) -> tuple[list[str], list[str]]:
    """One configuration's counts, CPU, checks and targets; and its failures."""
    c, j = result["checks"], result["joins"]
    lines = [
        f"{name}:",
        f"  joins: {j['joins']:,} in {j['seconds']} s ({j['per_s_overall']:.0f}/s overall, "
        f"{j['per_s_median']:.0f}/s median second), answers {j['statuses']}, socket "
        f"errors {j['socket_errors']}, server {j['cpu']['server_ms_per_request']} ms/join, "
        f"db {j['cpu']['postgres_ms_per_request']}, redis "
        f"{j['cpu']['redis_ms_per_request']}, client {j['cpu']['client_pct']}%, other "
        f"{j['cpu']['other_pct']}%",
    ]
    for step in result["polls"]:
        cpu = step["cpu"]
        lines.append(
            f"  polls at {step['clients']}: {step['requests']:,} answers {step['answers']}, "
            f"errors {step['errors']}, max {step['max_ms']:.0f} ms; server "
            f"{cpu['server_ms_per_request']} ms/poll (livez "
            f"{step['livez']['cpu']['server_ms_per_request']}), db "
            f"{cpu['postgres_ms_per_request']}, redis {cpu['redis_ms_per_request']}, "
            f"machine busy {cpu['machine_busy_pct']}%, client {cpu['client_pct']}%, "
            f"other {cpu['other_pct']}% (livez step: {step['livez']['cpu']['other_pct']}%)"
        )
    api = c["api"]
    best = max(result["polls"], key=lambda s: s["per_s"])
    at16 = result["polls"][0]
    lines += [
        f"  line: {c['places']:,} places over {c['minutes']} minutes from {c['starts_at']}; "
        f"first minute {c['first_minute']}, busiest {c['busiest_minute']} (rate {c['rate']})"
        f"; replay mismatches {c['replay_mismatches']}; turns out of joining order "
        f"{c['order_inversions']} (among the {c['let_through_at_once']} let through at "
        f"once: {c['at_once_inversions']} by at most {c['at_once_skew_ms']} ms); "
        f"admitted exact at {c['admitted_moments_exact']} moments",
        f"  API at {api['at']}: joined {api['joined']:,}, admitted {api['admitted']:,} "
        f"(data {api['expected']:,}, min(N, rate x minutes + first) {api['closed_form']:,})"
        f"; {c['polls_checked']} polls checked against the data",
        f"  targets: >= {TARGET_POLLS_PER_S} polls/s {_ok(best['per_s'] >= TARGET_POLLS_PER_S)}"
        f" ({best['per_s']:.0f} at {best['clients']}) | p99 < {TARGET_POLL_P99_MS:g} ms at "
        f"{at16['clients']} {_ok(at16['p99_ms'] < TARGET_POLL_P99_MS)} "
        f"({at16['p99_ms']:.1f}) | admitted count exact {_ok(not c['problems'])}",
    ]
    failures = [f"{name}: {problem}" for problem in c["problems"]]
    lines += [f"  CHECK FAILED: {problem}" for problem in c["problems"]]
    lines += [f"  server/join problem: {x[:200]}" for x in result["server_errors"]]
    lines += [f"  server/join problem: {x[:200]}" for x in result["join_problems"]]
    if result["server_errors"]:
        failures.append(f"{name}: server log has errors")
    if j["socket_errors"] or any(s["errors"] for s in result["polls"]):
        failures.append(f"{name}: requests failed")
    return lines, failures


def report(data: dict[str, Any]) -> list[str]:
    """Print the report; returns the failures (checks not passed; targets are reported)."""
    m = data["machine"]
    print("=" * 100)
    print("tp-bridge benchmark: the waiting room (POST /api/v1/queue/join, GET /api/v1/queue/…)")
    print(
        f"machine: nproc {m['nproc']} | CPU {m['cpu']} | Python {m['python']} "
        f"| load avg at start {' '.join(map(str, m['load_average_at_start']))}"
    )
    print(f"load client: {m['load_client']}")
    print(f"command: {m['command']}   (this run: {m['run_args']})")
    print(f"started: {m['started_at']}")
    print(*bench_report.code_lines(data), sep="\n")
    print(
        f"customers {data['customers']:,}, rate {data['rate']}/minute, gunicorn "
        f"{data['workers']} workers; a customer polling every {POLL_INTERVAL_S} s would offer "
        f"{data['customers'] / POLL_INTERVAL_S:,.0f} polls/s"
    )
    print(*_table(data), sep="\n")
    failures = []
    for name, result in data["results"].items():
        if "error" in result:
            failures.append(f"{name}: {result['error']}")
            continue
        lines, failed = _details(name, result)
        print("", *lines, sep="\n")
        failures += failed
    print("=" * 100)
    return failures


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=["database", "redis", "all"], default="all")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--rate", type=int, default=500, help="admissions per minute")
    parser.add_argument("--seconds", type=int, default=5, help="per poll step")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args(argv)
    install_cleanup()
    bench_report.override(
        "TP_TRUSTED_PROXIES",
        "1",
        "as behind the reverse proxy a production install runs behind: each customer's polls "
        "carry their own address in X-Forwarded-For (10.x.y.z by place), so the public "
        "class's shipped 300/minute per address counts them as 50,000 customers, not one",
    )
    os.environ.pop("TP_REDIS_URL", None)  # the database store runs as shipped
    wrk = find_wrk()
    if wrk is None:
        sys.exit("wrk is needed (apt-get install wrk)")
    stores = ["database", "redis"] if args.store == "all" else [args.store]
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    data: dict[str, Any] = {
        "machine": bench_report.machine_info(
            sys.argv, argv, f"{wrk_version(wrk)}, 1 thread (polls); {JOIN_CLIENTS} Python threads"
        ),
        "code": code_state(),
        "customers": args.customers,
        "rate": args.rate,
        "workers": args.workers,
        "results": {},
    }
    for store in stores:
        for db in dbs:
            name = f"{store}/{db}"
            bench_report.section(name)
            print(f"{name} ...", file=sys.stderr, flush=True)
            try:
                data["results"][name] = run_one(store, db, args, wrk)
            except Exception as error:  # noqa: BLE001 - report it and go on with the next
                import traceback

                traceback.print_exc()
                data["results"][name] = {"error": f"{type(error).__name__}: {error}"}
    data["code_at_end"] = code_state()
    failures = report(data)
    bench_report.RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = bench_report.RESULTS_DIR / f"queue-{stamp}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    print(f"results written to {path}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return (1 if failures else 0) | bench_report.verdict("queue_bench")


if __name__ == "__main__":
    sys.exit(main())
