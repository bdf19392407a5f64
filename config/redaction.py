"""Taking credentials and page tokens out of text that is logged, and control characters
out of log lines, in one place: ``install_log_scrubbing()`` applies both to every record
of every logger in the process (the app's, gunicorn's access and error logs, the workers')."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

# Query parameters whose values are credentials. Names are compared after URL-decoding and
# lower-casing, because the server decodes them too (``%6Bey=`` is ``key=``).
SECRET_PARAM_NAMES = frozenset(
    {
        "key",
        "api_key",
        "apikey",
        "x-api-key",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "secret",
        "client_secret",
        "consumer_key",
        "consumer_secret",
        "oauth_consumer_key",
        "oauth_token",
        "oauth_signature",
        "signature",
        "sig",
        "password",
        "passwd",
        "pwd",
        "auth",
        "authorization",
    }
)
# ``shop_token``, ``webhook_secret``, ``wc-api-key``...: any name ending like a credential.
_SECRET_SUFFIXES = ("_key", "-key", "_token", "-token", "_secret", "-secret", "_password")
_PARAM = re.compile(r"(^|[?&;\s])([^=&;?\s]*)(=)([^&;\s]*)")
# A "my tickets" link's token opens a customer's tickets for weeks: a path segment, not a
# query parameter, so it is matched on its own.
_PAGE_TOKEN = re.compile(r"(/my-tickets/)[^/?#\s]+", re.IGNORECASE)
# A waiting-room token buys the place's tickets during its turn: in the poll's and the
# hosted page's paths (signed tokens have dots; event ids and "join" do not).
_QUEUE_TOKEN = re.compile(r"(/queue/(?:[0-9]+/place/)?)[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+")
# Our own keys wherever they appear: partner (tp_), admin-API (tpk_), scanner (tps_), OAuth
# client secrets (tpcs_) and access tokens (tpat_); test-mode ones too (tp_test_…). Real
# ones carry 43 characters after the prefix; 20 keeps module names like tp_api.x intact.
_OUR_KEY = re.compile(r"\b(tp(?:[ks]|cs|at)?_)[A-Za-z0-9_-]{20,}")
_BEARER = re.compile(r"\b(Bearer\s+)[^\s\"',;]+", re.IGNORECASE)
_CONTROL = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def is_secret_param(name: str) -> bool:
    """Whether a query parameter called ``name`` carries a credential."""
    clean = unquote_plus(name).strip().lower()
    return clean in SECRET_PARAM_NAMES or clean.endswith(_SECRET_SUFFIXES)


def redact(text: str) -> str:
    """``/tp-api/events?key=abc&x=1`` -> ``/tp-api/events?key=[redacted]&x=1``;
    ``/my-tickets/<token>/...`` -> ``/my-tickets/[redacted]/...``; ``tpk_<43 chars>`` ->
    ``tpk_[redacted]``; ``Bearer <token>`` -> ``Bearer [redacted]``."""

    def hide(match: re.Match[str]) -> str:
        if is_secret_param(match.group(2)):
            return f"{match.group(1)}{match.group(2)}=[redacted]"
        return match.group(0)

    text = _PAGE_TOKEN.sub(r"\1[redacted]", _PARAM.sub(hide, text))
    text = _QUEUE_TOKEN.sub(r"\1[redacted]", text)
    return _BEARER.sub(r"\1[redacted]", _OUR_KEY.sub(r"\1[redacted]", text))


def escape_controls(text: str) -> str:
    """Control characters as escapes (``\\n``, ``\\x00``), so a value taken from a request
    cannot end a log line and forge the next one."""

    def escape(match: re.Match[str]) -> str:
        char = match.group(0)
        return _ESCAPES.get(char) or (
            f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
        )

    return _CONTROL.sub(escape, text)


def scrub(text: str) -> str:
    """What may be logged of ``text``: credentials redacted, control characters escaped."""
    return escape_controls(redact(text))


def install_log_scrubbing() -> None:
    """Scrub every log record made in this process from now on (idempotent).

    A record factory, not a handler filter: it sees records of every logger before any
    handler (gunicorn's, a test's capture) formats them. A traceback keeps its lines but
    loses its credentials.
    """
    current = logging.getLogRecordFactory()
    if getattr(current, "tp_scrubbing", False):
        return
    logging.setLogRecordFactory(_scrubbing(current))


def _scrubbing(make: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string is logging's own error to report
            return record
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    factory.tp_scrubbing = True  # type: ignore[attr-defined]
    return factory
