"""Building the waiting rooms from settings: the line in Redis when ``TP_REDIS_URL`` is set
(every instance shares it), in the database otherwise."""

from __future__ import annotations

from config.settings import Settings
from tp_api.services.queue.db_line import DatabaseLine
from tp_api.services.queue.line import QueueLine
from tp_api.services.queue.redis_line import RedisLine
from tp_api.services.queue.tokens import QueueTokens
from tp_api.services.queue.waiting_room import WaitingRooms


def waiting_rooms(settings: Settings) -> WaitingRooms:
    """The one place that chooses where the lines are kept and signs their tokens."""
    line: QueueLine = RedisLine(settings.redis_url) if settings.redis_url else DatabaseLine()
    return WaitingRooms(line, QueueTokens([settings.secret_key, *settings.old_secret_keys]))
