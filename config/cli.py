"""The ``tp-bridge`` command: serve, db, account, key, events, outbox, demo (+ shop, sync)."""

from __future__ import annotations

import json
import logging
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from config import cli_door, cli_pages, cli_staff, cli_sync, cli_webhooks
from config.cli_common import database_session as _database
from config.cli_common import echo_json as _echo_json
from config.cli_common import production_settings
from config.cli_common import require_schema as _require_schema
from config.redaction import install_log_scrubbing
from config.settings import Settings, SettingsError
from config.tickets import my_tickets_links
from tp_api import migrations
from tp_api.db import connect
from tp_api.models import StaffUser
from tp_api.services.credentials import api_keys, keys, staff_auth
from tp_api.services.events import catalogue as event_service
from tp_api.web import partner_json

DEMO_ACCOUNT = "Demo Festival BV"
DEMO_STAFF_EMAIL = "demo@tp-bridge.test"
DEMO_EVENTS = Path(__file__).parent / "demo" / "events.json"


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """tp-bridge: the Ticket Pulse partner API service, its shop bridge and sync daemon."""
    try:
        ctx.obj = Settings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    logging.basicConfig(
        level=ctx.obj.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    install_log_scrubbing()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--threads",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Threads per worker (more than 1 uses gunicorn's gthread worker).",
)
@click.option("--dev", is_flag=True, help="Development mode: allows the built-in insecure secret.")
@click.option("--access-log/--no-access-log", default=True, show_default=True)
@click.option(
    "--outbox-worker",
    is_flag=True,
    help="Also run the outbox worker (ticket e-mails, webhooks) beside the server, for an "
    "installation without `tp-bridge sync daemon` or `tp-bridge outbox work`.",
)
@click.pass_obj
def serve(
    settings: Settings,
    host: str,
    port: int,
    workers: int,
    threads: int,
    dev: bool,
    access_log: bool,
    outbox_worker: bool,
) -> None:
    """Run the HTTP service (gunicorn)."""
    from config.server import serve as run_server

    settings = production_settings(settings, dev=dev)
    _require_schema(settings)
    click.echo(
        f"tp-bridge serving on http://{host}:{port} (database {settings.database_url})", err=True
    )
    worker = _start_outbox_worker(dev) if outbox_worker else None
    try:
        run_server(
            settings, host=host, port=port, workers=workers, threads=threads, access_log=access_log
        )
    finally:
        if worker is not None:
            # SIGTERM lets the worker finish its current job (config.workers).
            worker.terminate()
            worker.wait(timeout=60)


def _start_outbox_worker(dev: bool) -> subprocess.Popen[bytes]:
    """`tp-bridge outbox work` as a child of the server, with the same environment."""
    command = [sys.executable, "-m", "config.cli", "outbox", "work", *(["--dev"] if dev else [])]
    return subprocess.Popen(command)  # noqa: S603 (our own command, no shell)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(settings: Settings) -> None:
    """Apply pending migrations."""
    database = connect(settings.database_url, max_connections=4)
    applied = migrations.upgrade(database)
    database.close_all()
    click.echo("applied: " + ", ".join(applied) if applied else "the database is up to date")


@db.command("status")
@click.pass_obj
def db_status(settings: Settings) -> None:
    """List migrations not applied yet (exit 1 if any)."""
    database = connect(settings.database_url, max_connections=4)
    with database.connection_context():
        waiting = migrations.pending(database)
    database.close_all()
    if waiting:
        click.echo("pending: " + ", ".join(waiting))
        sys.exit(1)
    click.echo("the database is up to date")


@main.group()
def account() -> None:
    """Seller accounts."""


@account.command("create")
@click.argument("name")
@click.option("--key-label", default="default", show_default=True)
@click.pass_obj
def account_create(settings: Settings, name: str, key_label: str) -> None:
    """Create an account and its first partner key (printed once)."""
    with _database(settings):
        created = keys.create_account(name)
        new_key = keys.create_key(created.id, label=key_label)
    _echo_json(
        {
            "account_id": created.id,
            "name": created.name,
            "key_id": new_key.id,
            "key": new_key.secret,
        }
    )


@main.group()
def key() -> None:
    """Partner keys (``?key=`` of /tp-api) and, with --admin, admin-API keys (/api/v1)."""


_ADMIN = click.option(
    "--admin", is_flag=True, help="An admin-API key (/api/v1) instead of a partner key."
)


