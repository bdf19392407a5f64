"""Rate limits (per key, per class, shared through Redis), CORS, request ids, /api/v1/health."""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Iterator

import pytest

from config.wsgi import create_app
from tests.admin_api import api_error
from tests.factories import order_body
from tests.tp_api.admin_orders.helpers import auth, key_id, make_shop, new_key
from tp_api import db as tp_db
from tp_api.models import Order, OutboxEntry, Shop, SyncRun
from tp_api.services.credentials import admin_keys
from tp_api.services.delivery import outbox

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def make_app(db, settings) -> Iterator:
    """``make_app(**settings_changes)``: a new app; every pool it opened is closed after."""
    pools = []

    def build(**changes):
        application = create_app(dataclasses.replace(settings, **changes))
        application.config["TESTING"] = True
        pools.append(tp_db.database.obj)
        return application

    yield build
    for pool in pools:
        pool.close_all()


def orders(client, key):
    return client.get("/api/v1/orders", headers=auth(key))


# --- rate limits ------------------------------------------------------------------------------


def test_admin_calls_are_limited_per_key_with_headers(make_app, factory):
    client = make_app(rate_limit_admin="3/minute").test_client()
    shop = make_shop(factory)
    started = time.time()
    remaining = []
    for _ in range(3):
        response = orders(client, shop.key)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
        remaining.append(response.headers["X-RateLimit-Remaining"])
        reset = int(response.headers["X-RateLimit-Reset"])
        assert started - 1 <= reset <= started + 61
        assert "Retry-After" not in response.headers
    assert remaining == ["2", "1", "0"]
    limited = orders(client, shop.key)
    error = api_error(limited, 429, "rate_limited")
    assert "Retry-After" in error["message"]
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.headers["X-RateLimit-Limit"] == "3"
    # Another key (of the same account) has its own budget.
    other, _ = new_key(shop.seller)
    assert orders(client, other).status_code == 200


def test_the_admin_budget_is_shared_by_every_admin_endpoint(make_app, factory):
    client = make_app(rate_limit_admin="3/minute").test_client()
    shop = make_shop(factory)
    assert orders(client, shop.key).status_code == 200
    assert client.get("/api/v1/customers", headers=auth(shop.key)).status_code == 200
    assert client.get("/api/v1/api-keys", headers=auth(shop.key)).status_code == 200
    refused = client.post("/api/v1/scanners", json={}, headers=auth(shop.key))
    api_error(refused, 429, "rate_limited")
    # Other classes keep their own budgets.
    assert client.get("/api/v1/health").status_code == 200
    assert client.get(f"/tp-api/events?key={shop.seller.key}").status_code == 200


def test_a_limited_write_is_not_applied(make_app, factory):
    client = make_app(rate_limit_admin="1/minute").test_client()
    shop = make_shop(factory)
    order = shop.personalised_order(factory)
    assert orders(client, shop.key).status_code == 200
    response = client.post(
        f"/api/v1/orders/{order.number}/refund",
        json={},
        headers={**auth(shop.key), "Idempotency-Key": "limited"},
    )
    api_error(response, 429, "rate_limited")
    assert Order.get_by_id(order.id).status == "processing"


def test_off_turns_a_class_off(make_app, factory):
    client = make_app(rate_limit_admin="off", rate_limit_public="2/minute").test_client()
    shop = make_shop(factory)
    for _ in range(6):
        response = orders(client, shop.key)
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers
    assert client.get("/api/v1/health").headers["X-RateLimit-Limit"] == "2"


