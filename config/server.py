"""Running the service under gunicorn: keys and page tokens redacted from access logs, the
request id in every line (JSON logs too), and the workers' metrics summed for /metrics."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from config import logs
from config.metrics import worker_exited
from config.redaction import redact
from config.settings import Settings
from config.wsgi import create_app

ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" rid=%({x-request-id}o)s'


class RedactingLogger(Logger):
    """gunicorn's logger, with secrets taken out of the request line and query string."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("r", "q", "U"):
            if isinstance(atoms.get(name), str):
                atoms[name] = redact(atoms[name])
        return atoms

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        # The app has returned (its request id is gone from the thread): the response's
        # header names the request the line is about.
        rid = next((v for k, v in resp.headers if k.lower() == "x-request-id"), "")
        token = logs.request_id.set(rid)
        try:
            super().access(resp, req, environ, request_time)
        finally:
            logs.request_id.reset(token)


class JsonLogger(RedactingLogger):
    """The same, writing gunicorn's error and access lines as JSON (TP_LOG_FORMAT=json)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in (*self.error_log.handlers, *self.access_log.handlers):
            handler.setFormatter(logs.JsonFormatter())


class TicketPulseServer(BaseApplication):
    """gunicorn in-process: each worker builds its own app (and database pool) after fork."""

    def __init__(
        self, settings: Settings, options: dict[str, Any], metrics_port: int | None = None
    ) -> None:
        self.settings = settings
        self.options = options
        self.metrics_port = metrics_port
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)
        logger = JsonLogger if self.settings.log_format == "json" else RedactingLogger
        self.cfg.set("logger_class", logger)
        self.cfg.set("access_log_format", ACCESS_LOG_FORMAT)
        self.cfg.set("child_exit", _child_exit)

    def load(self) -> Any:
        return create_app(self.settings, metrics_port=self.metrics_port)


def _child_exit(_server: Any, worker: Any) -> None:
    worker_exited(worker.pid)


def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int,
    threads: int,
    access_log: bool,
    metrics_host: str = "127.0.0.1",
    metrics_port: int | None = None,
    max_requests: int = 0,
) -> None:
    """Run gunicorn until stopped. Workers are forked before the app (and DB) is created.
    With ``metrics_port``, a second listener on ``metrics_host`` answers /metrics only. The
    caller has pointed the metrics at a directory the workers share
    (config.metrics.prepare_multiprocess_dir)."""
    binds = [f"{host}:{port}"]
    if metrics_port is not None:
        binds.append(f"{metrics_host}:{metrics_port}")
    options = {
        "bind": binds,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": settings.log_level.lower(),
        "preload_app": False,
        "timeout": 30,
        "graceful_timeout": 20,
        "keepalive": 5,
        "backlog": 2048,
        "max_requests": max_requests,
    }
    TicketPulseServer(settings, options, metrics_port).run()
