"""Secrets in query strings never reach the access log, however they are spelled."""

from __future__ import annotations

import logging

import pytest

from config.redaction import install_log_scrubbing, redact, scrub


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/x?api_key=tpk_abc&a=1", "/x?api_key=[redacted]&a=1"),
        ("https://h/hook?token=t0k&sig=s1", "https://h/hook?token=[redacted]&sig=[redacted]"),
        ("?access_token=a;signature=b", "?access_token=[redacted];signature=[redacted]"),
        ("?password=p&Consumer_Secret=cs", "?password=[redacted]&Consumer_Secret=[redacted]"),
        ("?shop_token=x&webhook-secret=y", "?shop_token=[redacted]&webhook-secret=[redacted]"),
        ("failed: token=abc (retry)", "failed: token=[redacted] (retry)"),
        ("key tpk_" + "A" * 43 + " used", "key tpk_[redacted] used"),
        ("tp_" + "b-_" * 15, "tp_[redacted]"),
        ("tps_" + "9" * 30 + "/x", "tps_[redacted]/x"),
        ("client_secret=tpcs_" + "s" * 43, "client_secret=[redacted]"),
        (
            "secret tpcs_" + "s" * 43 + " and tpat_" + "t" * 43,
            "secret tpcs_[redacted] and tpat_[redacted]",
        ),
        ("tpk_test_" + "k" * 43, "tpk_[redacted]"),
        ("Authorization: Bearer abc.def", "Authorization: Bearer [redacted]"),
        # Left alone: module names, ordinary parameters.
        ("tp_api.services.credentials.keys", "tp_api.services.credentials.keys"),
        ("?ticket_id=7&monkey=1&keys=2", "?ticket_id=7&monkey=1&keys=2"),
    ],
)
def test_redact_every_credential_shape(text, expected):
    assert redact(text) == expected


def test_scrub_escapes_control_characters():
    forged = "GET /api/v1/events/1\r\n2026-01-01 INFO forged: admin signed in\x00\x1b[31m\u2028"
    assert scrub(forged) == (
        "GET /api/v1/events/1\\r\\n2026-01-01 INFO forged: admin signed in\\x00\\x1b[31m\\u2028"
    )


def test_every_log_record_is_scrubbed(caplog):
    install_log_scrubbing()
    install_log_scrubbing()  # twice changes nothing
    log = logging.getLogger("tests.scrubbing")
    with caplog.at_level(logging.INFO, logger="tests.scrubbing"):
        log.info("unhandled error on GET %s", "/x\nFAKE line?key=k3y-value")
        log.info("plain %d", 7)
        try:
            raise ValueError("https://h/hook?token=t0ken-in-traceback")
        except ValueError:
            log.exception("delivery to %s failed", "https://h/hook?secret=s3cret")
    text = caplog.text
    assert "unhandled error on GET /x\\nFAKE line?key=[redacted]" in text
    assert "\nFAKE" not in text
    assert "plain 7" in text
    assert "delivery to https://h/hook?secret=[redacted] failed" in text
    assert "Traceback" in text
    for secret in ("k3y-value", "t0ken-in-traceback", "s3cret"):
        assert secret not in text
