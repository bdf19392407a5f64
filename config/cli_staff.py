"""``tp-bridge staff ...``: the people who sign in to the seller's console."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from config.cli_common import command_line_actor, database_session, echo_json
from config.settings import Settings
from tp_api.models import StaffUser
from tp_api.services.actors import ROLES
from tp_api.services.credentials import partner_keys, staff_accounts, staff_auth


@click.group()
def staff() -> None:
    """Staff users of the seller's console (/console)."""


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


def _out(user: StaffUser, account_name: str) -> dict[str, object]:
    return {
        "id": user.id,
        "account": account_name,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "disabled": user.disabled,
        "lockedUntil": _stamp(staff_auth.locked_until(user.email)),
        "lastLoginAt": _stamp(user.last_login_at),
    }


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@staff.command("add")
@click.option("--account", "account_name", required=True)
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option(
    "--role",
    type=click.Choice(list(ROLES)),
    default="owner",
    show_default=True,
    help="owner: everything; manager: events, orders, shops; door: the door screens",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_obj
def staff_add(
    settings: Settings, account_name: str, email: str, name: str, role: str, password_stdin: bool
) -> None:
    """Add a staff user; the password is asked for (never taken as an argument)."""
    password = _password(password_stdin)
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        user = staff_accounts.add(
            owner.id, email, password, name=name, role=role, actor=command_line_actor()
        )
        echo_json(_out(user, owner.name))


@staff.command("list")
@click.option("--account", "account_name", required=True)
@click.pass_obj
def staff_list(settings: Settings, account_name: str) -> None:
    """The account's staff users."""
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        echo_json([_out(u, owner.name) for u in staff_auth.list_staff(owner.id)])


@staff.command("password")
@click.option("--email", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_obj
def staff_password(settings: Settings, email: str, password_stdin: bool) -> None:
    """Set a new password; this also lifts a lock-out and ends the user's sessions."""
    password = _password(password_stdin)
    with database_session(settings):
        user = staff_auth.find_staff(email)
        staff_accounts.set_password(user.account_id, user.id, password, actor=command_line_actor())
    click.echo(f"password of {user.email} changed; their sessions have ended")


@staff.command("disable")
@click.option("--email", required=True)
@click.option("--enable", is_flag=True, help="Enable the user again instead.")
@click.pass_obj
def staff_disable(settings: Settings, email: str, enable: bool) -> None:
    """Stop a user from signing in (their sessions end at once), or let them again."""
    with database_session(settings):
        user = staff_auth.find_staff(email)
        staff_accounts.set_disabled(
            user.account_id, user.id, not enable, actor=command_line_actor()
        )
    click.echo(f"{user.email} {'enabled' if enable else 'disabled'}")
