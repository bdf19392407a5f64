"""The waiting-room bench's checks: the line read back from the data and held to the schedule
(places, turns, the rate, the admitted count) and to what the API answers. Every problem
found is listed; bench/queue_bench.py fails the run on any."""

from __future__ import annotations

import bisect
import json
import random
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import bench_report

REDIS_URL = "redis://127.0.0.1:6379/11"
REQUEST_TIMEOUT_S = 10


@dataclass
class Findings:
    """What the checks found: figures for the report, problems for the verdict."""

    figures: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.problems.append(what)


def _line(store: str) -> Any:
    from tp_api.services.queue.db_line import DatabaseLine
    from tp_api.services.queue.redis_line import RedisLine

    # The service's own line object, with the service's namespace for Redis.
    return RedisLine(REDIS_URL) if store == "redis" else DatabaseLine()


def _admitted_by(admit_times: list[datetime], moment: datetime) -> int:
    """How many places' turns have come by ``moment`` (``admit_times`` sorted)."""
    return bisect.bisect_right(admit_times, moment)


def check_line(
    store: str, url: str, event_id: int, joined: Any, base: str, key: str
) -> dict[str, Any]:
    """Read the line back and hold it to the schedule; every problem found is listed.
    ``joined`` is the bench's record of the joins (customer -> place and token)."""
    from tp_api.db import connect
    from tp_api.models import Event
    from tp_api.services.queue.room_settings import room_of

    count = len(joined.tokens)
    db = connect(url)
    try:
        room = room_of(Event.get_by_id(event_id))
        line = _line(store)
        places = line.places(event_id, 1, count + 100)
        length = line.length(event_id)
    finally:
        db.close_all()
    assert room.starts_at is not None
    found = Findings()
    _check_places(found, places, joined, count, length)
    _check_turns(found, places, room.starts_at, room.rate_per_minute)
    admit_times = sorted(p.admit_at for p in places)  # to count the turns come by a moment
    _check_admitted(found, url, line, event_id, admit_times, room.starts_at, room.rate_per_minute)
    _check_api(found, base, key, event_id, count, admit_times, room.starts_at, room.rate_per_minute)
    polled = check_polls(base, joined, places, admit_times)
    found.problems += polled["problems"]
    return {**found.figures, "polls_checked": polled["checked"], "problems": found.problems}


def _check_places(found: Findings, places: list[Any], joined: Any, count: int, length: int) -> None:
    seqs = [p.seq for p in places]
    found.check(seqs == list(range(1, count + 1)), f"places are not exactly 1..{count}")
    found.check(length == count, f"the line's length is {length}, not {count}")
    refs = {p.seq: p.customer_ref for p in places}
    told = sum(1 for customer, seq in joined.places.items() if refs.get(seq) == customer)
    found.check(told == count, f"{count - told} customers' places hold another customer")
    found.check(len(set(refs.values())) == len(refs), "a customer holds two places")
    found.figures["places"] = len(places)


def _check_turns(found: Findings, places: list[Any], starts: datetime, rate: int) -> None:
    """Turns in the order of joining, exactly as the schedule replays them, none above the
    rate in any minute, every minute before the last full."""
    from tp_api.services.queue.schedule import Tail, minute_index, next_turn

    pairs = list(zip(places, places[1:], strict=False))
    late = sum(
        1 for a, b in pairs if minute_index(b.admit_at, starts) < minute_index(a.admit_at, starts)
    )
    found.check(late == 0, f"{late} places have a later minute than the place behind them")
    earlier = [(a, b) for a, b in pairs if b.admit_at < a.admit_at]
    found.check(not earlier, f"{len(earlier)} places have a turn before the place ahead")
    tail, replay_wrong = Tail(), 0
    for place in places:
        turn = next_turn(tail, now=place.joined_at, starts_at=starts, rate=rate)
        replay_wrong += turn.seq != place.seq or turn.admit_at != place.admit_at
        tail = turn.tail
    found.check(replay_wrong == 0, f"{replay_wrong} turns differ from the schedule's replay")
    per_minute = Counter(minute_index(p.admit_at, starts) for p in places)
    busiest = max(per_minute.values(), default=0)
    found.check(busiest <= rate, f"a minute lets {busiest} through, above the rate {rate}")
    last = max(per_minute, default=0)
    short = [m for m in range(1, last) if per_minute[m] != rate]
    found.check(not short, f"minutes before the last not full: {short[:5]}")
    found.figures.update(
        starts_at=starts.isoformat(),
        rate=rate,
        minutes=last + 1,
        first_minute=per_minute[0],
        busiest_minute=busiest,
        replay_mismatches=replay_wrong,
        order_inversions=len(earlier),
        let_through_at_once=sum(1 for p in places if p.admit_at == p.joined_at),
    )


def _check_admitted(
    found: Findings,
    url: str,
    line: Any,
    event_id: int,
    admit_times: list[datetime],
    starts: datetime,
    rate: int,
) -> None:
    """The admitted count at chosen moments, in-process: the data, the line and the closed
    form min(N, rate x whole minutes since the start + the first minute's) agree."""
    from tp_api.db import connect
    from tp_api.services.queue.schedule import minute_index

    count, first, last = len(admit_times), found.figures["first_minute"], found.figures["minutes"]
    moments = [
        starts + minutes * timedelta(minutes=1) + delta
        # From the end of the first minute on: within it, places are let through as they
        # join (the line opened at the PUT), which the closed form does not describe.
        for minutes in sorted({1, 2, 5, 30, last - 1, last} - {0})
        for delta in (timedelta(milliseconds=-1), timedelta(0), timedelta(seconds=30))
    ]
    db = connect(url)
    try:
        through = {m: line.admitted_through(event_id, m) for m in moments}
    finally:
        db.close_all()
    exact = 0
    for moment, admitted in through.items():
        want = min(count, rate * minute_index(moment, starts) + first)
        data = _admitted_by(admit_times, moment)
        exact += admitted == want == data
        found.check(
            admitted == want == data,
            f"at {moment}: line says {admitted}, data {data}, schedule {want}",
        )
    found.figures["admitted_moments_exact"] = f"{exact} of {len(through)}"


def _check_api(
    found: Findings,
    base: str,
    key: str,
    event_id: int,
    count: int,
    admit_times: list[datetime],
    starts: datetime,
    rate: int,
) -> None:
    """The API's figures now, bracketed by the clock before and after the call."""
    from tp_api.services.queue.schedule import minute_index

    api: dict[str, Any] = {}
    first = found.figures["first_minute"]
    for _ in range(3):
        before = datetime.now(UTC)
        figures = _get_json(f"{base}/api/v1/events/{event_id}/queue", key)["figures"]
        after = datetime.now(UTC)
        low, high = _admitted_by(admit_times, before), _admitted_by(admit_times, after)
        api = {
            "at": before.isoformat(timespec="seconds"),
            "joined": figures["joined"],
            "admitted": figures["joined"] - figures["waiting"],
            "expected": low,
            "closed_form": min(count, rate * minute_index(before, starts) + first),
        }
        if low == high:
            break
    found.check(api["joined"] == count, f"the API says {api['joined']} joined, not {count}")
    found.check(
        api["admitted"] == api["expected"] == api["closed_form"],
        f"the API's admitted count {api['admitted']} is not {api['expected']}",
    )
    found.figures["api"] = api


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
    base: str, joined: Any, places: list[Any], admit_times: list[datetime]
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
