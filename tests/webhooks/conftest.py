"""Fixtures of the outgoing-webhook tests: a receiver on loopback, an app and an outbox worker
allowed to deliver there, and the admin API on that app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from sync.outbox_worker import OutboxWorkers
from tests.admin_api import Admin
from tests.factories import Factory
from tests.webhooks.support import (
    ORDER_TYPES,
    Receiver,
    drain,
    fresh_subscriptions,
    loopback_app,
    receiver,
    worker,
)


@pytest.fixture(autouse=True)
def _fresh_subscriptions() -> Iterator[None]:
    """The subscription cache is per process and keyed by account id, which repeats between
    tests (fresh databases); time travel could keep a stale entry alive."""
    yield from fresh_subscriptions()


@pytest.fixture
def rx() -> Iterator[Receiver]:
    with receiver() as running:
        yield running


@pytest.fixture
def hook_app(db: Any, settings: Any) -> Iterator[Flask]:
    """An app that may deliver to loopback (instead of the suite's ``app``)."""
    with loopback_app(settings) as application:
        yield application


@pytest.fixture
def api(hook_app: Flask, factory: Factory, seller: Any) -> Admin:
    return Admin(hook_app.test_client(), factory.api_key(seller))


@pytest.fixture
def outbox(hook_app: Flask, settings: Any) -> OutboxWorkers:
    return worker(settings)


@pytest.fixture
def finished(api: Admin, rx: Receiver, outbox: OutboxWorkers) -> tuple[dict[str, Any], int]:
    """An endpoint of ``api``'s account whose ping was delivered: (endpoint, delivery id)."""
    created = api.create_hook(rx.url, ORDER_TYPES)
    drain(outbox)
    (delivery,) = api.deliveries(created["id"])
    assert delivery["status"] == "succeeded"
    return created, delivery["id"]
