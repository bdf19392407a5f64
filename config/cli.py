"""The ``tp-bridge`` command: serve, db, account, key, events, outbox (+ demo, shop, sync,
scanner, webhook, oauth-client, test-data, staff, my-tickets from the cli_* modules)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import click

from config import cli_demo, cli_door, cli_oauth, cli_pages, cli_staff, cli_sync, cli_webhooks
from config.cli_backup import install as install_backup_commands
from config.cli_common import (
    command_line_actor,
    metrics_options,
    production_settings,
    start_metrics,
)
from config.cli_common import database_session as _database
from config.cli_common import echo_json as _echo_json
from config.cli_common import require_schema as _require_schema
from config.logs import configure_logging
from config.settings import Settings, SettingsError
from tp_api import migrations
from tp_api.db import connect
from tp_api.services import sandbox
from tp_api.services.credentials import admin_keys, partner_keys
from tp_api.services.events import catalogue as event_service
from tp_api.web import partner_json


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """tp-bridge: the Ticket Pulse partner API service, its shop bridge and sync daemon."""
    try:
        ctx.obj = Settings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    configure_logging(ctx.obj.log_level, ctx.obj.log_format)


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
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    help="Also listen on METRICS_HOST:METRICS_PORT, answering GET /metrics only and "
    "without a token (docs/operations.md).",
)
@click.option("--metrics-host", default="127.0.0.1", show_default=True)
@click.option(
    "--max-requests",
    default=0,
    show_default=True,
    type=click.IntRange(0),
    help="Replace each worker after this many requests (0: never); their counts are kept.",
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
    metrics_port: int | None,
    metrics_host: str,
    max_requests: int,
) -> None:
    """Run the HTTP service (gunicorn)."""
    from config.metrics import prepare_multiprocess_dir
    from config.server import serve as run_server
    from tp_api.metrics import multiprocess_dir

    settings = production_settings(settings, dev=dev)
    _require_schema(settings)
    if metrics_port == port:
        raise click.UsageError("--metrics-port must differ from --port")
    click.echo(
        f"tp-bridge serving on http://{host}:{port} (database {settings.database_url})", err=True
    )
    # Before the workers (and the outbox worker) start: they all count into this directory,
    # and /metrics sums them.
    clean_up = prepare_multiprocess_dir()
    click.echo(f"metrics: the workers' values in {multiprocess_dir()}", err=True)
    worker = _start_outbox_worker(dev) if outbox_worker else None
    try:
        run_server(
            settings,
            host=host,
            port=port,
            workers=workers,
            threads=threads,
            access_log=access_log,
            metrics_host=metrics_host,
            metrics_port=metrics_port,
            max_requests=max_requests,
        )
    finally:
        clean_up()
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


install_backup_commands(db)


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
        created = partner_keys.create_account(name)
        new_key = partner_keys.create_key(created.id, label=key_label, actor=command_line_actor())
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
    "--test",
    is_flag=True,
    help="A test-mode key, acting on the account's sandbox (docs/sandbox.md).",
)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(admin_keys.SCOPES),
    help="With --admin: a scope to grant (repeatable; default: every scope).",
)
@click.pass_obj
def key_create(
    settings: Settings,
    account_name: str,
    label: str,
    admin: bool,
    test: bool,
    scopes: tuple[str, ...],
) -> None:
    """Create a key; the key is printed once and never again."""
    if scopes and not admin:
        raise click.UsageError("--scope applies to admin-API keys: add --admin")
    with _database(settings):
        owner = partner_keys.get_account_by_name(account_name)
        if admin:
            create = sandbox.create_test_api_key if test else admin_keys.create_api_key
            created = create(
                owner.id, label=label, scopes=scopes or None, actor=command_line_actor()
            )
            _echo_json(
                {
                    "account_id": created.key.account_id,
                    "key_id": created.key.id,
                    "label": created.key.label,
                    "scopes": created.key.scopes.split(),
                    "key": created.secret,
                }
            )
            return
        create_partner = sandbox.create_test_partner_key if test else partner_keys.create_key
        new_key = create_partner(owner.id, label=label, actor=command_line_actor())
    _echo_json(
        {
            "account_id": new_key.account_id,
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
        owner = partner_keys.get_account_by_name(account_name)
        rows = admin_keys.list_api_keys(owner.id) if admin else partner_keys.list_keys(owner.id)
    _echo_json(
        [
            {
                "key_id": k.id,
                "label": k.label,
                "prefix": k.prefix,
                **({"scopes": getattr(k, "scopes", "").split()} if admin else {}),
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
        owner = partner_keys.get_account_by_name(account_name)
        revoked = (
            admin_keys.revoke_api_key(owner.id, key_id, actor=command_line_actor())
            if admin
            else partner_keys.revoke_key(owner.id, key_id, actor=command_line_actor())
        )
    _echo_json({"key_id": revoked.id, "revoked_at": revoked.revoked_at})


@key.command("allow")
@click.option("--account", "account_name", required=True)
@click.argument("key_id", type=int)
@click.argument("addresses", nargs=-1)
@_ADMIN
@click.pass_obj
def key_allow(
    settings: Settings, account_name: str, key_id: int, addresses: tuple[str, ...], admin: bool
) -> None:
    """Let key KEY_ID be used only from ADDRESSES (addresses or CIDR ranges, IPv4 or IPv6;
    none: from anywhere)."""
    with _database(settings):
        owner = partner_keys.get_account_by_name(account_name)
        service = admin_keys if admin else partner_keys
        changed = service.set_allowlist(owner.id, key_id, addresses, actor=command_line_actor())
    _echo_json({"key_id": changed.id, "allowed_ips": changed.allowed_ips.split()})


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
        owner = partner_keys.get_account_by_name(account_name)
        created = event_service.load_events(owner.id, data, actor=command_line_actor())
        _echo_json([partner_json.event_json(node) for node in created])


@main.group("outbox")
def outbox_group() -> None:
    """Follow-up work: ticket e-mails and shop-order refreshes."""


@outbox_group.command("work")
@click.option("--once", is_flag=True, help="Run the jobs that are due now, then exit.")
@click.option("--dev", is_flag=True, help="Development mode: allows the built-in insecure secret.")
@metrics_options
@click.pass_obj
def outbox_work(
    settings: Settings,
    once: bool,
    dev: bool,
    metrics_port: int | None,
    metrics_host: str,
    metrics_textfile: str | None,
) -> None:
    """Run the outbox worker (render and e-mail tickets, ...) until SIGTERM."""
    from config.workers import outbox_worker, run_until_signalled, worker_connections

    settings = production_settings(settings, dev=dev)
    _require_schema(settings)
    # One connection per worker thread: with fewer, the webhook threads' claims fail.
    connect(settings.database_url, max_connections=worker_connections(settings))
    worker = outbox_worker(settings)
    stop_metrics = start_metrics(
        settings, host=metrics_host, port=metrics_port, textfile=metrics_textfile
    )
    if once:
        while worker.run_once():
            pass
    else:
        run_until_signalled(worker)
    stop_metrics()
    _echo_json(worker.stats)


@main.command("scan-key")
@click.pass_obj
def scan_key(settings: Settings) -> None:
    """Print the public key that verifies ticket QR codes (for offline door scanners)."""
    from config.tickets import scan_public_key

    _echo_json(scan_public_key(production_settings(settings, dev=settings.dev)))


main.add_command(cli_door.scanner)
main.add_command(cli_webhooks.webhook)
main.add_command(cli_oauth.oauth_client)
main.add_command(cli_oauth.test_data)
main.add_command(cli_staff.staff)
main.add_command(cli_pages.my_tickets)
main.add_command(cli_sync.shop)
main.add_command(cli_sync.sync)
main.add_command(cli_demo.demo)


if __name__ == "__main__":
    main()
