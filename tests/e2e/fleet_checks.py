"""What must hold after the fleet ran, killed and recovered: read from the shared database
(SQL) and from what the receivers recorded. Each check returns its problems, one a line;
none means it held."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from email.message import Message
from typing import Any

import psycopg2

from tests.e2e.fleet_load import Tally
from tests.webhooks.support import Received

MAIL_KINDS = {"deliver_tickets": "tp-delivery", "mail_holder_ticket": "tp-holder"}
PAID = ("processing", "completed")
CANCELLED_TICKET = 5


def rows(db_url: str, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
    """The rows of one query on the fleet's database."""
    conn = psycopg2.connect(db_url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, tuple(args))
            return list(cur.fetchall())
    finally:
        conn.close()


def pending_outbox(db_url: str) -> int:
    """Outbox jobs neither done nor given up."""
    return int(
        rows(db_url, "SELECT count(*) FROM outbox_entry WHERE done_at IS NULL "
             "AND failed_at IS NULL")[0][0]
    )  # fmt: skip


def shop_orders_ingested(db_url: str) -> int:
    return int(rows(db_url, "SELECT count(DISTINCT external_id) FROM shop_order")[0][0])


def not_oversold(db_url: str) -> list[str]:
    """No ticket type sold beyond its stock; its live tickets are exactly what it sold."""
    found = rows(
        db_url,
        "SELECT tt.id, tt.stock, tt.sold, tt.reserved, count(t.id) FROM ticket_type tt "
        "LEFT JOIN ticket t ON t.ticket_type_id = tt.id AND t.status <> %s "
        "AND NOT t.is_deprecated GROUP BY tt.id",
        (CANCELLED_TICKET,),
    )
    return [
        f"ticket type {tid}: stock {stock}, sold {sold}, reserved {reserved}, {live} tickets"
        for tid, stock, sold, reserved, live in found
        if sold + reserved > stock or live != sold
    ]


def paid_orders_have_their_tickets(db_url: str, tally: Tally) -> list[str]:
    """Each paid order has one ticket per unit; each order the load was told of is there
    once (a retry after a kill updates it, never doubles it)."""
    problems = [
        f"order {oid}: {units} units paid, {issued} tickets"
        for oid, units, issued in rows(
            db_url,
            "SELECT o.id, (SELECT sum(l.quantity) FROM order_line l WHERE l.order_id = o.id "
            "AND l.ticket_type_id IS NOT NULL), (SELECT count(*) FROM ticket t "
            'WHERE t.order_id = o.id AND NOT t.is_deprecated) FROM "order" o '
            "WHERE o.status IN %s",
            (PAID,),
        )
        if units != issued
    ]
    counts = dict(
        rows(
            db_url,
            'SELECT wp_order_id, count(*) FROM "order" WHERE wp_order_id LIKE %s '
            "GROUP BY wp_order_id",
            ("fleet-%",),
        )
    )
    problems += [
        f"{wp}: {counts.get(wp, 0)} orders" for wp in tally.wp_orders if counts.get(wp) != 1
    ]
    return problems


def shop_orders_once(db_url: str, tally: Tally) -> list[str]:
    """Every order placed in the shop is bound once, to one order with its tickets."""
    found = rows(
        db_url,
        "SELECT s.external_id, count(DISTINCT s.id), max(s.order_id), "
        "(SELECT count(*) FROM ticket t WHERE t.order_id = max(s.order_id) "
        "AND NOT t.is_deprecated) FROM shop_order s GROUP BY s.external_id",
    )
    seen = {int(ext): (bindings, order_id, tickets) for ext, bindings, order_id, tickets in found}
    problems = [f"shop order {ext} never ingested" for ext in tally.shop_orders if ext not in seen]
    for ext, (bindings, order_id, tickets) in seen.items():
        wanted = tally.shop_orders.get(ext)
        if bindings != 1 or order_id is None or tickets != wanted:
            problems.append(
                f"shop order {ext}: {bindings} bindings, order {order_id}, {tickets} tickets "
                f"for {wanted} units"
            )
    return problems


def _attempts(db_url: str, kinds: tuple[str, ...]) -> list[tuple[int, str, int, str]]:
    return [
        (int(i), str(k), int(a), str(p))
        for i, k, a, p in rows(
            db_url,
            "SELECT id, kind, attempts, payload FROM outbox_entry WHERE kind IN %s "
            "AND done_at IS NOT NULL",
            (kinds,),
        )
    ]


