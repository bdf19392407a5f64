"""Benchmark: the door scan's lookup statement alone, before and after admission times.

Run: .venv/bin/python bench/scan_lookup_bench.py [--db sqlite|postgres|both] [--rounds 10]

Migration 0029 made the scan's one lookup statement (tp_api.services.door.checkin_sql)
also read when the ticket's event, or its parent, opens its doors: two more columns and a
LEFT JOIN of the parent event. This times that statement against the text it had before,
in one process, on the same database, in alternating rounds (so a machine shared with other
work loads both alike), and prints PostgreSQL's plan of the new one. ``scan_bench.py``
measures whole scans through the server; on a loaded machine its run-to-run noise hides a
difference this size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_server import fresh_database  # noqa: E402

TICKETS = 5_000
PER_ROUND = 2_000
# The lookup as it was before migration 0029 (commit bdf144c).
BEFORE_SQL = (
    'SELECT t."id", t."reference", t."event_id", e."parent_id", t."version", t."status", '
    't."first_name", t."last_name", tt."name", e."allow_reentry", e."require_personalisation", '
    't."is_deprecated" '
    'FROM "ticket" AS t JOIN "ticket_type" AS tt ON tt."id" = t."ticket_type_id" '
    'JOIN "event" AS e ON e."id" = t."event_id" WHERE t."reference" = {p}'
)


def _seed(url: str) -> list[str]:
    """An event with a date and ``TICKETS`` tickets of the date; their references."""
    from tp_api import migrations
    from tp_api.db import connect, utcnow
    from tp_api.models import Event, Ticket
    from tp_api.services.credentials import partner_keys
    from tp_api.services.events import catalogue as events
    from tp_api.services.orders import submit as orders
    from tp_api.services.orders.order_input import OrderInput, OrderLineInput

    db = connect(url)
    migrations.upgrade(db)
    with db.connection_context():
        seller = partner_keys.create_account("Lookup bench")
        node = events.load_events(
            seller.id,
            [{"name": "Fest", "stock": TICKETS, "tickets": [{"name": "GA", "stock": TICKETS}]}],
        )[0]
        Event.update(admission_opens_minutes=60).where(Event.id == node.event.id).execute()
        line = OrderLineInput("GA", 500, 1, "line_item", 1000, node.ticket_types[0].id)
        for n in range(TICKETS // 500):
            order = OrderInput(wp_order_id=f"lookup-{n}", date_paid=utcnow(), lines=(line,))
            orders.submit_order(seller.id, order)
        references = [t.reference for t in Ticket.select(Ticket.reference)]
    db.close_all()
    return references


def _time(db, sql: str, references: list[str]) -> float:
    """Microseconds per lookup over ``references``."""
    started = time.perf_counter()
    for reference in references:
        db.execute_sql(sql, (reference,)).fetchone()
    return (time.perf_counter() - started) / len(references) * 1e6


def measure(kind: str, rounds: int) -> None:
    from tp_api.db import connect
    from tp_api.services.door import checkin_sql

    url = fresh_database(kind, Path(tempfile.mkdtemp(prefix="tp-lookup-bench-")), "lookup")
    references = _seed(url)
    db = connect(url)
    if kind == "sqlite":
        before, after = BEFORE_SQL.format(p="?"), checkin_sql.LOOKUP_SQL.format(p="?")
    else:
        # Prepared, as the scan path runs them (tp_api.services.door.checkin_sql.pg_execute):
        # planned once per connection.
        before, after = "EXECUTE lookup_before(%s)", "EXECUTE lookup_after(%s)"
    times: dict[str, list[float]] = {"before": [], "after": []}
    with db.connection_context():
        if kind == "postgres":
            for name, sql in (("before", BEFORE_SQL), ("after", checkin_sql.LOOKUP_SQL)):
                db.execute_sql(f"PREPARE lookup_{name} (text) AS {sql.format(p='$1')}")
        for n in range(rounds):
            batch = references[(n * PER_ROUND) % len(references) :][:PER_ROUND]
            # Alternate which goes first, so neither always meets a warmer cache.
            order = ("before", "after") if n % 2 == 0 else ("after", "before")
            for name in order:
                times[name].append(_time(db, before if name == "before" else after, batch))
        plan = ""
        if kind == "postgres":
            rows = db.execute_sql("EXPLAIN " + after, (references[0],)).fetchall()  # noqa: S608
            plan = "\n".join("      " + row[0] for row in rows)
    db.close_all()
    b, a = statistics.median(times["before"]), statistics.median(times["after"])
    print(
        f"  {kind:8s} lookup: before {b:6.1f} µs, after {a:6.1f} µs "
        f"({(a - b) / b * 100:+.1f} %), medians of {rounds} rounds of {PER_ROUND}"
    )
    if plan:
        print("    plan of the new lookup:\n" + plan)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    print(f"command: {' '.join(sys.argv)}")
    for kind in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        measure(kind, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
