"""Where the CPU went during a step: the server, PostgreSQL, the load client, or elsewhere.

Read from /proc (Linux): the machine's busy time from /proc/stat, and per process the user
and system time of the server's process group and of processes named ``postgres``. The
load client is this process plus its waited-for children (wrk). "Other" is what is left of
the machine's busy time: a sign that something else on the machine disturbed the step.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuSnapshot:
    """Cumulative CPU seconds at one instant."""

    at: float
    busy: float
    steal: float
    server: float
    postgres: float
    client: float


def _machine_busy() -> tuple[float, float]:
    """Busy and steal seconds, all cores together, since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    # user nice system idle iowait irq softirq steal: busy is the first seven but idle and
    # iowait; steal (time the hypervisor gave to others) is reported on its own.
    busy = sum(fields[:7]) - fields[3] - fields[4]
    steal = fields[7] if len(fields) > 7 else 0
    return busy / _TICK, steal / _TICK


def _process_times(server_pgid: int) -> tuple[float, float]:
    """CPU seconds of the server's process group, and of postgres processes."""
    server = postgres = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue  # the process ended meanwhile
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        rest = raw[raw.rindex(")") + 2 :].split()
        # After ")": state ppid pgrp session ... utime is field 14 of stat, rest[11].
        seconds = (int(rest[11]) + int(rest[12])) / _TICK
        if int(rest[2]) == server_pgid:
            server += seconds
        elif comm == "postgres":
            postgres += seconds
    return server, postgres


def _client_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def snapshot(server_pgid: int) -> CpuSnapshot:
    server, postgres = _process_times(server_pgid)
    busy, steal = _machine_busy()
    return CpuSnapshot(time.monotonic(), busy, steal, server, postgres, _client_seconds())


def usage(before: CpuSnapshot, after: CpuSnapshot, requests: int) -> dict[str, float]:
    """Busy % of the whole machine, CPU ms per request, and each part's share."""
    capacity = max(after.at - before.at, 1e-9) * (os.cpu_count() or 1)
    server = after.server - before.server
    postgres = after.postgres - before.postgres
    client = after.client - before.client
    busy = after.busy - before.busy
    per_request = 1000 / max(requests, 1)
    return {
        "machine_busy_pct": round(100 * busy / capacity, 1),
        "server_pct": round(100 * server / capacity, 1),
        "postgres_pct": round(100 * postgres / capacity, 1),
        "client_pct": round(100 * client / capacity, 1),
        "other_pct": round(100 * max(0.0, busy - server - postgres - client) / capacity, 1),
        "steal_pct": round(100 * (after.steal - before.steal) / capacity, 1),
        "server_ms_per_request": round(server * per_request, 3),
        "postgres_ms_per_request": round(postgres * per_request, 3),
    }
