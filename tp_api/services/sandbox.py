"""Test mode (seed 002): where a shop integrator certifies against the real service.

Each live account may have one **sandbox account** (``Account.sandbox_of``). Test-mode
credentials (partner keys ``tp_test_…``, API keys ``tpk_test_…``, OAuth clients
``tpc_test_…``) belong to it, so everything they create — orders, tickets, check-ins,
webhook endpoints and their events, events — lives in the sandbox, and every query the
service has is already scoped by account. Test data therefore never reaches the live
account's console figures, exports, webhooks or stock (nor the stock pushed to its shops),
with no test-mode condition on any hot path.

The sandbox starts with a copy of the live catalogue (events, dates and ticket types,
nothing sold), so a test shop maps its products to the sandbox's ticket types from
``GET /tp-api/events`` with its test key, as a live shop does. ``wipe`` removes the test
data in one action and keeps the test credentials and the catalogue, its stock restored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import peewee

from tp_api.db import write_transaction
from tp_api.models import (
    Account,
    AffiliateLink,
    Event,
    FraudRefusal,
    IdempotencyRecord,
    Order,
    OutboxEntry,
    QueueNoticeMark,
    QueuePlace,
    QueueTail,
    TicketType,
    WebhookEvent,
)
from tp_api.services import audit_trail
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.credentials import admin_keys, oauth_clients, partner_keys

_EVENT_SKIP = (
    "id",
    "account",
    "parent",
    "sold",
    "reserved",
    "deleted_at",
    "created_at",
    "updated_at",
)
_TYPE_SKIP = ("id", "event", "sold", "reserved")


@dataclass(frozen=True)
class SandboxFigures:
    """What the sandbox holds: its events, test orders and tickets."""

    account_id: int | None
    events: int = 0
    orders: int = 0


def live_account_id(account_id: int) -> int:
    """The live account of ``account_id`` (itself unless it is a sandbox)."""
    account = Account.get_by_id(account_id)
    return int(account.sandbox_of_id or account.id)


def find_sandbox(live_id: int) -> Account | None:
    """The live account's sandbox, or None before its first test credential."""
    return Account.get_or_none(Account.sandbox_of == live_id)


def sandbox_of(account_id: int, *, actor: Actor = SYSTEM) -> Account:
    """The sandbox of ``account_id`` (itself when it is one), made with a copy of the live
    catalogue on first use."""
    try:
        return _sandbox_of(account_id, actor)
    except peewee.IntegrityError:
        # Another request made it at the same moment (one sandbox per account: unique).
        made = find_sandbox(live_account_id(account_id))
        if made is None:
            raise
        return made


def _sandbox_of(account_id: int, actor: Actor) -> Account:
    with write_transaction():
        live = Account.get_by_id(account_id)
        if live.sandbox_of_id is not None:
            return live
        existing = find_sandbox(live.id)
        if existing is not None:
            return existing
        name = f"{live.name[:170]} (test mode)"
        if Account.select().where(Account.name == name).exists():
            name = f"{live.name[:160]} (test mode {live.id})"
        sandbox = Account.create(name=name, sandbox_of=live.id)
        copied = copy_catalogue(live.id, sandbox.id)
        subject = ("account", sandbox.id, sandbox.name)
        audit_trail.record(live.id, actor, "sandbox.created", subject, {"events": [None, copied]})
    return sandbox


def copy_catalogue(live_id: int, sandbox_id: int) -> int:
    """Copy the live account's events (with their dates and ticket types, nothing sold) into
    the sandbox, in the caller's transaction; how many events (dates included)."""
    events = list(
        Event.select()
        .where(Event.account == live_id, Event.deleted_at.is_null())
        .order_by(Event.parent.is_null(False), Event.id)
    )
    copies: dict[int, int] = {}
    for event in events:
        if event.parent_id is not None and event.parent_id not in copies:
            continue  # a date of a deleted event
        fields = {
            f.name: getattr(event, f.name)
            for f in Event._meta.sorted_fields
            if f.name not in _EVENT_SKIP
        }
        parent = copies.get(event.parent_id) if event.parent_id is not None else None
        copies[event.id] = Event.create(account=sandbox_id, parent=parent, **fields).id
    for ticket_type in (
        TicketType.select().where(TicketType.event.in_(list(copies))).order_by(TicketType.id)
    ):
        fields = {
            f.name: getattr(ticket_type, f.name)
            for f in TicketType._meta.sorted_fields
            if f.name not in _TYPE_SKIP
        }
        TicketType.create(event=copies[ticket_type.event_id], **fields)
    return len(copies)


