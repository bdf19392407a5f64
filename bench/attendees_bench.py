"""Benchmark: an event's attendee list streams as CSV in flat memory (issue 19).

Run: .venv/bin/python bench/attendees_bench.py [--db sqlite|postgres|both] [--sizes 100000 1000000]

Fills a fresh database with one event's tickets (orders of 4 tickets, every other ticket
personalised, every tenth admitted at the door), then runs
``services.events.attendees.export_csv`` (what ``GET /api/v1/events/{id}/attendees.csv`` and
the console's download stream) to the end: the time of one run, and in a second, traced run
the peak of Python memory allocated while exporting (tracemalloc). Flat memory means the
peak at 1,000,000 tickets is close to the peak at 100,000.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_db import drop_postgres, fresh_postgres  # noqa: E402

POSTGRES_DB = "tp_attendees_bench"
SIZES = (100_000, 1_000_000)
PER_ORDER = 4
BATCH = 2_000


def _fill(
    account_id: int, event_id: int, type_id: int, start: int, count: int, asked: list[int]
) -> None:
    """``count`` more tickets (``start`` already there), in orders of PER_ORDER; every
    personalised ticket answers the questions ``asked``."""
    from tp_api.db import database, utcnow
    from tp_api.models import CheckIn, Order, OrderLine, Ticket, TicketAnswer

    now = utcnow()
    for first in range(start, start + count, BATCH):
        last = min(first + BATCH, start + count)
        with database.atomic():
            orders = [
                {
                    "account": account_id,
                    "number": 10**11 + n,
                    "status": "processing",
                    "currency": "EUR",
                    "total_cents": 2995 * PER_ORDER,
                    "billing_email": f"buyer{n:07d}@example.com",
                    "date_created": now,
                    "date_paid": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(first // PER_ORDER, (last + PER_ORDER - 1) // PER_ORDER)
            ]
            Order.insert_many(orders).execute()
            numbers = [o["number"] for o in orders]
            order_ids = dict(
                Order.select(Order.number, Order.id).where(Order.number.in_(numbers)).tuples()
            )
            OrderLine.insert_many(
                [
                    {
                        "order": order_ids[number],
                        "line_type": "ticket",
                        "order_item_type": "line_item",
                        "name": "General Admission",
                        "ticket_type": type_id,
                        "unit_price_cents": 2995,
                        "quantity": PER_ORDER,
                    }
                    for number in numbers
                ]
            ).execute()
            line_of = dict(
                OrderLine.select(OrderLine.order, OrderLine.id)
                .where(OrderLine.order.in_(list(order_ids.values())))
                .tuples()
            )
            tickets = []
            for n in range(first, last):
                order_id = order_ids[10**11 + n // PER_ORDER]
                named = n % 2 == 0
                tickets.append(
                    {
                        "reference": f"b{n:011d}",
                        "order": order_id,
                        "order_line": line_of[order_id],
                        "ticket_type": type_id,
                        "event": event_id,
                        "status": 2 if named else 1,
                        "first_name": f"Guest{n}" if named else "",
                        "last_name": "Doe" if named else "",
                        "email": f"guest{n}@example.com" if named else "",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            Ticket.insert_many(tickets).execute()
            named_ids = Ticket.select(Ticket.id).where(
                Ticket.reference.in_([f"b{n:011d}" for n in range(first, last) if n % 2 == 0])
            )
            TicketAnswer.insert_many(
                [
                    {"ticket": t, "question": q, "value": value, "updated_at": now}
                    for (t,) in named_ids.tuples()
                    for q, value in zip(asked, ("large", "No nuts, please"), strict=True)
                ]
            ).execute()
            admitted = Ticket.select(Ticket.id).where(
                Ticket.reference.in_([f"b{n:011d}" for n in range(first, last) if n % 10 == 0])
            )
            CheckIn.insert_many(
                [
                    {"ticket": t, "event": event_id, "at": now, "gate": "A", "result": "ok"}
                    for (t,) in admitted.tuples()
                ]
            ).execute()
    database.execute_sql("ANALYZE")


def _questions(account_id: int, event_id: int) -> list[int]:
    """Two questions of the event (a choice and a text): the export has a column for each."""
    from tp_api.schemas.questions import QuestionCreate
    from tp_api.services.events import questions

    size = QuestionCreate(
        type="choice", label="T-shirt size", options=[{"label": "Small"}, {"label": "Large"}]
    )
    diet = QuestionCreate(type="text", label="Dietary needs")
    return [questions.add_question(account_id, str(event_id), q).id for q in (size, diet)]


def _export(account_id: int, event_id: int) -> tuple[float, int, int, int]:
    """Seconds (untraced run), peak traced bytes (second run), CSV bytes and rows."""
    from tp_api.services.events.attendees import AttendeeFilter, export_csv

    started = time.perf_counter()
    size = lines = 0
    for chunk in export_csv(account_id, str(event_id), AttendeeFilter()):
        size += len(chunk)
        lines += chunk.count("\n")
    elapsed = time.perf_counter() - started
    # tracemalloc slows Python down several times: memory is measured in a run of its own.
    tracemalloc.start()
    for _chunk in export_csv(account_id, str(event_id), AttendeeFilter()):
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak, size, lines - 1


def run(kind: str, workdir: Path, sizes: tuple[int, ...]) -> None:
    from tp_api import migrations
    from tp_api.db import connect
    from tp_api.models import Event, TicketType
    from tp_api.services.credentials import partner_keys

    url = (
        f"sqlite:///{workdir / 'attendees.sqlite3'}"
        if kind == "sqlite"
        else fresh_postgres(POSTGRES_DB)
    )
    db = connect(url, max_connections=2)
    try:
        migrations.upgrade(db)
        with db.connection_context():
            account = partner_keys.create_account("Attendees bench")
            event = Event.create(account=account.id, name="Big Festival", stock=sizes[-1])
            ticket_type = TicketType.create(
                event=event.id, name="GA", price_cents=2995, stock=sizes[-1]
            )
            asked = _questions(account.id, event.id)
            filled = 0
            for size in sizes:
                loading = time.perf_counter()
                _fill(account.id, event.id, ticket_type.id, filled, size - filled, asked)
                loaded = time.perf_counter() - loading
                filled = size
                elapsed, peak, nbytes, rows = _export(account.id, event.id)
                assert rows == size, (rows, size)
                print(
                    f"{kind:8} {size:>9,} tickets  export {elapsed:6.2f} s  "
                    f"{size / elapsed:>9,.0f} rows/s  peak {peak / 1e6:6.2f} MB  "
                    f"CSV {nbytes / 1e6:6.1f} MB  (load {loaded:.0f} s)",
                    flush=True,
                )
        db.close_all()
    finally:
        if kind == "postgres":
            drop_postgres(POSTGRES_DB)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=list(SIZES), help="tickets per run (smoke: 2000)"
    )
    args = parser.parse_args()
    kinds = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            run(kind, Path(tmp), tuple(args.sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
