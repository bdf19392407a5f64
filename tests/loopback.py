"""Servers on loopback ports for the suite: a real socket, unlike Flask's test client."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server

# serve_forever checks for shutdown this often; the default half second was paid by every
# test that stops a server (about a minute of the suite).
POLL_INTERVAL_S = 0.01


class Running:
    """A socketserver serving in a daemon thread until :meth:`stop`."""

    def __init__(self, server: socketserver.BaseServer) -> None:
        self.server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL_S},
            name="loopback-server",
            daemon=True,
        )

    def start(self) -> Running:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)


@contextmanager
def running(server: socketserver.BaseServer) -> Iterator[socketserver.BaseServer]:
    """Serve ``server`` in a daemon thread; shut it down and close it afterwards."""
    thread = Running(server).start()
    try:
        yield server
    finally:
        thread.stop()


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve ``app`` in a daemon thread (threaded: each request on its own pooled database
    connection); yields ``http://127.0.0.1:PORT`` and shuts the server down afterwards."""
    with running(make_server("127.0.0.1", 0, app, threaded=True)) as server:
        yield f"http://127.0.0.1:{server.server_port}"
