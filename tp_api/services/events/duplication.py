"""Where an event is duplicated to new dates (admin API ``POST /events/{id}/duplicate``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tp_api.models import Event, EventLifecycle, TicketType
from tp_api.schemas.events import EventDuplicate
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.audit_trail import created
from tp_api.services.events import event_audit
from tp_api.services.events.event_admin import slug_guard
from tp_api.services.events.event_catalogue import event_node, find_event


def duplicate_event(
    account_id: int, id_or_slug: str, data: EventDuplicate, *, actor: Actor = SYSTEM
) -> Event:
    """Copy an event, its dates and ticket types to new dates, as a draft with nothing sold.

    Child dates and sale windows move by the same offset as the event's start.
    """
    actor.require("events:write")
    with slug_guard(data.slug):
        source = find_event(account_id, id_or_slug)
        node = event_node(source)
        shift = data.starts_at - source.start_date if source.start_date else timedelta(0)
        copy = _copy_event(source, None, shift, title=data.title or source.name, slug=data.slug)
        copy.start_date, copy.end_date = (
            data.starts_at,
            data.ends_at or _shifted(source.end_date, shift),
        )
        copy.save()
        _copy_types(node.ticket_types, copy, shift)
        for child in node.children:
            child_copy = _copy_event(child.event, copy, shift, title=child.event.name, slug=None)
            _copy_types(child.ticket_types, child_copy, shift)
        copied = created({"copied_from": source.id, **event_audit.event_values(copy)})
        event_audit.event_changed(account_id, actor, "event.duplicated", copy, copied)
    return copy


def _copy_event(
    source: Event, parent: Event | None, shift: timedelta, *, title: str, slug: str | None
) -> Event:
    fields = {
        f.name: getattr(source, f.name)
        for f in Event._meta.sorted_fields
        if f.name not in ("id", "created_at", "updated_at", "deleted_at", "parent", "account")
    }
    fields.update(
        account=source.account_id,
        parent=parent,
        name=title,
        slug=slug,
        lifecycle=EventLifecycle.DRAFT,
        sold=0,
        reserved=0,
        start_date=_shifted(source.start_date, shift),
        end_date=_shifted(source.end_date, shift),
    )
    return Event.create(**fields)


def _copy_types(types: list[TicketType], event: Event, shift: timedelta) -> None:
    for t in types:
        TicketType.create(
            event=event,
            name=t.name,
            price_cents=t.price_cents,
            stock=t.stock,
            status=t.status,
            enabled=t.enabled,
            date=_shifted(t.date, shift),
            sales_start=_shifted(t.sales_start, shift),
            sales_end=_shifted(t.sales_end, shift),
            min_per_order=t.min_per_order,
            max_per_order=t.max_per_order,
            hidden=t.hidden,
        )


def _shifted(value: datetime | None, shift: timedelta) -> datetime | None:
    return value + shift if value is not None else None
