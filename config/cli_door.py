"""``tp-bridge scanner ...``: door scanner keys."""

from __future__ import annotations

import click

from config.cli_common import command_line_actor, database_session, echo_json
from config.settings import Settings
from tp_api.services.credentials import partner_keys
from tp_api.services.door import scanners


@click.group()
def scanner() -> None:
    """Door scanners and their keys."""


@scanner.command("create")
@click.argument("name")
@click.option("--account", "account_name", required=True)
@click.option(
    "--event",
    "event_ids",
    required=True,
    multiple=True,
    type=click.IntRange(1),
    help="An event the scanner may scan (repeatable; its sub-dates are included).",
)
@click.pass_obj
def scanner_create(
    settings: Settings, name: str, account_name: str, event_ids: tuple[int, ...]
) -> None:
    """Register a scanner; its key is printed once."""
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        new = scanners.create_scanner(owner.id, name, list(event_ids), actor=command_line_actor())
    echo_json(
        {
            "scanner_id": new.scanner.id,
            "name": new.scanner.name,
            "events": sorted(event_ids),
            "key": new.secret,
        }
    )


@scanner.command("list")
@click.option("--account", "account_name", required=True)
@click.pass_obj
def scanner_list(settings: Settings, account_name: str) -> None:
    """List an account's scanners (never their keys)."""
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        rows = [
            {
                "scanner_id": s.id,
                "name": s.name,
                "events": events,
                "prefix": s.prefix,
                "last_used_at": s.last_used_at,
                "revoked_at": s.revoked_at,
            }
            for s, events in scanners.list_scanners(owner.id)
        ]
    echo_json(rows)


@scanner.command("revoke")
@click.argument("scanner_id", type=int)
@click.option("--account", "account_name", required=True)
@click.pass_obj
def scanner_revoke(settings: Settings, scanner_id: int, account_name: str) -> None:
    """Revoke a scanner's key."""
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        revoked = scanners.revoke_scanner(owner.id, scanner_id, actor=command_line_actor())
    echo_json({"scanner_id": revoked.id, "revoked_at": revoked.revoked_at})
