"""Secrets in query strings never reach the access log, however they are spelled."""

from __future__ import annotations

import pytest

from config.redaction import redact


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "GET /tp-api/events?key=abc&x=1 HTTP/1.1",
            "GET /tp-api/events?key=[redacted]&x=1 HTTP/1.1",
        ),
        ("GET /tp-api/events?%6Bey=abc HTTP/1.1", "GET /tp-api/events?%6Bey=[redacted] HTTP/1.1"),
        ("GET /x?a=1&KEY=abc HTTP/1.1", "GET /x?a=1&KEY=[redacted] HTTP/1.1"),
        ("/files/tickets/t.png?secret=a.b.c", "/files/tickets/t.png?secret=[redacted]"),
        ("key=abc&wp_user_id=7", "key=[redacted]&wp_user_id=7"),
        ("GET /tp-api/events HTTP/1.1", "GET /tp-api/events HTTP/1.1"),
        ("GET /x?monkey=1 HTTP/1.1", "GET /x?monkey=1 HTTP/1.1"),
        ("GET /my-tickets/eyJhIjox.abc.def HTTP/1.1", "GET /my-tickets/[redacted] HTTP/1.1"),
        (
            "POST /my-tickets/eyJh.x.y/events/4 HTTP/1.1",
            "POST /my-tickets/[redacted]/events/4 HTTP/1.1",
        ),
        (
            "/my-tickets/tok/orders/TP-1/pdf?lang=nl",
            "/my-tickets/[redacted]/orders/TP-1/pdf?lang=nl",
        ),
    ],
)
def test_redact(line, expected):
    assert redact(line) == expected
