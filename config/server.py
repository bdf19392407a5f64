"""Running the service under gunicorn, with keys and page tokens redacted from access logs."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

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


class TicketPulseServer(BaseApplication):
    """gunicorn in-process: each worker builds its own app (and database pool) after fork."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)
        self.cfg.set("logger_class", RedactingLogger)
        self.cfg.set("access_log_format", ACCESS_LOG_FORMAT)

    def load(self) -> Any:
        return create_app(self.settings)


def serve(
    settings: Settings, *, host: str, port: int, workers: int, threads: int, access_log: bool
) -> None:
    """Run gunicorn until stopped. Workers are forked before the app (and DB) is created."""
    options = {
        "bind": f"{host}:{port}",
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
    }
    TicketPulseServer(settings, options).run()
