"""The web service's side of the metrics: each request counted and timed, and ``GET /metrics``
for Prometheus, either on the public port with a Bearer token (``TP_METRICS_TOKEN``) or on a
listener of its own (``tp-bridge serve --metrics-port``) that answers nothing else.

Without a token and off the metrics listener, ``/metrics`` answers 404: the service's figures
(orders, the outbox, the waiting rooms) are not the public's.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import NotFound, Unauthorized

from config.metrics import DatabaseFigures, exposition, scrape_registry, start_counting
from tp_api.metrics import metrics
from tp_api.services.queue.line import QueueLine

METRICS_PATH = "/metrics"
# Set by MetricsListener on every request: True only for those that came in on the metrics
# listener (a client cannot set an environ key of this name; headers become HTTP_*).
ON_METRICS_LISTENER = "tp.metrics_listener"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def install_metrics(
    app: Flask,
    *,
    token: str,
    line: QueueLine | None,
    outbox_kinds: Iterable[str],
    metrics_port: int | None = None,
) -> None:
    """Count and time every request of ``app`` and serve ``/metrics`` (see the module)."""
    start_counting()
    _install_request_timing(app)
    figures = DatabaseFigures(line, outbox_kinds)

    def serve_metrics() -> Response:
        if not request.environ.get(ON_METRICS_LISTENER):
            _require_token(token)
        body = exposition(scrape_registry(figures))
        return Response(body, mimetype=None, content_type=CONTENT_TYPE)

    app.add_url_rule(METRICS_PATH, "metrics", serve_metrics, methods=["GET"])
    if metrics_port is not None:
        app.wsgi_app = MetricsListener(app.wsgi_app, metrics_port)  # type: ignore[method-assign]


def _require_token(token: str) -> None:
    if not token:
        raise NotFound()
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip(), token):
        raise Unauthorized("A valid Bearer token is needed to read the metrics")


def _install_request_timing(app: Flask) -> None:
    """One count (by endpoint class and status) and one duration per request."""

    def start_clock() -> None:
        g.tp_started = time.perf_counter()

    # First of all before-request hooks, so a request refused by a later one (a rate limit,
    # a NUL in the path) is timed and counted too.
    app.before_request_funcs.setdefault(None, []).insert(0, start_clock)

    @app.after_request
    def _count(response: Response) -> Response:
        endpoint_class = endpoint_class_of(request.blueprint, request.endpoint)
        m = metrics()
        m.requests.labels(endpoint_class, str(response.status_code)).inc()
        started = g.get("tp_started")
        if started is not None:
            m.request_seconds.labels(endpoint_class).observe(time.perf_counter() - started)
        return response


def endpoint_class_of(blueprint: str | None, endpoint: str | None) -> str:
    """The label of a request: its blueprint (``partner``, ``admin``, ``scanner``...), the
    app's own endpoints by name (``metrics``, ``static``), ``none`` when nothing matched (so
    a scan of random paths adds no series)."""
    if blueprint:
        return blueprint
    if endpoint in ("metrics", "static"):
        return endpoint
    return "none"


class MetricsListener:
    """Routes requests that came in on the metrics port: ``/metrics`` is answered there
    without a token, everything else is 404; requests on the public port are marked as such
    (so ``/metrics`` there needs the token)."""

    def __init__(self, app: WsgiApp, port: int) -> None:
        self.app = app
        self.port = port

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Answer one request (WSGI)."""
        on_listener = _local_port(environ) == self.port
        environ[ON_METRICS_LISTENER] = on_listener
        if on_listener and environ.get("PATH_INFO") != METRICS_PATH:
            return NotFound()(environ, start_response)
        return self.app(environ, start_response)


def _local_port(environ: dict[str, Any]) -> int | None:
    """The port the client connected to: the accepted socket's own address under gunicorn
    (not SERVER_PORT, which a Host header or a proxy may change)."""
    sock = environ.get("gunicorn.socket")
    if sock is None:
        return None
    try:
        address = sock.getsockname()
    except OSError:
        return None
    return int(address[1]) if isinstance(address, tuple) else None