@key.command("create")
@click.option("--account", "account_name", required=True)
@click.option("--label", default="", show_default=True)
@_ADMIN
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(api_keys.SCOPES),
    help="With --admin: a scope to grant (repeatable; default: every scope).",
)
@click.pass_obj
def key_create(
    settings: Settings, account_name: str, label: str, admin: bool, scopes: tuple[str, ...]
) -> None:
    """Create a key; the key is printed once and never again."""
    if scopes and not admin:
        raise click.UsageError("--scope applies to admin-API keys: add --admin")
    with _database(settings):
        owner = keys.get_account_by_name(account_name)
        if admin:
            created = api_keys.create_api_key(owner.id, label=label, scopes=scopes or None)
            _echo_json(
                {
                    "account_id": owner.id,
                    "key_id": created.key.id,
                    "label": created.key.label,
                    "scopes": created.key.scopes.split(),
                    "key": created.secret,
                }
            )
            return
        new_key = keys.create_key(owner.id, label=label)
    _echo_json(
        {
            "account_id": owner.id,
            "key_id": new_key.id,
            "label": new_key.label,
            "key": new_key.secret,
        }
    )


@key.command("list")
@click.option("--account", "account_name", required=True)
@_ADMIN
@click.pass_obj
def key_list(settings: Settings, account_name: str, admin: bool) -> None:
    """List an account's keys (never the keys themselves)."""
    with _database(settings):
        owner = keys.get_account_by_name(account_name)
        rows = api_keys.list_api_keys(owner.id) if admin else keys.list_keys(owner.id)
    _echo_json(
        [
            {
                "key_id": k.id,
                "label": k.label,
                "prefix": k.prefix,
                **({"scopes": k.scopes.split()} if admin else {}),
                "created_at": k.created_at,
                "last_used_at": k.last_used_at,
                "revoked_at": k.revoked_at,
            }
            for k in rows
        ]
    )


@key.command("revoke")
@click.option("--account", "account_name", required=True)
@click.argument("key_id", type=int)
@_ADMIN
@click.pass_obj
def key_revoke(settings: Settings, account_name: str, key_id: int, admin: bool) -> None:
    """Revoke a key: calls with it are refused from now on."""
    with _database(settings):
        owner = keys.get_account_by_name(account_name)
        revoked = (
            api_keys.revoke_api_key(owner.id, key_id)
            if admin
            else keys.revoke_key(owner.id, key_id)
        )
    _echo_json({"key_id": revoked.id, "revoked_at": revoked.revoked_at})


@main.group()
def events() -> None:
    """Events and ticket types."""


@events.command("load")
@click.option("--account", "account_name", required=True)
@click.argument("file", type=click.File("r"))
@click.pass_obj
def events_load(settings: Settings, account_name: str, file: Any) -> None:
    """Create events from FILE (the GET /tp-api/events shape, ids left out; - for stdin)."""
    try:
        data = json.load(file)
    except ValueError as error:
        raise click.ClickException(f"{file.name} is not valid JSON: {error}") from None
    with _database(settings):
        owner = keys.get_account_by_name(account_name)
        created = event_service.load_events(owner.id, data)
        _echo_json([partner_json.event_json(node) for node in created])


