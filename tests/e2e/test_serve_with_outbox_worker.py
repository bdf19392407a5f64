"""`tp-bridge serve --outbox-worker`: the service delivers webhooks without a daemon."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import requests
from standardwebhooks import Webhook

pytestmark = pytest.mark.slow
TP_BRIDGE = str(Path(sys.executable).with_name("tp-bridge"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_ping_reaches_the_receiver_through_the_servers_own_worker(db, db_url, tmp_path):
    received: list[tuple[dict[str, str], bytes]] = []
    arrived = threading.Event()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()
            arrived.set()

        def log_message(self, *_args: object) -> None:
            pass

    receiver = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    env = {
        **os.environ,
        "TP_DATABASE_URL": db_url,
        "TP_SECRET_KEY": "s" * 48,
        "TP_WEBHOOK_ALLOW_PRIVATE": "1",
    }

    def run(*args: str) -> str:
        return subprocess.run(
            [TP_BRIDGE, *args], env=env, check=True, capture_output=True, text=True, timeout=60
        ).stdout

    run("account", "create", "Hooks")
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [TP_BRIDGE, "serve", "--port", str(port), "--workers", "1", "--outbox-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/livez", timeout=1).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):  # not up yet, or slow
                time.sleep(0.1)
        created = json.loads(
            run(
                "webhook", "create", "--account", "Hooks", "--event", "order.paid",
                "--url", f"http://127.0.0.1:{receiver.server_port}/hook",
            )
        )  # fmt: skip
        assert arrived.wait(timeout=30), (tmp_path / "server.log").read_text()
        headers, body = received[0]
        event = Webhook(created["secret"]).verify(body, headers)
        assert event["type"] == "webhook.ping"
        assert event["data"]["endpointId"] == created["id"]
    finally:
        # The server and its worker share a session: stop both.
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
        receiver.shutdown()
        receiver.server_close()
