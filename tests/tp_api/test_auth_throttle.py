"""Wrong keys from one address are throttled, partner, admin-API and scanner keys alike, and
logged; a right key is always served."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from tp_api.services.credentials.authenticator import ThrottlePolicy
from tp_api.services.door import scanners
from tp_api.web.parts import parts_of

WRONG_ADMIN_KEY = "tpk_" + "x" * 43


@pytest.fixture
def three_strikes(app, time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    parts_of(app).auth_throttle.policy = ThrottlePolicy(
        max_failures=3, window=timedelta(minutes=5), block_for=timedelta(minutes=15)
    )


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.usefixtures("three_strikes")
def test_a_right_partner_key_is_served_while_wrong_ones_are_refused(
    client, factory, caplog, time_machine
):
    seller = factory.seller()
    caplog.set_level(logging.INFO, logger="tp_api.services.credentials.authenticator")
    for _ in range(3):
        assert client.get("/tp-api/events?key=wrong-key-123456").status_code == 403
        assert client.get(f"/tp-api/events?key={seller.key}").status_code == 200
    refused = client.get("/tp-api/events?key=wrong-key-123456")
    assert refused.status_code == 429
    assert refused.get_data(as_text=True) == "Too many failed authentication attempts"
    assert refused.headers["Retry-After"] == "901"
    # The stale key goes on being refused, the right key goes on being served.
    assert client.get(f"/tp-api/events?key={seller.key}").status_code == 200
    assert client.get("/tp-api/events").status_code == 429
    messages = [r.getMessage() for r in caplog.records]
    assert "auth: wrong partner key from 127.0.0.1 (3 of 3 allowed)" in messages
    assert any("127.0.0.1 blocked until 2026-06-01T10:15:00" in m for m in messages)
    # Another address is not affected.
    other = client.get("/tp-api/events?key=wrong", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 403
    time_machine.shift(timedelta(minutes=16))
    assert client.get("/tp-api/events?key=wrong-key-123456").status_code == 403


@pytest.mark.usefixtures("three_strikes")
def test_admin_api_keys_are_throttled_in_the_admin_error_shape(client, factory):
    seller = factory.seller()
    good = factory.api_key(seller)
    for _ in range(3):
        assert client.get("/api/v1/events", headers=_bearer(WRONG_ADMIN_KEY)).status_code == 401
    refused = client.get("/api/v1/events", headers={"x-api-key": WRONG_ADMIN_KEY})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "901"
    error = refused.get_json()["error"]
    assert (error["code"], error["status"]) == ("too_many_attempts", 429)
    assert error["message"] == "Too many failed authentication attempts"
    assert client.get("/api/v1/events", headers=_bearer(good)).status_code == 200


@pytest.mark.usefixtures("three_strikes")
def test_one_allowance_per_address_for_every_kind_of_key(client, factory):
    seller = factory.seller()
    event = factory.event(seller)
    scanner_key = scanners.create_scanner(seller.id, "Gate A", [event.id]).secret
    live = f"/api/v1/events/{event.id}/live"
    assert client.get("/tp-api/events?key=wrong-key-123456").status_code == 403
    assert client.get("/api/v1/events", headers=_bearer(WRONG_ADMIN_KEY)).status_code == 401
    assert client.get(live, headers=_bearer("tps_wrongwrongwrong")).status_code == 403
    refused = client.get(live, headers=_bearer("tps_wrongwrongwrong"))
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "901"
    assert refused.get_json()["error"]["code"] == "too_many_attempts"
    assert client.get(live, headers=_bearer(scanner_key)).status_code == 200


@pytest.mark.usefixtures("three_strikes")
def test_failures_outside_the_window_do_not_add_up(client, factory, time_machine):
    seller = factory.seller()
    for _ in range(2):
        client.get("/tp-api/events?key=wrong")
    time_machine.shift(timedelta(minutes=6))
    for _ in range(2):
        assert client.get("/tp-api/events?key=wrong").status_code == 403
    assert client.get("/tp-api/events?key=wrong").status_code == 403
    assert client.get("/tp-api/events?key=wrong").status_code == 429
    assert client.get(f"/tp-api/events?key={seller.key}").status_code == 200


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/tp-api/events?key=tp_aaaaaaaaa%01aaaaaaaa", {}, 403),
        ("/tp-api/events?key=tp_aaaaaaaaa%C3%A9aaaaaaa", {}, 403),
        # A NUL anywhere in the query is refused before the key is looked at.
        ("/tp-api/events?key=tp_aaaaaaaaa%00aaaaaaaa", {}, 400),
        ("/api/v1/events", {"x-api-key": "tpk_aaaaaaaa\x01aaaaaaaaaa"}, 401),
        ("/api/v1/events/1/live", {"Authorization": "Bearer tps_aaaaaaaa\x7faaaaaaa"}, 403),
    ],
)
def test_keys_with_control_characters_are_wrong_keys(client, path, headers, status):
    # Keys are printable ASCII: anything else is wrong without a database lookup.
    assert client.get(path, headers=headers).status_code == status


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
