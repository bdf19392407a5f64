"""The WooCommerce client against `responses` (the shop's API is outside: mocked here)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import responses

from bridge.adapters.base import ShopError, StockUpdate
from bridge.adapters.woo_wire import woo_time
from bridge.adapters.woocommerce import WooClient
from bridge.partner_errors import retry_after_seconds
from tests.fixtures import woo_fixture

API = "https://shop.test/wp-json/wc/v3"


def client(**kw):
    sleeps: list[float] = []
    c = WooClient("https://shop.test", "ck_1", "cs_1", sleep=sleeps.append, **kw)
    c._modified_after = True  # a current store; feature detection has tests of its own
    return c, sleeps


def test_modified_after_is_utc_without_suffix():
    assert woo_time(datetime(2026, 6, 1, 9, 50, tzinfo=UTC)) == "2026-06-01T09:50:00"


@responses.activate
def test_orders_are_paged_from_the_last_seen_time_with_the_documented_params():
    page = [
        {"id": i, "date_modified_gmt": f"2026-06-01T10:{i // 60:02d}:{i % 60:02d}"}
        for i in range(100)
    ]
    responses.get(f"{API}/orders", json=page)
    responses.get(f"{API}/orders", json=[{"id": 500, "date_modified_gmt": "2026-06-01T11:00:00"}])
    c, _ = client()
    orders = list(c.iter_orders_modified_since(datetime(2026, 6, 1, 9, 0, tzinfo=UTC)))
    assert [o["id"] for o in orders] == [*range(100), 500]
    first, second = (call.request for call in responses.calls)
    assert "modified_after=2026-06-01T09%3A00%3A00" in first.url
    for param in (
        "orderby=modified",
        "order=asc",
        "per_page=100",
        "dates_are_gmt=true",
        "status=any",
    ):
        assert param in first.url
    # The second query restarts from the newest time seen, one second back (exclusive filter).
    assert "modified_after=2026-06-01T10%3A01%3A38" in second.url
    assert "page=1" in second.url


@responses.activate
def test_a_full_page_within_one_second_pages_inside_that_second():
    same = [{"id": i, "date_modified_gmt": "2026-06-01T10:00:00"} for i in range(100)]
    more = [{"id": i, "date_modified_gmt": "2026-06-01T10:00:00"} for i in range(100, 150)]
    responses.get(f"{API}/orders", json=same)
    responses.get(f"{API}/orders", json=same)
    responses.get(f"{API}/orders", json=more)
    c, _ = client()
    assert len(list(c.iter_orders_modified_since(datetime(2026, 6, 1, tzinfo=UTC)))) == 150
    assert "page=2" in responses.calls[2].request.url


@responses.activate
def test_a_store_that_ignores_modified_after_does_not_loop_forever():
    everything = [
        {"id": i, "date_modified_gmt": f"2026-06-01T10:{i // 60:02d}:{i % 60:02d}"}
        for i in range(100)
    ]
    for _ in range(5):
        responses.get(f"{API}/orders", json=everything)
    c, _ = client()
    assert len(list(c.iter_orders_modified_since(datetime(2026, 6, 1, tzinfo=UTC)))) == 100
    assert len(responses.calls) == 3  # then two pages with nothing new: stop


@responses.activate
def test_a_redirect_never_shows_query_string_credentials():
    responses.get(
        f"{API}/orders/1",
        status=302,
        headers={"Location": "https://www.shop.test/x?consumer_secret=cs_1"},
    )
    c, _ = client(auth_mode="query")
    with pytest.raises(ShopError) as caught:
        c.get_order(1)
    assert "cs_1" not in str(caught.value)


@responses.activate
def test_a_long_retry_after_ends_the_run_instead_of_retrying_early():
    responses.get(
        f"{API}/orders/1",
        status=429,
        headers={"Retry-After": "600"},
        json={"code": "x", "message": "later"},
    )
    c, sleeps = client()
    with pytest.raises(ShopError):
        c.get_order(1)
    assert sleeps == []


@responses.activate
def test_429_and_5xx_are_retried_honouring_retry_after():
    responses.get(
        f"{API}/orders/1",
        status=429,
        headers={"Retry-After": "7"},
        json={"code": "too_many", "message": "slow down"},
    )
    responses.get(
        f"{API}/orders/1",
        status=503,
        body="<html>Service Unavailable</html>",
        content_type="text/html",
    )
    responses.get(f"{API}/orders/1", json={"id": 1})
    c, sleeps = client()
    assert c.get_order(1) == {"id": 1}
    assert sleeps[0] == 7.0 and len(sleeps) == 2


@responses.activate
def test_a_2xx_that_is_not_json_is_an_error():
    captcha = "<html>SG-Captcha</html>"
    responses.get(f"{API}/orders/1", status=202, body=captcha, content_type="text/html")
    responses.get(f"{API}/orders/1", status=200, body=captcha, content_type="text/html")
    c, sleeps = client(max_attempts=2)
    with pytest.raises(ShopError, match="without JSON") as caught:
        c.get_order(1)
    assert caught.value.retryable and len(sleeps) == 1


@responses.activate
def test_woocommerce_errors_become_clear_typed_errors_and_are_not_retried():
    errors = woo_fixture("woo_errors")
    responses.get(f"{API}/orders/1", status=401, json=errors["bad_consumer_secret_401"])
    c, sleeps = client()
    with pytest.raises(ShopError) as caught:
        c.get_order(1)
    assert caught.value.status == 401
    assert caught.value.code == "woocommerce_rest_authentication_error"
    assert "Consumer secret is invalid." in str(caught.value)
    assert not caught.value.retryable and sleeps == []


@responses.activate
def test_a_redirect_is_an_error_not_followed():
    responses.get(f"{API}/orders/1", status=301, headers={"Location": "https://www.shop.test/"})
    c, _ = client()
    with pytest.raises(ShopError, match="redirected"):
        c.get_order(1)


@responses.activate
def test_connection_errors_are_retried_then_raised():
    c, sleeps = client(max_attempts=3)
    with pytest.raises(ShopError, match="ConnectionError") as caught:
        c.get_order(1)
    assert caught.value.retryable and len(sleeps) == 2


@responses.activate
def test_query_string_auth_for_hosts_that_strip_authorization():
    responses.get(f"{API}/orders/1", json={"id": 1})
    c, _ = client(auth_mode="query")
    c.get_order(1)
    request = responses.calls[0].request
    assert "consumer_key=ck_1" in request.url and "Authorization" not in request.headers


@responses.activate
def test_stock_is_written_in_batches_of_100_with_item_errors_read():
    def batch(request):
        items = json.loads(request.body)["update"]
        assert len(items) <= 100
        assert all(i["manage_stock"] is True and i["backorders"] == "no" for i in items)
        result = [
            {
                "id": i["id"],
                "error": {"code": "woocommerce_rest_product_invalid_id", "message": "Invalid ID."},
            }
            if i["id"] == 7
            else {"id": i["id"], "stock_quantity": i["stock_quantity"]}
            for i in items
        ]
        return 200, {}, json.dumps({"update": result})

    responses.add_callback(
        responses.POST, f"{API}/products/batch", callback=batch, content_type="application/json"
    )
    responses.add_callback(
        responses.POST,
        f"{API}/products/5/variations/batch",
        callback=batch,
        content_type="application/json",
    )
    c, _ = client()
    updates = [StockUpdate(i, 0, 3) for i in range(1, 151)] + [StockUpdate(5, 51, 2)]
    result = c.set_stock(updates)
    assert len(responses.calls) == 3
    assert result.written == 150 and result.failed == {
        (7, 0): "Invalid ID. (woocommerce_rest_product_invalid_id)"
    }


def test_retry_after_as_seconds_or_date():
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_repr_never_shows_credentials():
    c, _ = client()
    assert "cs_1" not in repr(c) and "ck_1" not in repr(c)


@responses.activate
def test_oauth1_for_plain_http_shops_signs_in_the_query():
    responses.get("http://plain.test/wp-json/wc/v3/orders/1", json={"id": 1})
    c = WooClient("http://plain.test", "ck_1", "cs_1", auth_mode="oauth1", sleep=lambda s: None)
    assert c.get_order(1) == {"id": 1}
    url = responses.calls[0].request.url
    for param in (
        "oauth_consumer_key=ck_1",
        "oauth_signature_method=HMAC-SHA256",
        "oauth_signature=",
        "oauth_nonce=",
        "oauth_timestamp=",
    ):
        assert param in url
    assert "cs_1" not in url and "Authorization" not in responses.calls[0].request.headers


@responses.activate
def test_a_store_without_modified_after_is_read_whole_in_id_order():
    responses.add(
        responses.OPTIONS,
        f"{API}/orders",
        json={
            "endpoints": [
                {"args": {"orderby": {"enum": ["date", "id", "include", "title", "slug"]}}}
            ]
        },
    )
    responses.get(f"{API}/orders", json=[{"id": i} for i in range(100)])
    responses.get(f"{API}/orders", json=[{"id": 100}])
    c, _ = client()
    c._modified_after = None
    assert [o["id"] for o in c.iter_orders_modified_since(datetime(2026, 6, 1, tzinfo=UTC))] == (
        list(range(101))
    )
    urls = [call.request.url for call in responses.calls[1:]]
    assert all("orderby=id" in u and "modified_after" not in u for u in urls)


@responses.activate
def test_a_current_store_says_it_supports_modified_after():
    responses.add(
        responses.OPTIONS,
        f"{API}/orders",
        json={
            "endpoints": [
                {"args": {"modified_after": {}, "orderby": {"enum": ["date", "modified"]}}}
            ]
        },
    )
    c, _ = client()
    c._modified_after = None
    assert c.supports_modified_after() is True
