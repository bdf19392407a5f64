"""GET /metrics: who may read it, and the requests counted by endpoint class and status."""

from __future__ import annotations

import dataclasses

from config.wsgi import create_app
from tests.observe.metrics_text import BEARER, TOKEN, Scrape, scrape


def test_without_a_token_configured_metrics_is_not_there(settings, db):
    client = create_app(dataclasses.replace(settings, metrics_token="")).test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=BEARER).status_code == 404


def test_the_token_is_required_and_compared(client):
    missing = client.get("/metrics")
    assert missing.status_code == 401
    assert missing.get_json()["error"]["code"] == "unauthorized"
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    answer = client.get("/metrics", headers=BEARER)
    assert answer.status_code == 200
    assert answer.content_type.startswith("text/plain; version=0.0.4")
    names = Scrape.parse(answer.get_data(as_text=True)).names()
    assert {"tp_outbox_depth", "tp_stock_held", "tp_database_figures_up"} <= names


def test_requests_are_counted_by_endpoint_class_and_status(client):
    before = scrape(client)
    for _ in range(3):
        assert client.get("/livez").status_code == 200
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/tp-api/events").status_code == 403  # no key
    after = scrape(client)
    assert after.moved(before, "tp_http_requests_total", endpoint_class="health", status="200") == 3
    assert after.moved(before, "tp_http_requests_total", endpoint_class="none", status="404") == 1
    partner = after.moved(before, "tp_http_requests_total", endpoint_class="partner", status="403")
    assert partner == 1
    timed = after.moved(before, "tp_http_request_duration_seconds_count", endpoint_class="health")
    assert timed == 3
    # The first scrape is counted by the second (once it has answered).
    assert (
        after.moved(before, "tp_http_requests_total", endpoint_class="metrics", status="200") == 1
    )


def test_a_refused_request_is_counted_too(client, settings):
    limited = create_app(dataclasses.replace(settings, rate_limit_public="1/minute"))
    limited_client = limited.test_client()
    before = scrape(limited_client)
    limited_client.get("/api/v1/openapi.json")
    refused = limited_client.get("/api/v1/openapi.json")
    assert refused.status_code == 429
    after = scrape(limited_client)
    assert (
        after.moved(before, "tp_http_requests_total", endpoint_class="api_meta", status="429") == 1
    )
