"""The fleet's processes: `tp-bridge serve`, `sync daemon` and `outbox work`, each in a
process group of its own (so SIGKILL takes a gunicorn master's workers down with it, as a
crashed machine would), started, killed, restarted and stopped by PID."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import IO

import requests

from tests.e2e.serve import TP_BRIDGE, free_port

READY_TIMEOUT_S = 60
STOP_TIMEOUT_S = 20
# What each kind of process logs once it works (the daemon and the worker log these lines
# after connecting and, for the daemon, scheduling its shops).
READY_LINES = {"daemon": "sync daemon started", "worker": "outbox worker started"}


class FleetProcess:
    """One member of the fleet: ``kind`` is serve, daemon or worker; each start is a new
    incarnation with its own log file in ``workdir``."""

    def __init__(self, kind: str, index: int, env: dict[str, str], workdir: Path) -> None:
        self.kind = kind
        self.name = f"{kind}{index}"
        self.env = env
        self.workdir = workdir
        self.port = free_port() if kind == "serve" else 0
        # The daemon and the worker export their metrics on a port of their own; an instance
        # of the service answers /metrics on its own port, with the token (TP_METRICS_TOKEN).
        self.metrics_port = self.port if kind == "serve" else free_port()
        self.incarnation = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.metrics_port}/metrics"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}-{self.incarnation}.log"

    def command(self) -> list[str]:
        if self.kind == "serve":
            return [
                TP_BRIDGE, "serve", "--port", str(self.port), "--workers", "2",
                "--no-access-log",
            ]  # fmt: skip
        metrics = ["--metrics-port", str(self.metrics_port)]
        if self.kind == "daemon":
            return [TP_BRIDGE, "sync", "daemon", *metrics]
        return [TP_BRIDGE, "outbox", "work", *metrics]

    def start(self) -> None:
        """Start a new incarnation (not waiting for it: see :meth:`wait_ready`)."""
        self.incarnation += 1
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(  # noqa: S603 - our own command, no shell
            self.command(),
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Until the process serves (``/livez``) or logs that it works; RuntimeError (with
        the log's tail) if it exits or takes longer than ``timeout``."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n{self.tail()}")
            if self.ready():
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s:\n{self.tail()}")

    def ready(self) -> bool:
        if self.kind == "serve":
            try:
                return requests.get(f"{self.base_url}/livez", timeout=2).ok
            except requests.RequestException:
                return False
        return READY_LINES[self.kind] in self.log_text()

    def kill(self) -> None:
        """SIGKILL to the whole process group: no handler runs, nothing is cleaned up."""
        self._signal_group(signal.SIGKILL)
        self._reap(STOP_TIMEOUT_S)

    def stop(self) -> None:
        """SIGTERM (a graceful stop), then SIGKILL what is left; idempotent."""
        if self.proc is not None and self.proc.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
        self._reap(STOP_TIMEOUT_S)

    def _signal_group(self, signum: int) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signum)  # start_new_session: the pid is the group's id
        except ProcessLookupError:
            pass  # gone already

    def _reap(self, timeout: float) -> None:
        if self.proc is not None:
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.proc.wait(timeout=timeout)
            # The group's other members (gunicorn workers) die with it: wait until none is left.
            deadline = time.monotonic() + timeout
            while _group_alive(self.proc.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_text(self) -> str:
        path = self.log_path
        return path.read_text(errors="replace") if path.exists() else ""

    def tail(self, lines: int = 25) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def error_lines(self) -> list[str]:
        """The log lines of every incarnation that report a traceback or an error."""
        found = []
        for number in range(1, self.incarnation + 1):
            path = self.workdir / f"{self.name}-{number}.log"
            text = path.read_text(errors="replace") if path.exists() else ""
            found += [
                f"{self.name}#{number}: {line}"
                for line in text.splitlines()
                if "Traceback" in line or " ERROR " in line or "[ERROR]" in line
            ]
        return found


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