def mails_once(db_url: str, messages: list[Message], tally: Tally) -> list[str]:
    """Each e-mail job done reached the SMTP server, by its Message-ID; twice only when its
    job was claimed again (its worker killed before it could record the sending)."""
    received = Counter(str(m["Message-ID"]).strip("<>").split("@")[0] for m in messages)
    expected = {f"{MAIL_KINDS[k]}-{i}": a for i, k, a, _ in _attempts(db_url, tuple(MAIL_KINDS))}
    problems = [f"e-mail {mid} never arrived" for mid in expected if mid not in received]
    problems += [
        f"e-mail {mid} arrived but no job sent it" for mid in received if mid not in expected
    ]
    problems += [
        f"e-mail {mid} arrived {count} times, its job claimed {expected[mid]} time(s)"
        for mid, count in received.items()
        if mid in expected and count > expected[mid]
    ]
    deliveries = sum(1 for mid in expected if mid.startswith("tp-delivery"))
    if deliveries < tally.personalised:
        problems.append(f"{tally.personalised} orders personalised, {deliveries} e-mails sent")
    return problems


def webhooks_once(db_url: str, requests_seen: list[Received]) -> list[str]:
    """Each webhook delivery succeeded and reached the receiver, by its ``webhook-id``; more
    than once only when its outbox job was claimed again."""
    deliveries = rows(
        db_url,
        "SELECT d.id, e.public_id, d.status FROM webhook_delivery d "
        "JOIN webhook_event e ON e.id = d.event_id",
    )
    claims: Counter[int] = Counter()
    for _, _, attempts, payload in _attempts(db_url, ("deliver_webhook",)):
        claims[int(json.loads(payload)["delivery_id"])] += attempts
    received = Counter(r.headers.get("webhook-id", "") for r in requests_seen)
    problems = [
        f"delivery {d} of {pid}: {status}" for d, pid, status in deliveries if status != "succeeded"
    ]
    expected = {str(pid): claims[int(d)] for d, pid, _ in deliveries}
    problems += [f"webhook {pid} never arrived" for pid in expected if pid not in received]
    problems += [f"webhook {pid} arrived, never sent" for pid in received if pid not in expected]
    problems += [
        f"webhook {pid} arrived {count} times, its job claimed {expected[pid]} time(s)"
        for pid, count in received.items()
        if pid in expected and count > max(1, expected[pid])
    ]
    return problems


def scans_once(db_url: str, tally: Tally) -> list[str]:
    """Each ticket scanned at both doors was admitted once, in the answers and the database."""
    problems = [f"ticket {ref}: admitted {n} times" for ref, n in tally.tickets.items() if n > 1]
    found = rows(
        db_url,
        "SELECT t.reference, count(c.id) FROM ticket t JOIN check_in c ON c.ticket_id = t.id "
        "AND c.direction = 'in' AND c.result = 'ok' GROUP BY t.reference",
    )
    problems += [f"ticket {ref}: {n} admissions recorded" for ref, n in found if n != 1]
    admitted = {ref for ref, _ in found}
    problems += [
        f"ticket {ref}: admitted, not recorded"
        for ref, n in tally.tickets.items()
        if n and ref not in admitted
    ]
    return problems


def runs_once_per_interval(db_url: str, interval_s: int, slack: float) -> list[str]:
    """A shop's order pulls across all daemons: never two at once, never two within one
    interval (less the daemons' slack for scheduler jitter)."""
    found = rows(
        db_url,
        "SELECT shop_id, started_at, finished_at FROM sync_run WHERE kind = 'orders' "
        "ORDER BY shop_id, started_at",
    )
    problems = []
    least = interval_s * (1 - slack)
    for (shop, start, end), (next_shop, next_start, _) in zip(found, found[1:], strict=False):
        if shop != next_shop:
            continue
        gap = (next_start - start).total_seconds()
        if gap < least:
            problems.append(f"shop {shop}: order pulls {gap:.1f} s apart (interval {interval_s})")
        if end is not None and next_start < end:
            problems.append(f"shop {shop}: order pulls overlapping at {next_start}")
    if len(found) < 2:
        problems.append(f"only {len(found)} order pull(s): the run was too short to tell")
    return problems
