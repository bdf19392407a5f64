"""GET /readyz for load balancers (the database, and Redis when configured), and JSON logs
with the request id in every line and no key in any."""

from __future__ import annotations

import dataclasses
import io
import json
import logging

import pytest

from config.logs import JsonFormatter
from config.wsgi import create_app
from tests.e2e.serve import free_port, redis_up


def test_ready_when_the_database_answers(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok", "database": "ok"}


def test_not_ready_when_redis_does_not_answer(settings, db):
    closed = f"redis://127.0.0.1:{free_port()}/0"
    client = create_app(dataclasses.replace(settings, redis_url=closed)).test_client()
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json() == {"status": "error", "database": "ok", "redis": "ConnectionError"}
    assert client.get("/healthz").status_code == 200  # the database alone, as before


def test_ready_with_redis_up(settings, db):
    if not redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    client = create_app(dataclasses.replace(settings, redis_url="redis://127.0.0.1:6379/12"))
    answer = client.test_client().get("/readyz")
    assert answer.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


@pytest.fixture
def json_lines():
    """Every record of the process, formatted by the JSON formatter into a buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_a_json_line_has_the_request_id_and_no_key(app, seller, json_lines):
    def boom() -> None:
        raise RuntimeError(f"broke while holding key={seller.key}")

    app.add_url_rule("/boom", "boom", boom)
    response = app.test_client().get(f"/boom?key={seller.key}", headers={"X-Request-Id": "rid-1"})
    assert response.status_code == 500
    (line,) = [line for line in json_lines() if line["logger"] == "config.wsgi"]
    assert line["request_id"] == "rid-1" and line["level"] == "ERROR"
    assert line["message"] == "unhandled error on GET /boom"
    assert "RuntimeError: broke while holding key=[redacted]" in line["exception"]
    assert seller.key not in json.dumps(json_lines())
    assert set(line) == {"time", "level", "logger", "message", "request_id", "exception"}
    logging.getLogger("tests.after").warning("between requests")
    assert json_lines()[-1]["request_id"] is None
