"""How every process logs: plain lines (the default) or, with ``TP_LOG_FORMAT=json``, one
JSON object a line with the time, level, logger, message and the request id of the request
being answered, for a log shipper to index.

Secrets are taken out before either format sees a record (config.redaction's record
factory); a traceback's text is redacted here again, as the JSON formatter writes it itself.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from config.redaction import install_log_scrubbing, redact

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FORMATS = ("text", "json")

# The id of the request this thread is answering ("" between requests): set by the app's
# first hook (config.wsgi) and, for gunicorn's access line written after the app returned,
# from the response's X-Request-Id (config.server).
request_id: ContextVar[str] = ContextVar("tp_request_id", default="")


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (JSON escapes any newline in a value)."""

    def format(self, record: logging.LogRecord) -> str:
        """``{"time", "level", "logger", "message", "request_id"[, "exception"]}``."""
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get() or None,
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exception"] = redact(record.exc_text)
        if record.stack_info:
            data["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(data, ensure_ascii=False, default=str)


def formatter(log_format: str) -> logging.Formatter:
    """The formatter of ``log_format`` (``text`` or ``json``)."""
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(level: str, log_format: str) -> None:
    """The root logger at ``level`` writing to standard error in ``log_format``, every
    record scrubbed of secrets. Called once by the ``tp-bridge`` command."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(log_format))
    logging.basicConfig(level=level, handlers=[handler])
    install_log_scrubbing()