def create_test_partner_key(
    account_id: int, *, label: str = "", actor: Actor = SYSTEM
) -> partner_keys.NewKey:
    """A test-mode partner key (``tp_test_…``): the shop's pushes with it land in the sandbox."""
    actor.require("keys:write")
    sandbox = sandbox_of(account_id, actor=actor)
    return partner_keys.create_key(sandbox.id, label=label, test=True, actor=actor)


def create_test_api_key(
    account_id: int,
    *,
    label: str = "",
    scopes: Iterable[str] | None = None,
    allowed_ips: Iterable[str] | None = None,
    actor: Actor = SYSTEM,
) -> admin_keys.NewApiKey:
    """A test-mode admin-API key (``tpk_test_…``) acting on the sandbox."""
    actor.require("keys:write")
    sandbox = sandbox_of(account_id, actor=actor)
    return admin_keys.create_api_key(
        sandbox.id, label=label, scopes=scopes, allowed_ips=allowed_ips, test=True, actor=actor
    )


def create_test_oauth_client(
    account_id: int,
    *,
    label: str = "",
    scopes: Iterable[str] | None = None,
    allowed_ips: Iterable[str] | None = None,
    actor: Actor = SYSTEM,
) -> oauth_clients.NewClientSecret:
    """A test-mode OAuth client (``tpc_test_…``) whose tokens act on the sandbox."""
    actor.require("keys:write")
    sandbox = sandbox_of(account_id, actor=actor)
    return oauth_clients.create_client(
        sandbox.id, label=label, scopes=scopes, allowed_ips=allowed_ips, test=True, actor=actor
    )


def figures(account_id: int) -> SandboxFigures:
    """How much test data the sandbox of ``account_id`` (live or sandbox) holds; zeros
    before it exists."""
    sandbox = find_sandbox(live_account_id(account_id))
    if sandbox is None:
        return SandboxFigures(None)
    return SandboxFigures(
        sandbox.id,
        events=Event.select().where(Event.account == sandbox.id, Event.parent.is_null()).count(),
        orders=Order.select().where(Order.account == sandbox.id).count(),
    )


def wipe(account_id: int, *, actor: Actor = SYSTEM) -> int:
    """Delete the sandbox's orders (with their tickets, check-ins, refunds and affiliate
    attributions), queued work, webhook events and waiting-room lines, set its tracking
    links' clicks to 0, and give the catalogue its stock back; the test
    credentials, webhook endpoints and events stay. ``account_id`` is the live account or
    its sandbox. How many orders were deleted."""
    actor.require("keys:write")
    live_id = live_account_id(account_id)
    with write_transaction():
        sandbox = find_sandbox(live_id)
        if sandbox is None:
            return 0
        events = Event.select(Event.id).where(Event.account == sandbox.id)
        # Foreign keys cascade: lines, refunds, tickets and their check-ins, shop and queue orders.
        deleted = Order.delete().where(Order.account == sandbox.id).execute()
        for model in (OutboxEntry, WebhookEvent, FraudRefusal, IdempotencyRecord):
            model.delete().where(model.account == sandbox.id).execute()
        for line in (QueuePlace, QueueTail, QueueNoticeMark):
            line.delete().where(line.event.in_(events)).execute()
        AffiliateLink.update(clicks=0).where(AffiliateLink.event.in_(events)).execute()
        TicketType.update(sold=0, reserved=0).where(TicketType.event.in_(events)).execute()
        Event.update(sold=0, reserved=0).where(Event.account == sandbox.id).execute()
        audit_trail.record(
            live_id,
            actor,
            "sandbox.wiped",
            ("account", sandbox.id, sandbox.name),
            {"orders": [deleted, 0]},
        )
    return int(deleted)
