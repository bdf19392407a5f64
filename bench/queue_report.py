"""The waiting-room bench's report: the table and the details of each configuration."""

from __future__ import annotations

from typing import Any

import bench_report

# The targets for the polls, on one machine.
TARGET_POLLS_PER_S = 2000
TARGET_POLL_P99_MS = 50.0
# For scale: a customer polling every 5 s; the answers ask for 3 to 30 s (pollAfterSeconds).
POLL_INTERVAL_S = 5


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
        f"{c['order_inversions']} (among them the {c['let_through_at_once']} let through at "
        f"once); "
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