@main.command()
@click.option(
    "--serve/--no-serve",
    "then_serve",
    default=True,
    show_default=True,
    help="Start the development server after loading the demo data.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
def demo(ctx: click.Context, then_serve: bool, host: str, port: int) -> None:
    """Create a demo account, events and a fresh key, print example curl lines, then serve."""
    settings: Settings = ctx.obj
    database = connect(settings.database_url, max_connections=4)
    migrations.upgrade(database)
    with _database(settings):
        owner = keys.find_account(DEMO_ACCOUNT)
        if owner is None:
            owner = keys.create_account(DEMO_ACCOUNT)
            event_service.load_events(owner.id, json.loads(DEMO_EVENTS.read_text()))
        new_key = keys.create_key(owner.id, label="demo")
        admin_key = api_keys.create_api_key(owner.id, label="demo").secret
        first_type = event_service.event_tree(owner.id)[0].ticket_types[0]
        console_password = _demo_staff(owner.id)
    _print_demo(settings, host, port, new_key.secret, first_type.id, first_type.event_id)
    _print_admin_demo(host, port, admin_key)
    # Signed with the secret `serve --dev` uses, so the link opens on the demo server.
    token = my_tickets_links(settings.for_development()).sign(owner.id, 7, "nl")
    click.echo(
        f"Seller console: http://{host}:{port}/console/  "
        f"e-mail {DEMO_STAFF_EMAIL}  password {console_password}\n"
        f"My tickets of customer 7 (after the order curl above): "
        f"http://{host}:{port}/my-tickets/{token}\n"
    )
    if then_serve:
        ctx.invoke(serve, host=host, port=port, workers=2, threads=1, dev=True, access_log=True)


def _demo_staff(account_id: int) -> str:
    """The demo's console user, with a new random password on every run (printed once)."""
    password = secrets.token_urlsafe(12)
    existing = StaffUser.get_or_none(StaffUser.email == DEMO_STAFF_EMAIL)
    if existing is None:
        staff_auth.create_staff(account_id, DEMO_STAFF_EMAIL, password, name="Demo staff")
    else:
        staff_auth.set_password(existing.id, password)
    return password


def _print_demo(
    settings: Settings, host: str, port: int, secret: str, type_id: int, event_id: int
) -> None:
    base = f"http://{host}:{port}/tp-api"
    order = json.dumps(
        {
            "wp_order_id": "wc_1001",
            "wp_user_id": 7,
            "currency": "EUR",
            "order_total": 59.90,
            "date_paid": "2026-06-01T10:01:00Z",
            "locale": "nl",
            "billing_information": {
                "first_name": "Jane",
                "last_name": "Doe",
                "email": "jane@example.com",
            },
            "order_lines": [
                {
                    "tp_event_ticket_id": type_id,
                    "name": "General Admission",
                    "quantity": 2,
                    "product_id": 101,
                    "order_item_type": "line_item",
                    "unit_price": 29.95,
                }
            ],
        }
    )
    click.echo(f"""
Demo account: {DEMO_ACCOUNT}   database: {settings.database_url}
Partner key (shown once): {secret}

  curl -s '{base}/events?key={secret}'
  curl -s -X POST '{base}/orders/create?key={secret}' -d '{order}'
  curl -s '{base}/users/7/events?key={secret}'
  curl -s '{base}/events/{event_id}/tickets?key={secret}&wp_user_id=7'
""")


def _print_admin_demo(host: str, port: int, secret: str) -> None:
    base = f"http://{host}:{port}/api/v1"
    event = json.dumps(
        {
            "title": "Comedy Night",
            "slug": "comedy-night",
            "startsAt": "2027-03-01T19:00:00Z",
            "ticketTypes": [{"name": "General Admission", "price": 2500, "quantity": 120}],
        }
    )
    click.echo(f"""Admin-API key (shown once, every scope): {secret}

  curl -s -H 'Authorization: Bearer {secret}' '{base}/events?limit=5'
  curl -s -H 'Authorization: Bearer {secret}' -H 'Content-Type: application/json' \\
       -H 'Idempotency-Key: demo-1' -X POST '{base}/events' -d '{event}'
  curl -s -H 'x-api-key: {secret}' -X POST '{base}/events/comedy-night/publish'
  curl -s '{base}/openapi.json'   # the whole API, OpenAPI 3.1
""")


@main.group("outbox")
def outbox_group() -> None:
    """Follow-up work: ticket e-mails and shop-order refreshes."""


@outbox_group.command("work")
@click.option("--once", is_flag=True, help="Run the jobs that are due now, then exit.")
@click.option("--dev", is_flag=True, help="Development mode: allows the built-in insecure secret.")
@click.pass_obj
def outbox_work(settings: Settings, once: bool, dev: bool) -> None:
    """Run the outbox worker (render and e-mail tickets, ...) until SIGTERM."""
    from config.workers import outbox_worker, run_until_signalled

    settings = production_settings(settings, dev=dev)
    _require_schema(settings)
    connect(settings.database_url, max_connections=4)
    worker = outbox_worker(settings)
    if once:
        while worker.run_once():
            pass
    else:
        run_until_signalled(worker)
    _echo_json(worker.stats)


@main.command("scan-key")
@click.pass_obj
def scan_key(settings: Settings) -> None:
    """Print the public key that verifies ticket QR codes (for offline door scanners)."""
    from config.tickets import scan_public_key

    _echo_json(scan_public_key(production_settings(settings, dev=settings.dev)))


main.add_command(cli_door.scanner)
main.add_command(cli_webhooks.webhook)
main.add_command(cli_staff.staff)
main.add_command(cli_pages.my_tickets)
main.add_command(cli_sync.shop)
main.add_command(cli_sync.sync)


if __name__ == "__main__":
    main()
