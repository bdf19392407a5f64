"""Webhook URLs through the admin API: control characters and whitespace are refused before
anything is stored, and every non-public range (including those Python calls global, and
IPv4 addresses carried inside IPv6 forms) is refused as a destination."""

from __future__ import annotations

import pytest

from tests.admin_api import Admin, api_error
from tp_api.models import WebhookEndpoint
from tp_api.services.errors import InvalidInput
from tp_api.services.webhooks.url_guard import is_public, parse_url

ORDER_TYPES = ["order.created", "order.paid"]


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://hooks.example.com/a b", "invalid_url"),
        ("https://hooks.example.com/tp\u00a0x", "invalid_url"),
        ("https://hooks.example.com/tp\u2028x", "invalid_url"),
        # The admin API's single-line text fields refuse these before the service sees them.
        ("https://hooks.example.com/tp\r\nX-Injected: 1", "validation_error"),
        ("https://hooks.example.com/t\np", "validation_error"),
        ("https://hooks.example.com/\ttp", "validation_error"),
        ("https://hooks.example.com/tp\x00", "validation_error"),
        ("https://hooks.example.com/tp\x7f", "validation_error"),
        ("https://hooks.example.com/tp\u0085", "validation_error"),
    ],
)
def test_urls_with_control_characters_or_whitespace_are_refused(client, factory, url, code):
    api = Admin(client, factory.api_key(factory.seller()))
    api_error(api.post("/webhooks", {"url": url, "eventTypes": ORDER_TYPES}), 400, code)
    assert WebhookEndpoint.select().count() == 0


def test_the_service_refuses_them_whoever_calls_it():
    for url in ("https://h.example/\x00", "https://h.example/\x9b", "https://h.example/ "):
        with pytest.raises(InvalidInput) as refused:
            parse_url(url)
        assert refused.value.code == "invalid_url"
        assert refused.value.message == "url must not contain spaces or control characters"


@pytest.mark.parametrize(
    "url",
    [
        "http://[fec0::1]/",  # site-local IPv6 (deprecated, still not public)
        "http://192.88.99.1/",  # 6to4 relay anycast
        "http://[::ffff:192.88.99.1]/",  # the same, IPv4-mapped
        "http://[2002:c058:6301::1]/",  # 6to4 carrying 192.88.99.1
        "http://[2002:0a00:0001::1]/",  # 6to4 carrying 10.0.0.1
        "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[64:ff9b:1::808:808]/",  # local-use NAT64
        "http://198.18.0.1/",  # benchmarking
        "http://[2001:db8::1]/",  # documentation
    ],
)
def test_non_public_ranges_python_misses_are_refused(client, factory, url):
    api = Admin(client, factory.api_key(factory.seller()))
    error = api_error(
        api.post("/webhooks", {"url": url, "eventTypes": ORDER_TYPES}), 400, "webhook_url_refused"
    )
    assert "public addresses only" in error["message"]
    assert WebhookEndpoint.select().count() == 0


def test_public_addresses_inside_ipv6_forms_stay_public():
    assert is_public("64:ff9b::808:808")  # NAT64 of 8.8.8.8
    assert is_public("::ffff:93.184.216.34")
    assert is_public("2606:4700:4700::1111")
    assert not is_public("fec0::1") and not is_public("192.88.99.200")
