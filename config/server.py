"""Running the service under gunicorn, with keys and page tokens redacted from access logs."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from config.settings import Settings
from config.wsgi import create_app

# Query parameters whose values are credentials. Names are compared after URL-decoding,
# because the server decodes them too (``%6Bey=`` is ``key=``).
SECRET_PARAM_NAMES = frozenset({"key", "secret", "consumer_key", "consumer_secret"})
_PARAM = re.compile(r"(^|[?&;])([^=&;?\s]*)(=)([^&;\s]*)")
# A "my tickets" link's token opens a customer's tickets for weeks: a path segment, not a
# query parameter, so it is matched on its own (also percent-encoded slashes or case).
_PAGE_TOKEN = re.compile(r"(/my-tickets/)[^/?#\s]+", re.IGNORECASE)

ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" rid=%({x-request-id}o)s'


def redact(text: str) -> str:
    """``/tp-api/events?key=abc&x=1`` -> ``/tp-api/events?key=[redacted]&x=1``, and
    ``/my-tickets/<token>/...`` -> ``/my-tickets/[redacted]/...``."""

    def hide(match: re.Match[str]) -> str:
        name = unquote_plus(match.group(2)).strip().lower()
        if name in SECRET_PARAM_NAMES:
            return f"{match.group(1)}{match.group(2)}=[redacted]"
        return match.group(0)

    return _PAGE_TOKEN.sub(r"\1[redacted]", _PARAM.sub(hide, text))


class RedactingLogger(Logger):
    """gunicorn's logger, with secrets taken out of the request line and query string."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("r", "q", "U"):
            if isinstance(atoms.get(name), str):
                atoms[name] = redact(atoms[name])
        return atoms


class TicketPulseServer(BaseApplication):  # type: ignore[misc]
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
