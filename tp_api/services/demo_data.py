"""The demo's data (``tp-bridge demo``): an account with events, fresh keys and a console
user whose password changes on every run."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from tp_api.models import StaffUser
from tp_api.services.credentials import admin_keys, partner_keys, staff_auth
from tp_api.services.events import catalogue


@dataclass(frozen=True)
class DemoAccount:
    """What the demo prints once: the keys and the console password are not stored."""

    account_id: int
    partner_key: str
    admin_key: str
    staff_password: str
    event_id: int
    ticket_type_id: int


def seed(account_name: str, events: Any, staff_email: str) -> DemoAccount:
    """The demo account (created with ``events`` the first time), a new partner key, a new
    admin-API key with every scope, and the console user ``staff_email`` with a new
    random password."""
    owner = partner_keys.find_account(account_name)
    if owner is None:
        owner = partner_keys.create_account(account_name)
        catalogue.load_events(owner.id, events)
    partner_key = partner_keys.create_key(owner.id, label="demo").secret
    admin_key = admin_keys.create_api_key(owner.id, label="demo").secret
    first_type = catalogue.event_tree(owner.id)[0].ticket_types[0]
    return DemoAccount(
        account_id=owner.id,
        partner_key=partner_key,
        admin_key=admin_key,
        staff_password=_staff_password(owner.id, staff_email),
        event_id=first_type.event_id,
        ticket_type_id=first_type.id,
    )


def _staff_password(account_id: int, email: str) -> str:
    password = secrets.token_urlsafe(12)
    existing = StaffUser.get_or_none(StaffUser.email == email)
    if existing is None:
        staff_auth.create_staff(account_id, email, password, name="Demo staff")
    else:
        staff_auth.set_password(existing.id, password)
    return password
