"""Where a webhook may point (the URL guard against SSRF): event types checked, private,
loopback and metadata destinations refused, names resolved, at most twenty endpoints."""

from __future__ import annotations

import pytest

from tests.admin_api import Admin, api_error
from tests.webhooks.support import (
    ALL_TYPES,
    ORDER_TYPES,
    PUBLIC,
    PUBLIC_ADDRESS,
    box,
)
from tp_api.models import (
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from tp_api.services.errors import InvalidInput
from tp_api.services.webhooks import webhook_endpoints
from tp_api.services.webhooks.url_guard import DestinationRefused
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy

# --- input validation and the URL guard ----------------------------------------------------------


@pytest.mark.parametrize(
    "types",
    [["order.shipped"], ["order.paid", "ORDER.PAID"], [], "order.paid"],
    ids=["unknown", "wrong-case", "empty", "not-a-list"],
)
def test_event_types_are_checked(api, rx, types):
    response = api.post("/webhooks", {"url": rx.url, "eventTypes": types})
    error = api_error(response, 400, "validation_error")
    assert any(d["field"].startswith("eventTypes") for d in error["details"]), error
    assert WebhookEndpoint.select().count() == 0


def test_unknown_event_type_in_the_service(db, seller, settings):
    with pytest.raises(InvalidInput) as refused:
        webhook_endpoints.create_endpoint(
            seller.id, box(settings), PUBLIC, url="https://hooks.example.com/", event_types=["x.y"]
        )
    assert refused.value.code == "unknown_event_type"
    with pytest.raises(InvalidInput) as empty:
        webhook_endpoints.create_endpoint(
            seller.id, box(settings), PUBLIC, url="https://hooks.example.com/", event_types=[]
        )
    assert empty.value.code == "event_types_missing"
    assert WebhookEndpoint.select().count() == 0


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://hooks.example.com/tp", "invalid_url"),
        ("file:///etc/passwd", "invalid_url"),
        ("gopher://127.0.0.1:25/", "invalid_url"),
        ("hooks.example.com/tp", "invalid_url"),
        ("http:///no-host", "invalid_url"),
        ("https://user:pass@hooks.example.com/tp", "invalid_url"),
        ("https://user@hooks.example.com/tp", "invalid_url"),
        ("http://hooks.example.com:99999/", "invalid_url"),
        ("https://tp-webhook-test.invalid/hook", "webhook_url_unresolvable"),
    ],
)
def test_urls_that_cannot_be_webhooks(client, factory, url, code):
    # The ordinary app: private addresses refused, as in production.
    seller = factory.seller()
    api = Admin(client, factory.api_key(seller))
    api_error(api.post("/webhooks", {"url": url, "eventTypes": ORDER_TYPES}), 400, code)
    assert WebhookEndpoint.select().count() == 0


