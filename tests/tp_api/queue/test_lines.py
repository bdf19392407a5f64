"""Both line stores (database, Redis) give the same places, turns and answers."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import TEST_SECRET
from tp_api.services.queue.schedule import PURCHASE_WINDOW, Tail, minute_index, next_turn
from tp_api.services.queue.tokens import QueueTokens

START = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def event_id(factory, seller) -> int:
    return int(factory.event(seller).id)


def test_turns_follow_the_schedule_exactly(line, event_id):
    tail = Tail()
    for i in range(60):
        now = START - timedelta(minutes=5) + timedelta(seconds=7 * i)
        place, created = line.join(event_id, f"c{i}", {1: 2}, now=now, starts_at=START, rate=9)
        expected = next_turn(tail, now=now, starts_at=START, rate=9)
        tail = expected.tail
        assert created and place.seq == expected.seq == i + 1
        assert abs(place.admit_at - expected.admit_at) < timedelta(milliseconds=1)
        assert place.items == {1: 2} and place.customer_ref == f"c{i}" and not place.used
    per_minute = Counter(
        minute_index(line.place(event_id, s).admit_at, START) for s in range(1, 61)
    )
    assert max(per_minute.values()) == 9
    assert line.length(event_id) == 60


def test_one_place_per_customer_until_it_is_spent(line, event_id):
    first, created = line.join(event_id, "alice", {1: 1}, now=START, starts_at=START, rate=5)
    again, created_again = line.join(
        event_id, "alice", {1: 4}, now=START + timedelta(seconds=30), starts_at=START, rate=5
    )
    assert created and not created_again
    assert again.seq == first.seq and again.items == {1: 1}  # the same place, as it was
    # Once its window is over the customer may join again: at the back.
    line.join(event_id, "bob", {1: 1}, now=START, starts_at=START, rate=5)
    later = first.window_ends_at + timedelta(seconds=1)
    fresh, created = line.join(event_id, "alice", {1: 3}, now=later, starts_at=START, rate=5)
    assert created and fresh.seq == 3 and fresh.items == {1: 3}
    # A place used by an order is spent too.
    assert line.claim(event_id, fresh.seq, "m1")
    after_order, created = line.join(event_id, "alice", {1: 1}, now=later, starts_at=START, rate=5)
    assert created and after_order.seq == 4


def test_admitted_through_is_the_last_place_whose_turn_came(line, event_id):
    assert line.admitted_through(event_id, START) == 0
    for i in range(7):
        line.join(
            event_id, f"c{i}", {1: 1}, now=START - timedelta(minutes=1), starts_at=START, rate=3
        )
    assert line.admitted_through(event_id, START - timedelta(seconds=1)) == 0
    assert line.admitted_through(event_id, START) == 3
    assert line.admitted_through(event_id, START + timedelta(seconds=59)) == 3
    assert line.admitted_through(event_id, START + timedelta(minutes=1)) == 6
    assert line.admitted_through(event_id, START + timedelta(minutes=2)) == 7
    assert line.admitted_through(event_id, START + PURCHASE_WINDOW * 10) == 7


def test_a_place_is_claimed_once_and_given_back_only_by_its_claimer(line, event_id):
    place, _ = line.join(event_id, "c", {1: 1}, now=START, starts_at=START, rate=1)
    assert line.claim(event_id, place.seq, "first")
    assert not line.claim(event_id, place.seq, "second")
    assert line.place(event_id, place.seq).used
    assert not line.claim(event_id, 99, "nobody")  # no such place


# In the database the claim is part of the order's transaction: its rollback undoes it.
@pytest.mark.parametrize("line_kind", ["redis"])
def test_redis_gives_back_a_claim_whose_order_did_not_commit(line, event_id):
    place, _ = line.join(event_id, "c", {1: 1}, now=START, starts_at=START, rate=1)
    assert line.claim(event_id, place.seq, "first")
    line.unclaim(event_id, place.seq, "other")  # not its claim: nothing changes
    assert line.place(event_id, place.seq).used
    line.unclaim(event_id, place.seq, "first")
    assert not line.place(event_id, place.seq).used


def test_places_are_read_in_order_and_lines_of_events_are_apart(line, factory, seller, event_id):
    other = int(factory.event(seller).id)
    for i in range(5):
        line.join(event_id, f"c{i}", {1: 1}, now=START, starts_at=START, rate=100)
    line.join(other, "c0", {2: 1}, now=START, starts_at=START, rate=100)
    assert [p.seq for p in line.places(event_id, 2, 4)] == [2, 3, 4]
    assert [p.customer_ref for p in line.places(event_id, 4, 10)] == ["c3", "c4"]
    assert line.length(other) == 1 and line.place(other, 1).items == {2: 1}
    assert line.place(other, 2) is None


def test_tokens_cannot_be_made_up_or_moved_to_another_place():
    tokens = QueueTokens([TEST_SECRET])
    token = tokens.issue(12, 345)
    assert tokens.place_of(token) == (12, 345)
    other_key = QueueTokens(["another-secret-that-is-long-enough-0123456789"])
    from tp_api.services.errors import NotFound

    for forged in (
        other_key.issue(12, 345),
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        token.replace(".", "", 1),
        "",
        "q",
    ):
        with pytest.raises(NotFound) as refused:
            tokens.place_of(forged)
        assert refused.value.code == "queue_token_invalid"
    # Rotated secrets: a token signed with the old one still reads.
    rotated = QueueTokens(["a-new-secret-that-is-long-enough-0123456789", TEST_SECRET])
    assert rotated.place_of(token) == (12, 345)


def test_a_place_never_gets_an_earlier_turn_than_the_one_before(line, event_id):
    first = START + timedelta(minutes=2, milliseconds=10)
    earlier_clock = START + timedelta(minutes=2, milliseconds=3)
    a, _ = line.join(event_id, "a", {1: 1}, now=first, starts_at=START, rate=50)
    b, _ = line.join(event_id, "b", {1: 1}, now=earlier_clock, starts_at=START, rate=50)
    assert b.admit_at >= a.admit_at
    # At the first turn's moment both are through, and the front is the last of them.
    assert line.admitted_through(event_id, first) == 2


def test_polls_count_the_people_ahead_across_minutes_and_new_joins(rooms, factory, seller):
    from tp_api.services.actors import SYSTEM
    from tp_api.services.queue.room_settings import RoomChange, configure

    event = factory.event(seller)
    ga = factory.ticket_type(event).id
    configure(
        seller.id,
        str(event.id),
        RoomChange(enabled=True, rate_per_minute=2, starts_at=START),
        actor=SYSTEM,
    )
    tokens = []
    for i in range(7):
        status, _ = rooms.join(
            seller.id, str(event.id), f"c{i}", {ga: 1}, now=START - timedelta(minutes=1)
        )
        tokens.append(status.token)

    def ahead(token, moment):
        return rooms.status(token, now=moment).position

    assert ahead(tokens[6], START - timedelta(seconds=1)) == 6
    assert ahead(tokens[6], START) == 4  # places 1 and 2 went through
    # The same answer for the whole minute (this process keeps the front until the next
    # turn), even after people joined behind.
    late, _ = rooms.join(
        seller.id, str(event.id), "late", {ga: 1}, now=START + timedelta(seconds=5)
    )
    assert ahead(tokens[6], START + timedelta(seconds=59)) == 4
    assert ahead(late.token, START + timedelta(seconds=59)) == 5
    assert ahead(tokens[6], START + timedelta(minutes=1)) == 2
    assert ahead(tokens[6], START + timedelta(minutes=2)) == 0
    assert rooms.status(tokens[6], now=START + timedelta(minutes=3)).state == "admitted"
    far = rooms.status(late.token, now=START)
    assert far.poll_after_s == 18 and far.estimated_wait_s == 180  # 3 to 30 seconds
    assert rooms.status(tokens[0], now=START).poll_after_s == 0
