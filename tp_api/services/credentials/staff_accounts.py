"""An account's staff users managed by its owners: invite (an e-mailed set-password link),
change a role, disable and enable. An account always keeps one enabled owner."""

from __future__ import annotations

from tp_api.db import write_transaction
from tp_api.models import StaffUser
from tp_api.services import audit_trail
from tp_api.services.actors import ROLES, Actor
from tp_api.services.audit_trail import created
from tp_api.services.credentials import staff_auth, staff_links
from tp_api.services.errors import Conflict, InvalidInput, NotFound, Said


def invite(
    account_id: int, email: str, *, name: str, role: str, actor: Actor, language: str = "en"
) -> StaffUser:
    """A new user without a password, and the e-mail with their set-password link in
    ``language`` (queued in the same transaction)."""
    actor.require("staff:write")
    with write_transaction():
        user = staff_auth.create_staff(account_id, email, None, name=name, role=role)
        staff_links.queue_invitation(user, language=language)
        values = created({"email": user.email, "name": user.name, "role": user.role})
        audit_trail.record(account_id, actor, "staff.invited", _subject(user), values)
    return user


def add(
    account_id: int, email: str, password: str, *, name: str, role: str, actor: Actor
) -> StaffUser:
    """A new user with a password chosen by whoever adds them (the command line's way)."""
    actor.require("staff:write")
    hashed = staff_auth.hash_password(password)
    with write_transaction():
        user = staff_auth.create_staff(account_id, email, hashed, name=name, role=role)
        values = created({"email": user.email, "role": user.role})
        audit_trail.record(account_id, actor, "staff.added", _subject(user), values)
    return user


def set_password(account_id: int, staff_id: int, password: str, *, actor: Actor) -> StaffUser:
    """A new password set for a user (it lifts a lock-out and ends their sessions)."""
    actor.require("staff:write")
    hashed = staff_auth.hash_password(password)
    with write_transaction():
        user = staff_auth.set_password(_user_of(account_id, staff_id).id, hashed)
        audit_trail.record(account_id, actor, "staff.password_set", _subject(user))
    return user


def set_role(account_id: int, staff_id: int, role: str, *, actor: Actor) -> StaffUser:
    """Give a user another role (the account keeps an enabled owner)."""
    actor.require("staff:write")
    if role not in ROLES:
        raise InvalidInput(Said("Unknown role {role!r}", role=role), code="unknown_role")
    with write_transaction():
        user = _user_of(account_id, staff_id)
        if user.role == role:
            return user
        _keep_an_owner(account_id, user, role=role, disabled=user.disabled)
        StaffUser.update(role=role).where(StaffUser.id == user.id).execute()
        change = {"role": [user.role, role]}
        audit_trail.record(account_id, actor, "staff.role_changed", _subject(user), change)
    return StaffUser.get_by_id(staff_id)


def set_disabled(account_id: int, staff_id: int, disabled: bool, *, actor: Actor) -> StaffUser:
    """Disable a user (their sessions end at once) or enable them again."""
    actor.require("staff:write")
    with write_transaction():
        user = _user_of(account_id, staff_id)
        if user.disabled == disabled:
            return user
        _keep_an_owner(account_id, user, role=user.role, disabled=disabled)
        staff_auth.set_disabled(user.id, disabled)
        action = "staff.disabled" if disabled else "staff.enabled"
        change = {"disabled": [user.disabled, disabled]}
        audit_trail.record(account_id, actor, action, _subject(user), change)
    return StaffUser.get_by_id(staff_id)


def _keep_an_owner(account_id: int, user: StaffUser, *, role: str, disabled: bool) -> None:
    if user.role != "owner" or user.disabled or (role == "owner" and not disabled):
        return
    others = StaffUser.select().where(
        StaffUser.account == account_id,
        StaffUser.role == "owner",
        StaffUser.disabled == False,  # noqa: E712
        StaffUser.id != user.id,
    )
    if not others.exists():
        raise Conflict(
            "The account needs at least one enabled owner; make someone else owner first",
            code="last_owner",
        )


def _user_of(account_id: int, staff_id: int) -> StaffUser:
    user = StaffUser.get_or_none((StaffUser.id == staff_id) & (StaffUser.account == account_id))
    if user is None:
        raise NotFound("Staff user not found", code="staff_not_found")
    return user


def _subject(user: StaffUser) -> tuple[str, int, str]:
    return ("staff", user.id, user.email)
