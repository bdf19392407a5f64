"""The line kept in Redis (``TP_REDIS_URL``), shared by every service instance.

Per event, under one hash tag so a Redis Cluster keeps them on one node: ``tail`` (a hash:
the last place, its minute, that minute's count), ``customers`` (customer reference -> the
customer's latest place), ``turns`` (a sorted set: place -> its turn in milliseconds) and one
hash per place. A join is one Lua script, so it is atomic however many instances join at
once; its arithmetic is :func:`tp_api.services.queue.schedule.next_turn`'s, and the tests
hold both to the same answers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tp_api.services.queue.line import items_of, items_text
from tp_api.services.queue.schedule import PURCHASE_WINDOW, Place

# Lines are kept a month after their last join, then Redis forgets them.
KEEP_SECONDS = 30 * 24 * 3600

# KEYS: tail, customers, turns, place prefix. ARGV: customer, items, now_ms, start_ms, rate,
# window_ms, keep_s. Returns {seq, created (0/1)}.
_JOIN = """
local tail, customers, turns, prefix = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now, start = tonumber(ARGV[3]), tonumber(ARGV[4])
local rate, window = tonumber(ARGV[5]), tonumber(ARGV[6])
local current = redis.call('HGET', customers, ARGV[1])
if current then
  local p = redis.call('HMGET', prefix .. current, 'admit', 'marker')
  if p[1] and not p[2] and now < tonumber(p[1]) + window then
    return {tonumber(current), 0}
  end
end
local t = redis.call('HMGET', tail, 'seq', 'minute', 'count', 'turn')
local last, minute, count = tonumber(t[1] or '0'), tonumber(t[2] or '-1'), tonumber(t[3] or '0')
local last_turn = tonumber(t[4] or '0')
local earliest = math.floor((now - start) / 60000)
if earliest < 0 then earliest = 0 end
local m = math.max(minute, earliest)
if m == minute and count >= rate then m = m + 1 end
if m == minute then count = count + 1 else count = 1 end
-- Never before the last place's turn: joins that read the clock at once stay in order.
local admit = math.max(now, start + m * 60000, last_turn)
local seq = last + 1
redis.call('HSET', tail, 'seq', seq, 'minute', m, 'count', count, 'turn', admit)
redis.call('HSET', customers, ARGV[1], seq)
redis.call('HSET', prefix .. seq, 'ref', ARGV[1], 'items', ARGV[2], 'joined', now, 'admit', admit)
redis.call('ZADD', turns, admit, string.format('%012d', seq))
local keep = tonumber(ARGV[7])
redis.call('EXPIRE', tail, keep)
redis.call('EXPIRE', customers, keep)
redis.call('EXPIRE', turns, keep)
redis.call('EXPIRE', prefix .. seq, keep)
return {seq, 1}
"""

# KEYS: the place. ARGV: marker. Only an existing place that no order used yet.
_CLAIM = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'marker', ARGV[1])
"""

_UNCLAIM = """
if redis.call('HGET', KEYS[1], 'marker') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'marker')
end
return 0
"""


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _moment(ms: bytes | str | int) -> datetime:
    return datetime.fromtimestamp(int(ms) / 1000, tz=UTC)


class RedisLine:
    """:class:`~tp_api.services.queue.line.QueueLine` in Redis."""

    def __init__(self, url: str, *, namespace: str = "tp:queue") -> None:
        """``namespace`` prefixes every key (tests give each run its own)."""
        import redis  # only an installation with TP_REDIS_URL needs the client

        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.namespace = namespace
        self._join = self._client.register_script(_JOIN)
        self._claim = self._client.register_script(_CLAIM)
        self._unclaim = self._client.register_script(_UNCLAIM)

    def _key(self, event_id: int, name: str) -> str:
        return f"{self.namespace}:{{{event_id}}}:{name}"

    def join(
        self,
        event_id: int,
        customer_ref: str,
        items: dict[int, int],
        *,
        now: datetime,
        starts_at: datetime,
        rate: int,
    ) -> tuple[Place, bool]:
        keys = [
            self._key(event_id, "tail"),
            self._key(event_id, "customers"),
            self._key(event_id, "turns"),
            self._key(event_id, "place:"),
        ]
        args: list[Any] = [
            customer_ref,
            items_text(items),
            _ms(now),
            _ms(starts_at),
            rate,
            int(PURCHASE_WINDOW.total_seconds() * 1000),
            KEEP_SECONDS,
        ]
        seq, created = self._join(keys=keys, args=args)
        place = self.place(event_id, int(seq))
        assert place is not None  # the script has just written or found it
        return place, bool(created)

    def place(self, event_id: int, seq: int) -> Place | None:
        fields = self._client.hgetall(self._key(event_id, f"place:{seq}"))
        return _place(event_id, seq, fields) if fields else None

    def admitted_through(self, event_id: int, now: datetime) -> int:
        # The highest turn that has come; among equal turns the highest (zero-padded) place.
        found: Any = self._client.zrevrangebyscore(
            self._key(event_id, "turns"), _ms(now), "-inf", start=0, num=1
        )
        return int(found[0]) if found else 0

    def next_turn_after(self, event_id: int, now: datetime) -> tuple[int, datetime] | None:
        # The lowest turn after now; among equal turns the lowest (zero-padded) place.
        found: Any = self._client.zrangebyscore(
            self._key(event_id, "turns"), f"({_ms(now)}", "+inf", start=0, num=1, withscores=True
        )
        if not found:
            return None
        member, score = found[0]
        return int(member), _moment(int(score))

    def length(self, event_id: int) -> int:
        last: Any = self._client.hget(self._key(event_id, "tail"), "seq")
        return int(last or 0)

    def claim(self, event_id: int, seq: int, marker: str) -> bool:
        return bool(self._claim(keys=[self._key(event_id, f"place:{seq}")], args=[marker]))

    def unclaim(self, event_id: int, seq: int, marker: str) -> None:
        self._unclaim(keys=[self._key(event_id, f"place:{seq}")], args=[marker])

    def places(self, event_id: int, first_seq: int, last_seq: int) -> list[Place]:
        seqs = list(range(max(1, first_seq), last_seq + 1))
        pipe = self._client.pipeline(transaction=False)
        for seq in seqs:
            pipe.hgetall(self._key(event_id, f"place:{seq}"))
        found = pipe.execute()
        return [_place(event_id, seq, f) for seq, f in zip(seqs, found, strict=True) if f]

    def forget(self, event_id: int) -> None:
        """Drop an event's line (tests, and a room switched off and cleared)."""
        pattern = self._key(event_id, "*")
        names = list(self._client.scan_iter(match=pattern, count=1000))
        for start in range(0, len(names), 1000):
            self._client.delete(*names[start : start + 1000])


def _place(event_id: int, seq: int, fields: Any) -> Place:
    # redis-py's stubs type replies as sync-or-async unions; a hash reply is bytes to bytes.
    return Place(
        event_id,
        seq,
        fields[b"ref"].decode(),
        items_of(fields[b"items"].decode()),
        _moment(fields[b"joined"]),
        _moment(fields[b"admit"]),
        b"marker" in fields,
    )
