"""The waiting room on both line stores: the database and Redis (a namespace per test)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from config.wsgi import create_app
from tests.conftest import TEST_SECRET
from tp_api.services.queue.db_line import DatabaseLine
from tp_api.services.queue.line import QueueLine
from tp_api.services.queue.redis_line import RedisLine
from tp_api.services.queue.tokens import QueueTokens
from tp_api.services.queue.waiting_room import WaitingRooms
from tp_api.web.parts import parts_of

REDIS_URL = "redis://127.0.0.1:6379/12"
# The moment the tests' clock stands at until a test moves it.
T0 = datetime(2031, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine: Any) -> Any:
    """Time stands still at T0 until a test moves it."""
    time_machine.move_to(T0, tick=False)
    return time_machine


def redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")


def _fresh_line(kind: str) -> QueueLine:
    if kind == "database":
        return DatabaseLine()
    redis_or_skip()
    return RedisLine(REDIS_URL, namespace=f"tp:queue:test:{uuid.uuid4().hex}")


def _forget(line: QueueLine) -> None:
    if isinstance(line, RedisLine):
        client = line._client
        names = list(client.scan_iter(match=f"{line.namespace}:*", count=1000))
        if names:
            client.delete(*names)


@pytest.fixture(params=["database", "redis"])
def line_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def line(db: Any, line_kind: str) -> Iterator[QueueLine]:
    fresh = _fresh_line(line_kind)
    yield fresh
    _forget(fresh)


@pytest.fixture
def rooms(line: QueueLine) -> WaitingRooms:
    return WaitingRooms(line, QueueTokens([TEST_SECRET]))


@pytest.fixture
def app(db: Any, settings: Any, line_kind: str) -> Iterator[Any]:
    """The service with its lines in the database or in Redis (its own namespace)."""
    if line_kind == "redis":
        redis_or_skip()
        # Rate-limit counters then live in Redis too, shared by every test on this machine:
        # the public class (per client address) is off here; tests/tp_api/admin_orders
        # covers the limits.
        settings = dataclasses.replace(settings, redis_url=REDIS_URL, rate_limit_public="off")
    application = create_app(settings)
    application.config["TESTING"] = True
    line = parts_of(application).waiting_rooms.line
    if isinstance(line, RedisLine):
        line.namespace = f"tp:queue:test:{uuid.uuid4().hex}"
    yield application
    _forget(line)
    from tp_api.db import database

    database.close_all()
