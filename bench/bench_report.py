"""The machine description, the printed tables and the JSON file of a benchmark run."""

from __future__ import annotations

import json
import os
import platform
import shlex
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"
# Orders per second wanted at 32 clients, and the p99 latency bound (ms) for every database.
TARGET_ORDERS_PER_S = {"sqlite": 600, "postgres": 350}
TARGET_CLIENTS = 32
TARGET_P99_MS = 100.0
DB_TITLES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
# What every step of every bench has answered, by step: (responses, 429s, 5xxs).
_TALLY: dict[str, Counter[str]] = {}
# The part of the run now measuring (the database), named in front of every step.
_SECTION = [""]
# Settings a bench runs with other than the shipped defaults: name -> (value, why).
_OVERRIDES: dict[str, tuple[str, str]] = {}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def nproc() -> str:
    try:
        return subprocess.run(
            ["nproc"], capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return str(os.cpu_count())


def command_line(argv: list[str]) -> str:
    """The command as typed, relative to the project when possible."""
    exe = os.path.relpath(sys.executable) if sys.executable else "python"
    return shlex.join([exe, *argv])


def machine_info(argv: list[str], run_args: list[str], load_client: str) -> dict[str, Any]:
    """The machine, the command as typed (``argv``) and this run's own options."""
    return {
        "nproc": nproc(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "load_client": load_client,
        "command": command_line(argv),
        "run_args": shlex.join(run_args),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_json(data: dict[str, Any]) -> Path:
    """bench/results/orders-<UTC timestamp>.json."""
    RESULTS_DIR.mkdir(exist_ok=True)
    gitignore = RESULTS_DIR / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("*.json\n")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"orders-{stamp}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


# --- the printed report ------------------------------------------------------------------

_HEAD = (
    " clients | orders/s | p50 ms | p99 ms | errors | cpu ms/order | busy% | other% "
    "|  livez/s | p50 ms | p99 ms | errors | orders/livez"
)
_LEGEND = (
    " cpu ms/order: server + PostgreSQL CPU per order; busy%: whole machine "
    "(all cores); other%: CPU used outside the benchmark (disturbance)"
)


def _row(orders: dict[str, Any], livez: dict[str, Any]) -> str:
    ratio = orders["ok_per_s"] / livez["ok_per_s"] if livez["ok_per_s"] else 0.0
    cpu = orders["cpu"]
    per_order = cpu["server_ms_per_request"] + cpu["postgres_ms_per_request"]
    return (
        f" {orders['clients']:>7} | {orders['ok_per_s']:>8.1f} | {orders['p50_ms']:>6.2f} "
        f"| {orders['p99_ms']:>6.2f} | {orders['errors']:>6} | {per_order:>12.2f} "
        f"| {cpu['machine_busy_pct']:>5.1f} | {cpu['other_pct']:>6.1f} "
        f"| {livez['ok_per_s']:>8.1f} | {livez['p50_ms']:>6.2f} | {livez['p99_ms']:>6.2f} "
        f"| {livez['errors']:>6} | {ratio:>12.3f}"
    )


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def target_lines(db: str, steps: list[dict[str, Any]]) -> list[str]:
    """The team's targets at 32 clients, checked."""
    at = next((s["orders"] for s in steps if s["orders"]["clients"] == TARGET_CLIENTS), None)
    if at is None:
        return [f" targets: not measured ({TARGET_CLIENTS} clients not in this run)"]
    want = TARGET_ORDERS_PER_S[db]
    return [
        f" targets @{TARGET_CLIENTS} clients: >= {want} orders/s {_verdict(at['ok_per_s'] >= want)}"
        f" ({at['ok_per_s']:.1f}) | p99 < {TARGET_P99_MS:g} ms "
        f"{_verdict(at['p99_ms'] < TARGET_P99_MS)} ({at['p99_ms']:.1f}) | no errors "
        f"{_verdict(at['errors'] == 0)} ({at['errors']})"
    ]


def race_line(race: dict[str, Any] | None) -> str:
    if race is None:
        return " race: skipped"
    other = ", ".join(f"{k} x{v}" for k, v in race["other"].items()) or "none"
    return (
        f" race: {race['orders']} orders at once, stock {race['stock']}: "
        f"200 x{race['ok']}, 409 x{race['sold_out']}, other: {other}; "
        f"stock left per GET /tp-api/events: {race['available_after']} -> "
        f"{'OK' if race['correct'] else 'WRONG'} ({race['seconds']:.2f} s)"
    )


def _log_lines(title: str, part: dict[str, Any]) -> list[str]:
    errors = part["server_errors"]
    lines = [f" {title}: {len(errors)} error line(s)"]
    if errors:
        lines += [f"   {line[:160]}" for line in errors[:3]]
        last = (part["server_first_traceback"] or "").strip().splitlines()[-1:]
        lines += [f"   first traceback ends: {line[:160]}" for line in last]
    return lines


def server_lines(result: dict[str, Any]) -> list[str]:
    lines = [
        f" sold per GET /tp-api/events: {result['sold_per_api']} "
        f"(200s counted by the client, warm-up included: {result['ok_counted']})",
    ]
    lines += _log_lines("server log", result)
    race = result.get("race")
    if race and race["server_errors"]:
        lines += _log_lines("race server log", race)
    return lines


def code_lines(data: dict[str, Any]) -> list[str]:
    """The code under test, and a warning if it changed while the benchmark ran."""
    code, end = data["code"], data.get("code_at_end", data["code"])
    changed = ", ".join(code["changed"]) or "none"
    lines = [f"code: {code['commit']}, uncommitted changes in tp_api/ config/: {changed}"]
    if end["diff_sha1"] != code["diff_sha1"]:
        lines.append("WARNING: tp_api/ or config/ changed during the run: numbers may mix versions")
    return lines


def db_table(db: str, result: dict[str, Any]) -> list[str]:
    if "error" in result:
        return ["", f"{DB_TITLES[db]}: FAILED: {result['error']}"]
    cfg = result["config"]
    lines = [
        "",
        f"{DB_TITLES[db]}: tp-bridge serve --workers {cfg['workers']} --threads {cfg['threads']}"
        f" | load: {cfg['client']} | {cfg['seconds']:g} s per step",
        _HEAD,
        "-" * len(_HEAD),
    ]
    lines += [_row(step["orders"], step["livez"]) for step in result["steps"]]
    lines.append(_LEGEND)
    lines += target_lines(db, result["steps"])
    lines += server_lines(result)
    lines.append(race_line(result.get("race")))
    return lines


def report(data: dict[str, Any]) -> str:
    m = data["machine"]
    lines = [
        "=" * len(_HEAD),
        "tp-bridge benchmark: POST /tp-api/orders/create vs GET /livez (same server)",
        f"machine: nproc {m['nproc']} | CPU {m['cpu']} | Python {m['python']} "
        f"| load avg at start {' '.join(map(str, m['load_average_at_start']))}",
        f"load client: {m['load_client']}",
        f"command: {m['command']}   (this run: {m['run_args']})",
        f"started: {m['started_at']}",
        *code_lines(data),
    ]
    for db, result in data["results"].items():
        lines += db_table(db, result)
    lines.append("=" * len(_HEAD))
    return "\n".join(lines)


# --- the one check every bench ends with: no 429, no 5xx ---------------------------------
# A figure measured while the service refused (429) or failed (5xx) requests is not a figure
# of what we ship, so such a run fails, whatever its table says.


def override(setting: str, value: str, why: str) -> None:
    """Run this bench's servers with ``setting=value`` instead of the default, and say why.

    Every bench runs on the shipped defaults unless it names a change here; bench_server
    passes these to the server (and drops any TP_RATE_LIMIT_* the shell happens to have),
    and the verdict prints them under the figures.
    """
    _OVERRIDES[setting] = (value, why)


def setting_overrides() -> dict[str, str]:
    """The declared changes as environment variables."""
    return {name: value for name, (value, _) in _OVERRIDES.items()}


def overrides_lines() -> list[str]:
    if not _OVERRIDES:
        return ["settings: the shipped defaults (no TP_* setting changed)"]
    return ["settings changed from the shipped defaults:"] + [
        f"  {name}={value}: {why}" for name, (value, why) in _OVERRIDES.items()
    ]


def section(name: str) -> None:
    """Name the steps recorded from now on after ``name`` (the database being measured)."""
    _SECTION[0] = name


def record(step: str, *, responses: int, status_429: int, status_5xx: int) -> None:
    """Add one step's answers to this run's tally (wrk reports counts, not every status)."""
    if _SECTION[0] and not step.startswith(f"{_SECTION[0]}: "):
        step = f"{_SECTION[0]}: {step}"
    counts = _TALLY.setdefault(step, Counter())
    counts.update(responses=responses, status_429=status_429, status_5xx=status_5xx)


def record_wrk(step: str, raw: Mapping[str, Any]) -> None:
    """Add one step from the BENCH_JSON line of bench/wrk_orders.lua or wrk_scans.lua."""
    record(
        step,
        responses=int(raw["requests"]),
        status_429=int(raw["s429"]),
        status_5xx=int(raw["s5xx"]),
    )


def record_statuses(step: str, statuses: Mapping[int | str, int]) -> None:
    """Add one step's answers given as {status: count} (the Python client, the test client)."""
    by_code = {int(code): n for code, n in statuses.items()}
    record(
        step,
        responses=sum(by_code.values()),
        status_429=by_code.get(429, 0),
        status_5xx=sum(n for code, n in by_code.items() if 500 <= code <= 599),
    )


def rejections() -> list[str]:
    """One line per step that saw a 429 or a 5xx, with its counts."""
    return [
        f"{step}: {c['status_429']:,} x 429 and {c['status_5xx']:,} x 5xx "
        f"of {c['responses']:,} responses"
        for step, c in _TALLY.items()
        if c["status_429"] or c["status_5xx"]
    ]


def verdict(bench: str) -> int:
    """Print the run's verdict and start a new tally: 1 if any step saw a 429 or 5xx, else 0."""
    problems = rejections()
    responses = sum(c["responses"] for c in _TALLY.values())
    steps = len(_TALLY)
    _TALLY.clear()
    _SECTION[0] = ""
    print(*overrides_lines(), sep="\n")
    if problems:
        print(
            f"{bench}: FAILED: {len(problems)} of {steps} step(s) answered 429 or 5xx; "
            "these figures are not the shipped service's:",
            *problems,
            sep="\n  ",
            file=sys.stderr,
        )
        return 1
    if not steps:
        print(f"{bench}: sends no request to the service's HTTP API (nothing to answer 429/5xx)")
    else:
        print(f"{bench}: no 429 and no 5xx in {responses:,} responses over {steps} step(s)")
    return 0
