"""The line kept in the database: one row per place and a tail row per event.

A join takes the write lock (SQLite) or the tail's row lock (PostgreSQL) for the few
statements that give the next turn, so turns follow the order of joining exactly.
"""

from __future__ import annotations

from datetime import datetime

from tp_api.db import database, insert_rows, lock_rows, tuples, write_transaction
from tp_api.models import QueuePlace, QueueTail
from tp_api.services.queue.line import items_of, items_text
from tp_api.services.queue.schedule import Place, Tail, next_turn

# A poll reads these thousands of times a second: written out once (as the scan path's
# statements are) rather than built by the query builder, which costs more than the read.
_PLACE_SQL = (
    'SELECT "customer_ref", "items", "joined_at", "admit_at", "order_marker" '
    'FROM "queue_place" WHERE "event_id" = {p} AND "seq" = {p}'
)
_NEXT_SQL = (
    'SELECT "seq", "admit_at" FROM "queue_place" WHERE "event_id" = {p} AND "admit_at" > {p} '
    'ORDER BY "admit_at", "seq" LIMIT 1'
)


def _moment(value: object) -> datetime:
    moment = QueuePlace.admit_at.python_value(value)
    assert moment is not None  # the column is NOT NULL
    return moment


class DatabaseLine:
    """:class:`~tp_api.services.queue.line.QueueLine` in the database."""

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
        with write_transaction():
            QueueTail.insert(event=event_id).on_conflict_ignore().execute()
            tail_row = lock_rows(QueueTail.select().where(QueueTail.event == event_id)).get()
            current = self._latest_of(event_id, customer_ref)
            if current is not None and not current.replaceable(now):
                return current, False
            tail = Tail(
                tail_row.last_seq,
                tail_row.minute,
                tail_row.admitted_in_minute,
                tail_row.last_turn,
            )
            turn = next_turn(tail, now=now, starts_at=starts_at, rate=rate)
            row: dict[str, object] = {
                "event": event_id,
                "seq": turn.seq,
                "customer_ref": customer_ref,
                "items": items_text(items),
                "joined_at": now,
                "admit_at": turn.admit_at,
                "order_marker": None,
            }
            insert_rows(QueuePlace, [row])
            QueueTail.update(
                last_seq=turn.tail.last_seq,
                minute=turn.tail.minute,
                admitted_in_minute=turn.tail.admitted_in_minute,
                last_turn=turn.admit_at,
            ).where(QueueTail.id == tail_row.id).execute()
        place = Place(event_id, turn.seq, customer_ref, dict(items), now, turn.admit_at, False)
        return place, True

    def _latest_of(self, event_id: int, customer_ref: str) -> Place | None:
        row = (
            QueuePlace.select()
            .where(QueuePlace.event == event_id, QueuePlace.customer_ref == customer_ref)
            .order_by(QueuePlace.seq.desc())
            .first()
        )
        return None if row is None else _place(row)

    def place(self, event_id: int, seq: int) -> Place | None:
        db = database.obj
        row = db.execute_sql(_PLACE_SQL.format(p=db.param), (event_id, seq)).fetchone()
        if row is None:
            return None
        ref, items, joined, admit, marker = row
        return Place(
            event_id,
            seq,
            ref,
            items_of(items),
            _moment(joined),
            _moment(admit),
            marker is not None,
        )

    def admitted_through(self, event_id: int, now: datetime) -> int:
        # Turns grow with the place number, so the latest turn that has come is the last
        # place let through: one step down the (event, admit_at, seq) index.
        rows = list(
            tuples(
                QueuePlace.select(QueuePlace.seq)
                .where(QueuePlace.event == event_id, QueuePlace.admit_at <= now)
                .order_by(QueuePlace.admit_at.desc(), QueuePlace.seq.desc())
                .limit(1)
            )
        )
        return int(rows[0][0]) if rows else 0

    def next_turn_after(self, event_id: int, now: datetime) -> tuple[int, datetime] | None:
        db = database.obj
        sql = _NEXT_SQL.format(p=db.param)
        row = db.execute_sql(sql, (event_id, QueuePlace.admit_at.db_value(now))).fetchone()
        return None if row is None else (int(row[0]), _moment(row[1]))

    def length(self, event_id: int) -> int:
        last = QueueTail.select(QueueTail.last_seq).where(QueueTail.event == event_id).scalar()
        return int(last or 0)

    def claim(self, event_id: int, seq: int, marker: str) -> bool:
        changed = (
            QueuePlace.update(order_marker=marker)
            .where(
                QueuePlace.event == event_id,
                QueuePlace.seq == seq,
                QueuePlace.order_marker.is_null(),
            )
            .execute()
        )
        return changed == 1

    def unclaim(self, event_id: int, seq: int, marker: str) -> None:
        # The claim was part of the order's transaction: its rollback undid it already.
        return None

    def places(self, event_id: int, first_seq: int, last_seq: int) -> list[Place]:
        query = (
            QueuePlace.select()
            .where(
                QueuePlace.event == event_id,
                QueuePlace.seq.between(first_seq, last_seq),
            )
            .order_by(QueuePlace.seq)
        )
        return [_place(row) for row in query]


def _place(row: QueuePlace) -> Place:
    return Place(
        row.event_id,
        row.seq,
        row.customer_ref,
        items_of(row.items),
        row.joined_at,
        row.admit_at,
        row.order_marker is not None,
    )
