"""``WSGITransport``: a requests transport adapter that hands a request to a WSGI app in-process.

When our own service hosts the "my tickets" page, the page still talks to the partner API
only through ``bridge.partner_client`` (so the same page runs inside a shop's server, over
HTTP). Mounted on a session for ``http://tp.internal/``, this adapter turns each prepared
request into a WSGI environ and calls the app directly: no socket, no second server, no key.

``extra_environ`` is added to every environ, after the request's own values. The composition
root passes ``{"tp.page_account": <account id>}``, which the partner blueprint accepts as the
authenticated account. A WSGI server puts HTTP headers under ``HTTP_*`` keys only, so an
environ key with a dot can never come from a client: only in-process callers can set it.

Things to know:

- The app runs in a fresh ``contextvars.Context``. Flask keeps its application context in a
  context variable and reuses an active one for a nested request of the same app, which
  would let the inner call overwrite the caller's ``g`` (its request id, its auth). A fresh
  context gives the inner request contexts of its own; the caller's are neither seen nor
  changed.
- peewee keeps the connection per thread, so the inner request uses (and, in the app's
  teardown, returns to the pool) the caller's connection: call it outside a database
  transaction, as the page does (it never touches the database itself).
- ``timeout`` has no meaning in-process and is ignored; a request that raises inside the app
  propagates (our app turns every exception into a 500 itself).
"""

from __future__ import annotations

import contextvars
import io
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from requests import PreparedRequest, Response
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from werkzeug.test import EnvironBuilder, run_wsgi_app

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Neither is a request header the app should see: the body's length is recomputed, and a
# hop-by-hop header means nothing without a connection.
_DROPPED_HEADERS = frozenset({"content-length", "connection", "transfer-encoding"})


class WSGITransport(BaseAdapter):
    """Send requests' prepared requests to ``app`` in this process (mount it on a Session)."""

    def __init__(self, app: WSGIApp, extra_environ: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self.app = app
        self.extra_environ = dict(extra_environ or {})

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> Response:
        """Run ``request`` through the app and return its answer as a requests Response."""
        started = time.monotonic()
        environ = self.environ_for(request)
        status, headers, body = contextvars.Context().run(self._call_app, environ)
        response = Response()
        code, _, reason = status.partition(" ")
        response.status_code = int(code)
        response.reason = reason
        response.headers = CaseInsensitiveDict(headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = io.BytesIO(body)
        response.url = request.url or ""
        response.request = request
        response.connection = self  # type: ignore[assignment] # requests only calls send() on it
        response.elapsed = timedelta(seconds=time.monotonic() - started)
        return response

    def environ_for(self, request: PreparedRequest) -> dict[str, Any]:
        """The WSGI environ for ``request``, with ``extra_environ`` laid over it."""
        parts = urlsplit(request.url or "")
        body: Any = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif body is not None and not isinstance(body, bytes):
            # A generator or file body (requests streams those); the partner client sends bytes.
            body = b"".join(
                chunk if isinstance(chunk, bytes) else str(chunk).encode() for chunk in body
            )
        headers = [
            (name, value if isinstance(value, str) else value.decode("latin-1"))
            for name, value in request.headers.items()
            if name.lower() not in _DROPPED_HEADERS
        ]
        builder = EnvironBuilder(
            method=request.method or "GET",
            base_url=f"{parts.scheme}://{parts.netloc}",
            path=parts.path or "/",
            query_string=parts.query,
            headers=headers,
            data=body or b"",
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")
        environ.update(self.extra_environ)
        return environ

    def _call_app(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        app_iter, status, headers = run_wsgi_app(self.app, environ, buffered=True)
        try:
            body = b"".join(app_iter)
        finally:
            close = getattr(app_iter, "close", None)
            if close is not None:
                close()
        return status, list(headers.items()), body

    def close(self) -> None:
        """Nothing to release: there is no connection."""