PRIVATE_URLS = [
    "http://127.0.0.1/",
    "http://127.0.0.1:8080/hook",
    "http://127.1/",
    "http://2130706433/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.10/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://localhost/",
    "http://localhost:5000/hook",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://[::ffff:10.0.0.1]/",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_private_destinations_are_refused(client, factory, url):
    seller = factory.seller()
    api = Admin(client, factory.api_key(seller))
    error = api_error(
        api.post("/webhooks", {"url": url, "eventTypes": ORDER_TYPES}), 400, "webhook_url_refused"
    )
    assert "public addresses only" in error["message"]
    assert WebhookEndpoint.select().count() == 0


def test_patching_to_a_private_url_is_refused(client, factory, settings):
    seller = factory.seller()
    created = webhook_endpoints.create_endpoint(
        seller.id, box(settings), PUBLIC, url="https://hooks.example.com/tp", event_types=ALL_TYPES
    )
    api = Admin(client, factory.api_key(seller))
    path = f"/webhooks/{created.endpoint.id}"
    api_error(api.patch(path, {"url": "http://10.0.0.1/"}), 400, "webhook_url_refused")
    api_error(api.patch(path, {"url": "ftp://hooks.example.com/"}), 400, "invalid_url")
    assert WebhookEndpoint.get_by_id(created.endpoint.id).url == "https://hooks.example.com/tp"


@pytest.mark.parametrize(
    "addresses",
    [["10.1.2.3"], ["127.0.0.1"], ["169.254.169.254"], [PUBLIC_ADDRESS, "192.168.0.7"], ["::1"]],
)
def test_a_name_resolving_to_a_private_address_is_refused(db, seller, settings, addresses):
    asked = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return addresses

    policy = EndpointPolicy(allow_private=False, resolver=resolver)
    with pytest.raises(DestinationRefused) as refused:
        webhook_endpoints.create_endpoint(
            seller.id,
            box(settings),
            policy,
            url="https://hooks.customer.example:8443/tp",
            event_types=ORDER_TYPES,
        )
    assert refused.value.code == "webhook_url_refused"
    assert asked == [("hooks.customer.example", 8443)]
    assert WebhookEndpoint.select().count() == 0
    # The installation's setting lets the same name through (closed networks, tests).
    allowed = EndpointPolicy(allow_private=True, resolver=resolver)
    webhook_endpoints.create_endpoint(
        seller.id,
        box(settings),
        allowed,
        url="https://hooks.customer.example/",
        event_types=ORDER_TYPES,
    )
    assert WebhookEndpoint.select().count() == 1


def test_a_public_address_is_accepted(db, seller, settings):
    asked = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return [PUBLIC_ADDRESS, "2606:2800:220:1:248:1893:25c8:1946"]

    created = webhook_endpoints.create_endpoint(
        seller.id,
        box(settings),
        EndpointPolicy(allow_private=False, resolver=resolver),
        url="https://hooks.example.com/tp",
        event_types=ORDER_TYPES,
    )
    assert asked == [("hooks.example.com", 443)]
    assert created.secret.startswith("whsec_")
    assert box(settings).open(created.endpoint.secret_sealed) == created.secret
    assert WebhookEndpoint.get_by_id(created.endpoint.id).url == "https://hooks.example.com/tp"
    # The ping is queued at once.
    (delivery,) = WebhookDelivery.select().where(WebhookDelivery.endpoint == created.endpoint.id)
    assert WebhookEvent.get_by_id(delivery.event_id).event_type == "webhook.ping"


def test_an_account_has_at_most_twenty_endpoints(db, seller, factory, settings):
    for n in range(webhook_endpoints.MAX_ENDPOINTS):
        webhook_endpoints.create_endpoint(
            seller.id,
            box(settings),
            PUBLIC,
            url=f"https://h{n}.example.com/",
            event_types=ORDER_TYPES,
        )
    with pytest.raises(InvalidInput) as refused:
        webhook_endpoints.create_endpoint(
            seller.id, box(settings), PUBLIC, url="https://h.example.com/", event_types=ORDER_TYPES
        )
    assert refused.value.code == "too_many_endpoints"
    assert WebhookEndpoint.select().count() == webhook_endpoints.MAX_ENDPOINTS
    # Another account is not counted against it.
    other = factory.seller()
    webhook_endpoints.create_endpoint(
        other.id, box(settings), PUBLIC, url="https://o.example.com/", event_types=ORDER_TYPES
    )


def test_an_unresolvable_name_is_refused(db, seller, settings):
    def resolver(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    for policy in (
        EndpointPolicy(allow_private=False, resolver=resolver),
        EndpointPolicy(allow_private=True, resolver=resolver),
        EndpointPolicy(allow_private=False, resolver=lambda host, port: []),
    ):
        with pytest.raises(DestinationRefused) as refused:
            webhook_endpoints.create_endpoint(
                seller.id,
                box(settings),
                policy,
                url="https://gone.example/",
                event_types=ORDER_TYPES,
            )
        assert refused.value.code == "webhook_url_unresolvable"
    assert WebhookEndpoint.select().count() == 0
