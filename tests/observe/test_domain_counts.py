"""Orders created, paid and refunded, and scans by result: each counter moves by exactly
what the test did, counted once the change committed (never for one rolled back)."""

from __future__ import annotations

import pytest

from tests.door.conftest import door  # noqa: F401 - the door's fixture, reused
from tests.door.support import post_scan
from tests.observe.metrics_text import scrape
from tp_api.db import after_commit, write_transaction
from tp_api.services import counts
from tp_api.services.errors import TicketingError


def test_orders_created_paid_and_refunded(client, api, factory, seller):
    ticket_type = factory.ticket_type(factory.event(seller, ticket_stock=5))
    before = scrape(client)
    first = factory.order(seller, ticket_type, quantity=1)
    factory.order(seller, ticket_type, quantity=1)
    factory.order(seller, ticket_type, quantity=1, paid=False, wp_order_id="wc_later")
    with pytest.raises(TicketingError):
        factory.order(seller, ticket_type, quantity=10)  # sold out: nothing committed
    middle = scrape(client)
    assert middle.moved(before, "tp_orders_created_total") == 3
    assert middle.moved(before, "tp_orders_paid_total") == 2
    factory.order(seller, ticket_type, quantity=1, wp_order_id="wc_later")  # now paid
    refunded = api.post(f"/orders/{first.number}/refund", {})
    assert refunded.status_code == 200, refunded.get_data(as_text=True)
    after = scrape(client)
    assert after.moved(middle, "tp_orders_created_total") == 0
    assert after.moved(middle, "tp_orders_paid_total") == 1
    assert after.moved(middle, "tp_orders_refunded_total") == 1


def test_scans_by_direction_and_result(client, door):  # noqa: F811 - the fixture
    before = scrape(client)
    code = door["codes"][0]
    assert post_scan(client, door, code).get_json()["success"] is True
    assert post_scan(client, door, code).get_json()["reason"] == "already_checked_in"
    assert post_scan(client, door, code, direction="out").get_json()["success"] is True
    assert post_scan(client, door, "TP1.GARBAGE").get_json()["reason"] == "invalid_signature"
    after = scrape(client)

    def moved(direction: str, result: str) -> float:
        return after.moved(before, "tp_scans_total", direction=direction, result=result)

    assert moved("in", "ok") == 1
    assert moved("in", "already_checked_in") == 1
    assert moved("out", "ok") == 1
    assert moved("in", "invalid_signature") == 1


def test_a_count_waits_for_the_commit_and_goes_with_a_rollback(db):
    told: list[tuple[str, int]] = []
    counts.listen(lambda name, labels, amount: told.append((name, amount)))
    try:
        with write_transaction():
            counts.count("kept")
            with pytest.raises(RuntimeError), write_transaction():
                counts.count("in a savepoint rolled back")
                raise RuntimeError
            with write_transaction():
                counts.count("in a savepoint released", 2)
            assert told == []  # nothing before the commit
        assert told == [("kept", 1), ("in a savepoint released", 2)]
        with pytest.raises(RuntimeError), write_transaction():
            counts.count("rolled back")
            raise RuntimeError
        counts.count("outside a transaction")
        assert told[2:] == [("outside a transaction", 1)]
    finally:
        counts.listen(None)


def test_a_failing_callback_does_not_undo_the_commit(db, caplog):
    def broken() -> None:
        raise ValueError("listener broke")

    with write_transaction():
        after_commit(broken)
    assert "an after-commit callback failed" in caplog.text
