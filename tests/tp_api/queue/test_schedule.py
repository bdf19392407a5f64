"""The turns of a line: fair, never more than the rate in a minute, at once when empty."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from tp_api.services.queue.schedule import PURCHASE_WINDOW, Place, Tail, minute_index, next_turn

START = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


def joins(moments: list[datetime], rate: int) -> list[datetime]:
    tail = Tail()
    turns = []
    for moment in moments:
        turn = next_turn(tail, now=moment, starts_at=START, rate=rate)
        assert turn.seq == tail.last_seq + 1
        tail = turn.tail
        turns.append(turn.admit_at)
    return turns


def test_people_who_join_before_the_start_are_let_through_at_the_rate_in_joining_order():
    early = [START - timedelta(minutes=30, seconds=-i) for i in range(25)]
    turns = joins(early, rate=10)
    assert turns == sorted(turns)
    per_minute = Counter(minute_index(t, START) for t in turns)
    assert per_minute == {0: 10, 1: 10, 2: 5}
    assert turns[0] == START and turns[10] == START + timedelta(minutes=1)


def test_someone_who_joins_an_empty_line_goes_through_at_once():
    moment = START + timedelta(minutes=7, seconds=13)
    assert joins([moment], rate=5) == [moment]


def test_a_late_joiner_waits_behind_a_full_minute_but_not_behind_an_empty_past():
    base = START + timedelta(minutes=3, seconds=1)
    moments = [base + timedelta(milliseconds=i) for i in range(3)]
    turns = joins([*moments, START + timedelta(minutes=20)], rate=2)
    assert turns[:2] == moments[:2]  # minute 3 has room for two
    assert turns[2] == START + timedelta(minutes=4)  # the third waits for minute 4
    assert turns[3] == START + timedelta(minutes=20)  # long after: the line is empty again


def test_no_minute_admits_more_than_the_rate_under_any_arrival_pattern():
    import random

    rng = random.Random(7)
    moments = sorted(START + timedelta(seconds=rng.uniform(-600, 1800)) for _ in range(2_000))
    turns = joins(moments, rate=37)
    per_minute = Counter(minute_index(t, START) for t in turns)
    assert max(per_minute.values()) <= 37
    assert turns == sorted(turns)
    assert all(t >= m for t, m in zip(turns, moments, strict=True))  # nobody before joining


def test_a_place_is_waiting_then_admitted_for_ten_minutes_then_expired_unless_used():
    place = Place(1, 1, "c", {5: 2}, START, START + timedelta(minutes=2), used=False)
    assert place.state(START) == "waiting"
    assert place.state(START + timedelta(minutes=2)) == "admitted"
    assert place.window_ends_at == START + timedelta(minutes=2) + PURCHASE_WINDOW
    assert place.state(place.window_ends_at - timedelta(seconds=1)) == "admitted"
    assert place.state(place.window_ends_at) == "expired"
    assert place.replaceable(place.window_ends_at)
    assert not place.replaceable(START)
    used = Place(1, 1, "c", {5: 2}, START, START, used=True)
    assert used.state(START + timedelta(hours=1)) == "completed" and used.replaceable(START)


def test_joins_that_read_the_clock_out_of_order_keep_their_turns_in_order():
    # Two customers joining an empty line at once: the second took the lock first but read
    # the clock later, so the line sees its "now" go backwards by a few milliseconds.
    base = START + timedelta(minutes=3)
    moments = [base + timedelta(milliseconds=ms) for ms in (10, 4, 7, 1)]
    turns = joins(moments, rate=100)
    assert turns == sorted(turns)
    assert turns[0] == moments[0] and all(t == moments[0] for t in turns)
