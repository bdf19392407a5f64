"""The server under test: a fresh database, its fixture data, and `tp-bridge serve` as a child.

Every server is started in a session of its own, so stopping it (by its PID, which is also
its process-group id) takes its gunicorn workers down with it, even when the master is
killed outright.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import bench_report
import psycopg2

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
ACCOUNT_NAME = "Bench Festival BV"
CLI_TIMEOUT_S = 120
READY_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10
_ERROR_MARKERS = ("Traceback", " ERROR ", "[ERROR]", "[CRITICAL]", "WORKER TIMEOUT")
# The start of a log record (the app's "2026-06-01 10:00:00,123 ..." or gunicorn's "[...]").
_LOG_RECORD = re.compile(r"^(\d{4}-\d\d-\d\d |\[)")
_CODE_PATHS = ("tp_api", "config")

# Servers started and not yet stopped: stopped at interpreter exit whatever happened.
_LIVE: set[Server] = set()


@dataclass(frozen=True)
class Fixture:
    """What the load needs to know about the prepared database."""

    url: str
    key: str
    event_id: int
    ticket_type_id: int


def tp_bridge() -> str:
    """The project's `tp-bridge` command (the virtualenv's, else the one on PATH)."""
    local = ROOT / ".venv" / "bin" / "tp-bridge"
    if local.exists():
        return str(local)
    beside = Path(sys.executable).parent / "tp-bridge"
    return str(beside) if beside.exists() else shutil.which("tp-bridge") or "tp-bridge"


def postgres_url() -> str:
    return os.environ.get("TP_BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def fresh_database(kind: str, workdir: Path, name: str) -> str:
    """An empty database URL: a new SQLite file in ``workdir``, or a wiped PostgreSQL schema."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / (name + '.sqlite3')}"
    url = postgres_url()
    conn = psycopg2.connect(url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        conn.close()
    return url


def _cli(url: str, *args: str) -> str:
    """Run one `tp-bridge` command against ``url`` and return its standard output."""
    env = {**os.environ, "TP_DATABASE_URL": url}
    done = subprocess.run(
        [tp_bridge(), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"tp-bridge {' '.join(args)} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def _events_file(workdir: Path, stock: int) -> Path:
    """One event with one ticket type ("GA") of ``stock`` units, in the events.json shape."""
    data = [
        {
            "name": "Benchmark Festival",
            "city": "Amsterdam",
            "timezone": "Europe/Amsterdam",
            "start_date": 1785780000,
            "end_date": 1785952800,
            "price": "29.95",
            "stock": stock,
            "status": 1,
            "tickets": [
                {"name": "GA", "stock": stock, "price": 29.95, "status": 1, "enabled": True}
            ],
            "children": [],
        }
    ]
    path = workdir / f"events-{stock}.json"
    path.write_text(json.dumps(data))
    return path


def prepare(url: str, workdir: Path, stock: int) -> Fixture:
    """Migrate, create the account and its key, and load one ticket type of ``stock`` units."""
    _cli(url, "db", "upgrade")
    key = json.loads(_cli(url, "account", "create", ACCOUNT_NAME))["key"]
    events_json = _cli(
        url, "events", "load", "--account", ACCOUNT_NAME, str(_events_file(workdir, stock))
    )
    event = json.loads(events_json)[0]
    return Fixture(url, key, event["id"], event["tickets"][0]["id"])


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def shipped_environ() -> dict[str, str]:
    """This environment without any rate limit the shell happens to set, plus the changes the
    bench declared (bench_report.override): the server runs on the shipped defaults."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("TP_RATE_LIMIT_")}
    return {**inherited, **bench_report.setting_overrides()}


class Server:
    """`tp-bridge serve --dev` on a free loopback port, as a context manager."""

    def __init__(self, url: str, workdir: Path, *, workers: int, threads: int) -> None:
        self.db_url = url
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.log_path = workdir / f"server-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            tp_bridge(), "serve", "--dev", "--port", str(self.port), "--workers",
            str(self.workers), "--threads", str(self.threads), "--no-access-log",
        ]  # fmt: skip

    def __enter__(self) -> Server:
        self._log = self.log_path.open("wb")
        env = {**shipped_environ(), "TP_DATABASE_URL": self.db_url}
        self.proc = subprocess.Popen(
            self.command(),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _LIVE.add(self)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}):\n{self.log_tail()}")
            if _answers(self.base_url + "/livez"):
                return
            time.sleep(0.1)
        raise RuntimeError(f"server not ready after {READY_TIMEOUT_S} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server and its workers (its process group); idempotent."""
        _LIVE.discard(self)
        if self.proc is not None:
            _stop_group(self.proc)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def error_lines(self) -> list[str]:
        """Log lines that report an error (tracebacks, ERROR, worker timeouts)."""
        return [line for line in self.log_text().splitlines() if _is_error(line)]

    def first_traceback(self) -> str:
        """The first traceback in the log, whole ("" if none)."""
        lines = self.log_text().splitlines()
        start = next((i for i, line in enumerate(lines) if line.startswith("Traceback")), None)
        if start is None:
            return ""
        end = next(
            (i for i in range(start + 1, len(lines)) if _LOG_RECORD.match(lines[i])), len(lines)
        )
        return "\n".join(lines[start:end])


def _is_error(line: str) -> bool:
    return any(marker in line for marker in _ERROR_MARKERS)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT (gunicorn's quick shutdown) to the group, then SIGKILL to whatever is left."""
    pgid = proc.pid  # start_new_session: the server leads a process group of its own
    if proc.poll() is None:
        _signal_group(pgid, signal.SIGINT)
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            _signal_group(pgid, signal.SIGKILL)
            proc.wait(timeout=STOP_TIMEOUT_S)
    # Workers that outlived their master (they should not) go too.
    _signal_group(pgid, signal.SIGKILL)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def code_state() -> dict[str, object]:
    """The commit, the files of tp_api/ and config/ that differ from it, and a digest of
    that difference: the code under test, which a benchmark compares at start and end."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
        )
        return done.stdout

    changed = git("status", "--porcelain", "--", *_CODE_PATHS).splitlines()
    digest = hashlib.sha1(git("diff", "HEAD", "--", *_CODE_PATHS).encode(), usedforsecurity=False)
    return {
        "commit": git("rev-parse", "--short", "HEAD").strip() or "unknown",
        "changed": [line[3:] for line in changed],
        "diff_sha1": digest.hexdigest()[:12],
    }


def stop_all() -> None:
    """Stop every server still running (at exit, or on SIGTERM)."""
    for server in list(_LIVE):
        server.stop()


def _on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(143)


def install_cleanup() -> None:
    """Make SIGTERM unwind like Ctrl-C, and stop leftover servers at exit."""
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, _on_sigterm)