def test_partner_calls_are_limited_in_plain_text(make_app, factory):
    client = make_app(rate_limit_partner="2/minute").test_client()
    shop = make_shop(factory)
    url = f"/tp-api/events?key={shop.seller.key}"
    for expected in ("1", "0"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Remaining"] == expected
    limited = client.get(url)
    assert limited.status_code == 429
    assert limited.mimetype == "text/plain"
    assert limited.get_data(as_text=True).startswith("Rate limit exceeded")
    assert int(limited.headers["Retry-After"]) > 0
    # Checkout calls have their own class, and other keys their own budget.
    created = client.post(
        f"/tp-api/orders/create?key={shop.seller.key}",
        json=order_body(shop.ticket_type.id, wp_order_id="wc_555"),
    )
    assert created.status_code == 200, created.get_data(as_text=True)
    other = make_shop(factory)
    assert client.get(f"/tp-api/events?key={other.seller.key}").status_code == 200
    # The admin API of the same account is a different class too.
    assert orders(client, shop.key).status_code == 200


def test_checkout_calls_are_limited_on_their_own(make_app, factory):
    client = make_app(rate_limit_checkout="1/minute").test_client()
    shop = make_shop(factory)
    url = f"/tp-api/orders/create?key={shop.seller.key}"
    assert (
        client.post(url, json=order_body(shop.ticket_type.id, wp_order_id="wc_1")).status_code
        == 200
    )
    limited = client.post(url, json=order_body(shop.ticket_type.id, wp_order_id="wc_2"))
    assert limited.status_code == 429 and limited.mimetype == "text/plain"
    assert Order.select().count() == 1
    assert client.get(f"/tp-api/events?key={shop.seller.key}").status_code == 200


def _redis():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    return client


def test_workers_share_one_budget_through_redis(make_app, factory):
    redis = _redis()
    shop = make_shop(factory)  # a fresh key: its counters are this test's alone
    digest = hashlib.sha256(shop.key.encode()).hexdigest()[:32]
    try:
        first = make_app(rate_limit_admin="3/minute", redis_url=REDIS_URL).test_client()
        second = make_app(rate_limit_admin="3/minute", redis_url=REDIS_URL).test_client()
        assert orders(first, shop.key).headers["X-RateLimit-Remaining"] == "2"
        assert orders(second, shop.key).headers["X-RateLimit-Remaining"] == "1"
        assert orders(first, shop.key).status_code == 200
        api_error(orders(second, shop.key), 429, "rate_limited")
        api_error(orders(first, shop.key), 429, "rate_limited")
        assert list(redis.scan_iter(match=f"*{digest}*"))
    finally:
        for name in redis.scan_iter(match=f"*{digest}*"):
            redis.delete(name)
        redis.close()


def test_without_redis_each_worker_counts_alone(make_app, factory):
    shop = make_shop(factory)
    first = make_app(rate_limit_admin="2/minute").test_client()
    second = make_app(rate_limit_admin="2/minute").test_client()
    for _ in range(2):
        assert orders(first, shop.key).status_code == 200
    assert orders(first, shop.key).status_code == 429
    assert orders(second, shop.key).status_code == 200


# --- CORS and request ids ---------------------------------------------------------------------


PREFLIGHT = {
    "Origin": "https://shop.example",
    "Access-Control-Request-Method": "GET",
    "Access-Control-Request-Headers": "authorization, idempotency-key",
}


def test_a_preflight_is_answered_without_a_key(client):
    response = client.options("/api/v1/events", headers=PREFLIGHT)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "https://shop.example")
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST", "PATCH", "DELETE"} <= methods
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "idempotency-key" in allowed
    assert response.headers["Access-Control-Max-Age"] == "600"


def test_a_preflight_of_a_write_is_answered_without_a_key(client, factory, shop):
    order = shop.order(factory)
    headers = {**PREFLIGHT, "Access-Control-Request-Method": "POST"}
    response = client.options(f"/api/v1/orders/{order.number}/refund", headers=headers)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" in response.headers
    assert Order.get_by_id(order.order_id).status == "processing"


def test_preflights_do_not_use_the_budget(make_app, factory):
    client = make_app(rate_limit_admin="1/minute").test_client()
    shop = make_shop(factory)
    for _ in range(3):
        assert client.options("/api/v1/orders", headers=PREFLIGHT).status_code == 200
    assert orders(client, shop.key).status_code == 200


