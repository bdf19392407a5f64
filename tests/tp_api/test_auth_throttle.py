"""Repeated bad keys from one client are refused for a while, and that is logged."""

from __future__ import annotations

import logging
from datetime import timedelta

from tp_api.services import keys


def test_client_is_blocked_after_repeated_failures(app, client, factory, caplog, time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    app.config["TP_THROTTLE"] = keys.ThrottlePolicy(
        max_failures=3, window=timedelta(minutes=5), block_for=timedelta(minutes=15)
    )
    seller = factory.seller()
    caplog.set_level(logging.INFO, logger="tp_api.services.keys")
    for _ in range(3):
        assert client.get("/tp-api/events?key=wrong-key-123456").status_code == 403
    blocked = client.get(f"/tp-api/events?key={seller.key}")
    assert blocked.status_code == 429
    assert blocked.get_data(as_text=True) == "Too many failed authentication attempts"
    assert blocked.headers["Retry-After"] == "901"
    assert any("blocked until" in r.getMessage() for r in caplog.records)
    # Another client is not affected.
    other = client.get(f"/tp-api/events?key={seller.key}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200
    time_machine.shift(timedelta(minutes=16))
    assert client.get(f"/tp-api/events?key={seller.key}").status_code == 200


def test_failures_outside_the_window_do_not_add_up(app, client, factory, time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    app.config["TP_THROTTLE"] = keys.ThrottlePolicy(
        max_failures=3, window=timedelta(minutes=5), block_for=timedelta(minutes=15)
    )
    seller = factory.seller()
    for _ in range(2):
        client.get("/tp-api/events?key=wrong")
    time_machine.shift(timedelta(minutes=6))
    for _ in range(2):
        client.get("/tp-api/events?key=wrong")
    assert client.get(f"/tp-api/events?key={seller.key}").status_code == 200


def test_the_key_never_reaches_the_logs(client, factory, caplog):
    seller = factory.seller()
    caplog.set_level(logging.DEBUG)
    client.get(f"/tp-api/events?key={seller.key}")
    client.get(f"/tp-api/events?key={seller.key}x")
    client.post(f"/tp-api/orders/create?key={seller.key}", data="{}")
    assert seller.key not in caplog.text
    assert seller.key[:-1] not in caplog.text


def test_keys_compare_only_whole_values(client, factory):
    seller = factory.seller()
    for wrong in (seller.key[:-1], seller.key + "a", seller.key.upper(), seller.key[:12]):
        assert client.get(f"/tp-api/events?key={wrong}").status_code == 403
