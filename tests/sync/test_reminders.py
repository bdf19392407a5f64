"""Reminders before an event: which tickets, to whom, once per ticket even with several
daemons racing, on both databases; mailed through the real worker and SMTP server."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from config.workers import outbox_worker
from sync.daemon import SyncDaemon
from sync.shop_handlers import ShopJobs
from tests.sync.test_ticket_delivery import body_text, pdf_text
from tp_api.db import database, is_postgres, utcnow
from tp_api.models import Event, EventLifecycle, OutboxEntry, Ticket, TicketStatus
from tp_api.services.delivery import reminders


def event_in(factory, seller, hours: float, **fields):
    """An event starting ``hours`` from now (its ticket type dated the same)."""
    start = int(time.time() + hours * 3600)
    return factory.event(
        seller,
        start_date=start,
        end_date=start + 4 * 3600,
        tickets=[{"name": "GA", "stock": 100, "price": 10, "date": start}],
        **fields,
    )


def personalised(factory, seller, event, quantity=1, *, email=None, **order_fields):
    outcome = factory.order(seller, factory.ticket_type(event), quantity=quantity, **order_fields)
    return outcome, factory.personalise_all(seller, outcome, email=email)


def reminder_jobs() -> list[dict]:
    rows = OutboxEntry.select().where(OutboxEntry.kind == reminders.REMIND_TICKETS)
    return [json.loads(row.payload) for row in rows.order_by(OutboxEntry.id)]


def reminded_ids() -> list[int]:
    return sorted(i for job in reminder_jobs() for i in job["ticket_ids"])


@pytest.fixture
def worker(settings, smtp):
    controller, _ = smtp
    configured = dataclasses.replace(
        settings, smtp_host="127.0.0.1", smtp_port=controller.port, mail_from="t@festival.test"
    )
    return outbox_worker(configured)


def test_one_reminder_per_order_and_address_with_those_tickets(factory):
    seller = factory.seller()
    event = event_in(factory, seller, 24)
    _, holders = personalised(factory, seller, event, 2)  # a0@, a1@example.com
    bought, buyers = personalised(factory, seller, event, 3, email="jane@example.com")
    # The same address in another order: that order's reminder is its own.
    again, (also_a0,) = personalised(factory, seller, event)
    assert reminders.queue_reminders(48) == 6
    jobs = sorted(reminder_jobs(), key=lambda job: job["to"])
    assert [(job["to"], job["ticket_ids"]) for job in jobs] == [
        ("a0@example.com", [holders[0].id]),
        ("a0@example.com", [also_a0.id]),
        ("a1@example.com", [holders[1].id]),
        ("jane@example.com", [t.id for t in buyers]),
    ]
    assert jobs[1]["order_id"] == again.order_id and jobs[3]["order_id"] == bought.order_id
    assert all(job["event_id"] == event.id for job in jobs)
    assert all(t.reminded_at is not None for t in Ticket.select())
    # Sent once: the next run finds nothing.
    assert reminders.queue_reminders(48) == 0
    assert len(reminder_jobs()) == 4


def test_a_ticket_without_an_address_is_reminded_at_the_buyers(factory):
    seller = factory.seller()
    event = event_in(factory, seller, 24)
    outcome, tickets = personalised(factory, seller, event, 2)
    Ticket.update(email="").execute()
    assert reminders.queue_reminders(48) == 2
    [job] = reminder_jobs()
    assert job["to"] == "jane@example.com" and job["order_id"] == outcome.order_id
    assert job["ticket_ids"] == [t.id for t in tickets]


def test_only_events_in_the_window_that_send_reminders(factory):
    seller = factory.seller()
    later = event_in(factory, seller, 60)
    started = event_in(factory, seller, -1)
    off = event_in(factory, seller, 10)
    Event.update(send_reminders=False).where(Event.id == off.id).execute()
    for event in (later, started, off):
        personalised(factory, seller, event)
    assert reminders.queue_reminders(48) == 0
    assert reminders.queue_reminders(0) == 0  # TP_REMINDER_HOURS=0: off
    assert reminders.queue_reminders(72) == 1
    assert [job["event_id"] for job in reminder_jobs()] == [later.id]


def test_a_date_follows_its_events_switch(factory):
    seller = factory.seller()
    start = int(time.time() + 20 * 3600)
    parent = factory.event(
        seller,
        start_date=start,
        children=[
            {
                "name": "Saturday",
                "start_date": start,
                "stock": 50,
                "tickets": [{"name": "Sat", "stock": 50, "price": 10, "date": start}],
            }
        ],
    )
    child = Event.get(Event.parent == parent.id)
    personalised(factory, seller, child)
    Event.update(send_reminders=False).where(Event.id == parent.id).execute()
    assert reminders.queue_reminders(48) == 0
    Event.update(send_reminders=True).where(Event.id == parent.id).execute()
    assert reminders.queue_reminders(48) == 1


def test_only_valid_tickets_of_paid_orders(factory):
    seller = factory.seller()
    event = event_in(factory, seller, 24)
    _, (cancelled,) = personalised(factory, seller, event)
    _, (replaced,) = personalised(factory, seller, event)
    _, (scanned,) = personalised(factory, seller, event)
    unnamed = factory.order(seller, factory.ticket_type(event))  # status Created
    Ticket.update(status=TicketStatus.CANCELLED).where(Ticket.id == cancelled.id).execute()
    Ticket.update(is_deprecated=True).where(Ticket.id == replaced.id).execute()
    Ticket.update(status=TicketStatus.SCANNED_IN).where(Ticket.id == scanned.id).execute()
    _, (valid,) = personalised(factory, seller, event)
    assert reminders.queue_reminders(48) == 1
    assert reminded_ids() == [valid.id]
    assert Ticket.get(Ticket.order == unnamed.order_id).reminded_at is None


def test_a_cancelled_event_is_not_reminded(factory):
    seller = factory.seller()
    event = event_in(factory, seller, 24)
    personalised(factory, seller, event)
    Event.update(lifecycle=EventLifecycle.CANCELLED).where(Event.id == event.id).execute()
    assert reminders.queue_reminders(48) == 0


def test_the_reminder_is_mailed_with_the_addresses_tickets(factory, smtp, worker):
    _, inbox = smtp
    seller = factory.seller("Festival BV")
    event = event_in(factory, seller, 24, name="Zomerfestival", location="Pier 5")
    _, mine = personalised(factory, seller, event, 2, email="jane@example.com", locale="nl_NL")
    _, (other,) = personalised(factory, seller, event)  # a0@example.com, another order
    while worker.run_once():  # the orders' and holders' own e-mails
        pass
    inbox.messages.clear()
    assert reminders.queue_reminders(48) == 3
    assert worker.run_once() == 1 and worker.run_once() == 1 and worker.run_once() == 0
    mails = {m["To"]: m for m in inbox.messages}
    jane = mails["jane@example.com"]
    assert jane["Subject"].startswith("Herinnering: Zomerfestival, ")
    words = body_text(jane)
    assert "Beste Jane," in words and "komt eraan" in words and "Locatie: Pier 5" in words
    text = pdf_text(jane)
    assert all(t.reference in text for t in mine) and other.reference not in text
    holder = mails["a0@example.com"]
    assert holder["Subject"].startswith("Reminder: Zomerfestival, ")
    assert "Dear Attendee0," in body_text(holder)
    assert other.reference in pdf_text(holder)
    assert [p.get_content_type() for p in holder.walk() if p.get_filename()] == [
        "application/pdf",
        "text/calendar",
    ]


def test_a_reminder_for_a_ticket_transferred_since_is_not_sent(factory, smtp, worker):
    from tp_api.services.orders import ticket_actions
    from tp_api.services.orders.personalise import AttendeeInput

    _, inbox = smtp
    seller = factory.seller()
    event = event_in(factory, seller, 24)
    _, (ticket,) = personalised(factory, seller, event)
    assert reminders.queue_reminders(48) == 1
    new = AttendeeInput(ticket.reference, "Sam", "Smith", "sam@example.com", "")
    ticket_actions.transfer_ticket(seller.id, ticket.reference, new)
    while worker.run_once():
        pass
    reminders_sent = [m for m in inbox.messages if m["Subject"].startswith("Reminder")]
    assert reminders_sent == []
    [job] = OutboxEntry.select().where(OutboxEntry.kind == reminders.REMIND_TICKETS)
    assert job.done_at is not None and job.failed_at is None


def test_three_racing_callers_remind_each_ticket_once(factory, db):
    seller = factory.seller()
    event = event_in(factory, seller, 24)
    tickets = []
    for _ in range(4):
        tickets += personalised(factory, seller, event, 15)[1]
    start = threading.Barrier(3)

    def run(_: int) -> int:
        start.wait(timeout=30)
        claimed = 0
        with database.connection_context():
            # Small batches, so the callers interleave many transactions.
            while got := reminders.queue_reminders(48, batch=4, limit=8):
                claimed += got
        return claimed

    with ThreadPoolExecutor(max_workers=3) as pool:
        claims = list(pool.map(run, range(3)))
    assert sum(claims) == len(tickets) == 60
    assert reminded_ids() == sorted(t.id for t in tickets)  # each once, none twice
    assert Ticket.select().where(Ticket.reminded_at.is_null()).count() == 0


def test_three_daemons_side_by_side_remind_each_ticket_once(factory, tmp_path):
    seller = factory.seller()
    event = event_in(factory, seller, 24)
    tickets = []
    for _ in range(3):
        tickets += personalised(factory, seller, event, 10)[1]
    jobs = ShopJobs(pull_orders=lambda s: None, push_stock=lambda s: None, reconcile=lambda s: None)
    daemons = [
        SyncDaemon(jobs, None, lock_dir=str(tmp_path / "locks"), reminder_hours=48)
        for _ in range(3)
    ]
    for daemon in daemons:
        daemon.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (
            Ticket.select().where(Ticket.reminded_at.is_null()).count()
        ):
            time.sleep(0.1)
    finally:
        for daemon in daemons:
            daemon.stop()
    assert reminded_ids() == sorted(t.id for t in tickets)


def test_a_daemon_without_reminder_hours_schedules_none(tmp_path):
    jobs = ShopJobs(pull_orders=lambda s: None, push_stock=lambda s: None, reconcile=lambda s: None)
    daemon = SyncDaemon(jobs, None, lock_dir=str(tmp_path / "locks"), reminder_hours=0)
    daemon.start()
    try:
        assert daemon.scheduler.get_job("reminders") is None
    finally:
        daemon.stop()


def test_the_look_up_uses_indexes_not_a_ticket_scan(factory, db):
    """The query plans of the daemon's two look-ups name our indexes."""
    seller = factory.seller()
    event = event_in(factory, seller, 24)
    personalised(factory, seller, event)
    now = utcnow()
    events = reminders.due_events_query(now, now + timedelta(hours=48))
    tickets = reminders.unreminded_tickets_query(event.id, 200)
    # PostgreSQL may prefer (event_id, status) on tiny tables; either is an index range.
    for query, index in ((events, "event_start_date"), (tickets, "ticket_event_id_status")):
        sql, params = query.sql()
        if is_postgres():
            # Tiny tables are cheaper to scan: ask whether the index can serve the query.
            database.execute_sql("SET enable_seqscan = off")
            plan = " ".join(r[0] for r in database.execute_sql(f"EXPLAIN {sql}", params))
            database.execute_sql("SET enable_seqscan = on")
        else:
            rows = database.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(r[-1]) for r in rows)
        assert index in plan, plan
        assert "Seq Scan on ticket" not in plan and "SCAN ticket" not in plan, plan