def test_responses_carry_cors_and_request_id_headers(client, shop):
    response = client.get(
        "/api/v1/orders", headers={**auth(shop.key), "Origin": "https://shop.example"}
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "https://shop.example")
    exposed = response.headers["Access-Control-Expose-Headers"].lower()
    for name in ("x-request-id", "x-ratelimit-limit", "x-ratelimit-remaining", "retry-after"):
        assert name in exposed
    request_id = response.headers["X-Request-Id"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    assert (
        client.get("/api/v1/orders", headers=auth(shop.key)).headers["X-Request-Id"] != request_id
    )


def test_a_callers_request_id_is_echoed_in_headers_and_errors(client):
    response = client.get("/api/v1/orders", headers={"X-Request-Id": "trace-42"})
    assert response.headers["X-Request-Id"] == "trace-42"
    assert api_error(response, 401, "unauthorized")["requestId"] == "trace-42"


def test_only_configured_origins_are_allowed(make_app):
    client = make_app(cors_origins="https://a.example").test_client()
    allowed = client.options("/api/v1/events", headers={**PREFLIGHT, "Origin": "https://a.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://a.example"
    refused = client.options(
        "/api/v1/events", headers={**PREFLIGHT, "Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in refused.headers


# --- health ----------------------------------------------------------------------------------


def health(client, key=None):
    response = client.get("/api/v1/health", headers=auth(key) if key else {})
    assert response.status_code == 200
    return response.get_json()


def test_health_needs_no_key(client):
    body = health(client)
    assert body["status"] == "ok" and body["database"] == "ok"
    assert isinstance(body["outboxBacklog"], int) and body["outboxFailed"] == 0
    assert body.get("shops") is None


def test_health_counts_the_outbox_backlog(client, factory, shop):
    before = health(client)["outboxBacklog"]
    with tp_db.write_transaction():
        outbox.enqueue("deliver_tickets", {"order_id": 1, "event_id": 1}, dedupe_key="h:1")
        outbox.enqueue("deliver_tickets", {"order_id": 2, "event_id": 1}, dedupe_key="h:2")
    assert health(client)["outboxBacklog"] == before + 2
    OutboxEntry.update(done_at=tp_db.utcnow()).where(OutboxEntry.dedupe_key == "h:1").execute()
    OutboxEntry.update(failed_at=tp_db.utcnow()).where(OutboxEntry.dedupe_key == "h:2").execute()
    after = health(client)
    assert (after["outboxBacklog"], after["outboxFailed"]) == (before, 1)


def test_health_with_a_key_shows_only_that_accounts_shops(client, factory):
    owner, mine, _ = factory.shop()
    other_owner, theirs, _ = factory.shop(url="https://other.test")
    Shop.update(name="theirs").where(Shop.id == theirs.id).execute()
    SyncRun.create(shop=mine.id, kind="orders", finished_at=tp_db.utcnow())
    SyncRun.create(shop=theirs.id, kind="orders", finished_at=tp_db.utcnow(), errors=2)
    key = factory.api_key(owner, scopes=["events:read"])
    shops = health(client, key)["shops"]
    assert len(shops) == 1
    assert (shops[0]["shop"], shops[0]["lastStatus"]) == ("main", "ok")
    assert shops[0]["lastRunAt"] is not None
    their_shops = health(client, factory.api_key(other_owner))["shops"]
    assert [(s["shop"], s["lastStatus"]) for s in their_shops] == [("theirs", "errors")]
    # An account without shops gets an empty list; a bad or revoked key gets none.
    assert health(client, factory.api_key(factory.seller()))["shops"] == []
    assert health(client, "tpk_unknown")["shops"] is None
    admin_keys.revoke_api_key(owner.id, key_id(key))
    assert health(client, key)["shops"] is None


def test_health_is_limited_per_client_address(make_app):
    client = make_app(rate_limit_public="2/minute").test_client()
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/api/v1/health").status_code == 200
    api_error(client.get("/api/v1/health"), 429, "rate_limited")
    other = client.get("/api/v1/health", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_a_preflight_to_the_door_api_is_answered_without_a_key(client):
    headers = {**PREFLIGHT, "Access-Control-Request-Method": "POST"}
    response = client.options("/api/v1/checkin/scan", headers=headers)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" in response.headers


def test_an_unreachable_redis_does_not_take_the_api_down(make_app, factory):
    client = make_app(rate_limit_admin="1/minute", redis_url="redis://127.0.0.1:1/0").test_client()
    shop = make_shop(factory)
    for _ in range(3):
        assert orders(client, shop.key).status_code == 200
