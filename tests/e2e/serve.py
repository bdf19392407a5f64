"""Starting `tp-bridge serve` (gunicorn, several workers) on a loopback port for a test."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

TP_BRIDGE = str(Path(sys.executable).with_name("tp-bridge"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def cli(env: dict[str, str], *args: str) -> str:
    """Run one `tp-bridge` command with ``env``; its standard output."""
    return subprocess.run(
        [TP_BRIDGE, *args], env=env, check=True, capture_output=True, text=True, timeout=60
    ).stdout


@contextmanager
def serving(
    env: dict[str, str], log_path: Path, *, workers: int = 3, args: tuple[str, ...] = ()
) -> Iterator[str]:
    """`tp-bridge serve` (plus ``args``) with ``env``, its output in ``log_path``; yields the
    base URL and stops the server (SIGTERM, then kill) afterwards."""
    port = free_port()
    log = log_path.open("w")
    proc = subprocess.Popen(
        [TP_BRIDGE, "serve", "--port", str(port), "--workers", str(workers), *args],
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/livez", timeout=1).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):  # not up yet, or slow
                time.sleep(0.1)
        else:
            pytest.fail("server did not start: " + log_path.read_text())
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
