"""``tp-bridge shop ...`` and ``tp-bridge sync ...``."""

from __future__ import annotations

import sys
from typing import Any

import click

from config.cli_common import (
    command_line_actor,
    database_session,
    echo_json,
    metrics_options,
    production_settings,
    require_schema,
    start_metrics,
)
from config.settings import Settings
from tp_api.db import connect
from tp_api.models import Shop
from tp_api.services.credentials import partner_keys
from tp_api.services.orders import unsellable_orders
from tp_api.services.shops import connections as shops_service


def _find_shop(account_name: str | None, name: str) -> Shop:
    if account_name:
        return shops_service.get_shop(partner_keys.get_account_by_name(account_name).id, name)
    found = shops_service.shops_named(name)
    if len(found) != 1:
        raise click.ClickException(
            f"shop {name!r} not found"
            if not found
            else f"several accounts have a shop {name!r}: add --account"
        )
    return found[0]


@click.group()
def shop() -> None:
    """Shop connections and product mappings."""


@shop.command("add")
@click.argument("name")
@click.option("--account", "account_name", required=True)
@click.option(
    "--platform", type=click.Choice(["woocommerce"]), default="woocommerce", show_default=True
)
@click.option("--url", required=True, help="The shop's base URL, e.g. https://shop.example.com")
@click.option("--consumer-key", required=True)
@click.option("--consumer-secret", required=True)
@click.option(
    "--auth-mode",
    type=click.Choice(["basic", "query", "oauth1"]),
    default="basic",
    show_default=True,
    help="query: for hosts that strip the Authorization header; oauth1: plain-http shops",
)
@click.option("--interval", default=300, show_default=True, type=click.IntRange(30, 86400))
@click.pass_obj
def shop_add(
    settings: Settings,
    name: str,
    account_name: str,
    platform: str,
    url: str,
    consumer_key: str,
    consumer_secret: str,
    auth_mode: str,
    interval: int,
) -> None:
    """Connect a shop; prints the webhook URL and secret to set in the shop, once."""
    from config.shops import secret_box, webhook_url

    settings = production_settings(settings, dev=settings.dev)
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        new = shops_service.add_shop(
            secret_box(settings),
            owner.id,
            name,
            platform=platform,
            base_url=url,
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            auth_mode=auth_mode,
            interval_s=interval,
            actor=command_line_actor(),
        )
    echo_json(
        {
            "shop_id": new.shop.id,
            "name": new.shop.name,
            "platform": platform,
            "webhook_url": webhook_url(settings, new.shop),
            "webhook_secret": new.webhook_secret,
            "webhook_topics": ["order.created", "order.updated", "order.deleted"],
        }
    )


@shop.command("list")
@click.option("--account", "account_name")
@click.pass_obj
def shop_list(settings: Settings, account_name: str | None) -> None:
    """List shops (never their credentials)."""
    with database_session(settings):
        owner_id = partner_keys.get_account_by_name(account_name).id if account_name else None
        rows = [
            {
                "shop_id": s.id,
                "account_id": s.account_id,
                "name": s.name,
                "platform": s.platform,
                "url": s.base_url,
                "enabled": s.enabled,
                "interval_s": s.interval_s,
                "partner_key_id": s.partner_key_id,
                "order_cursor": s.order_cursor,
                "mappings": len(shops_service.mappings(s.id)),
            }
            for s in shops_service.list_shops(owner_id)
        ]
    echo_json(rows)


@shop.command("partner-key")
@click.argument("name")
@click.argument("key_id", type=int, required=False)
@click.option("--account", "account_name")
@click.option("--clear", is_flag=True, help="The shop names no key any more")
@click.pass_obj
def shop_partner_key(
    settings: Settings, name: str, key_id: int | None, account_name: str | None, clear: bool
) -> None:
    """Name the partner key (key_id from `key list`) the shop's plugin pushes orders with: its
    pushes are then bound to this shop's orders at once."""
    if (key_id is None) == (not clear):
        raise click.UsageError("give a KEY_ID or --clear")
    with database_session(settings):
        found = _find_shop(account_name, name)
        shops_service.set_partner_key(
            found.account_id, found.name, None if clear else key_id, actor=command_line_actor()
        )
    click.echo(f"shop {name!r}: " + ("no partner key" if clear else f"partner key {key_id}"))


@shop.command("remove")
@click.argument("name")
@click.option("--account", "account_name")
@click.pass_obj
def shop_remove(settings: Settings, name: str, account_name: str | None) -> None:
    """Disconnect a shop (our orders and tickets stay)."""
    with database_session(settings):
        found = _find_shop(account_name, name)
        shops_service.remove_shop(found.account_id, found.name, actor=command_line_actor())
    click.echo(f"shop {name!r} removed")


@shop.command("map")
@click.argument("name")
@click.option("--account", "account_name")
@click.option("--product", "product_id", required=True, type=click.IntRange(1))
@click.option("--variation", "variation_id", default=0, type=click.IntRange(0))
@click.option("--ticket-type", "ticket_type_id", required=True, type=click.IntRange(1))
@click.pass_obj
def shop_map(
    settings: Settings,
    name: str,
    account_name: str | None,
    product_id: int,
    variation_id: int,
    ticket_type_id: int,
) -> None:
    """Map a shop product (or one variation) to one of our ticket types."""
    with database_session(settings):
        found = _find_shop(account_name, name)
        mapping = shops_service.map_product(
            found,
            product_id=product_id,
            variation_id=variation_id,
            ticket_type_id=ticket_type_id,
            actor=command_line_actor(),
        )
    echo_json(
        {
            "shop": name,
            "product_id": mapping.product_id,
            "variation_id": mapping.variation_id,
            "ticket_type_id": ticket_type_id,
        }
    )


@click.group()
def sync() -> None:
    """Keep orders and stock in step with the shops."""


@sync.command("run")
@click.option("--shop", "shop_name")
@click.option("--account", "account_name")
@click.option("--full", is_flag=True, help="Read every order, not just changes since the cursor.")
@click.pass_obj
def sync_run(
    settings: Settings, shop_name: str | None, account_name: str | None, full: bool
) -> None:
    """One sync run in the foreground (orders, then stock), with a summary per shop.

    Exits 1 when any run recorded an error (after running every shop), so cron and
    monitoring notice; the summary names each failed order, product or variation.
    """
    from config.shops import client_for
    from sync.jobs import pull_orders, push_stock

    settings = production_settings(settings, dev=settings.dev)
    errors = 0
    with database_session(settings):
        targets = (
            [_find_shop(account_name, shop_name)]
            if shop_name
            else [s for s in shops_service.list_shops() if s.enabled]
        )
        for target in targets:
            client = client_for(settings, target)
            with click.progressbar(
                length=0, label=f"{target.name}: orders", show_pos=True, file=sys.stderr
            ) as bar:
                orders_run = pull_orders(
                    target,
                    client,
                    full=full,
                    progress=lambda _n, bar=bar: bar.update(1),  # type: ignore[misc]
                    hold_seconds=settings.unpaid_hold_seconds,
                )
            stock_run = push_stock(target, client)
            errors += orders_run.errors + stock_run.errors
            click.echo(
                f"{target.name}: {orders_run.orders_new} new, {orders_run.orders_changed} "
                f"changed, {orders_run.orders_skipped} unchanged, {stock_run.stock_writes} "
                f"stock writes, {orders_run.errors + stock_run.errors} errors"
            )
            for run in (orders_run, stock_run):
                for line in (run.error_text or "").splitlines():
                    click.echo(f"  {run.kind}: {line}")
    if errors:
        sys.exit(1)


@sync.command("status")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.pass_obj
def sync_status(settings: Settings, limit: int) -> None:
    """A table of each shop's last runs, then the shop orders to refund in the shop."""
    with database_session(settings):
        click.echo(
            f"{'shop':<16} {'job':<7} {'started':<20} {'ended':<20} {'new':>5} "
            f"{'chg':>5} {'same':>5} {'stock':>5} {'err':>4}"
        )
        for s in shops_service.list_shops():
            for r in shops_service.recent_runs(s.id, limit):
                click.echo(
                    f"{s.name[:16]:<16} {r.kind:<7} {_stamp(r.started_at):<20} "
                    f"{_stamp(r.finished_at):<20} {r.orders_new:>5} {r.orders_changed:>5} "
                    f"{r.orders_skipped:>5} {r.stock_writes:>5} {r.errors:>4}"
                )
                for line in (r.error_text or "").splitlines():
                    click.echo(f"{'':<16}   {line}")
        for s in shops_service.list_shops():
            due = [o.external_id for o in unsellable_orders.orders_to_refund(s.id)]
            if due:
                click.echo(
                    f"{s.name}: {len(due)} shop order(s) need a refund in the shop (paid for "
                    f"tickets that cannot be sold): " + ", ".join(f"#{n}" for n in due)
                )


def _stamp(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


@sync.command("reconcile")
@click.option("--shop", "shop_name", required=True)
@click.option("--account", "account_name")
@click.option("--fix", is_flag=True, help="Ingest what differs and push stock.")
@click.pass_obj
def sync_reconcile(settings: Settings, shop_name: str, account_name: str | None, fix: bool) -> None:
    """Orders missing on either side and every stock difference (exit 1 if any, unfixed)."""
    from config.shops import client_for, webhook_url
    from sync.reconcile import reconcile

    settings = production_settings(settings, dev=settings.dev)
    with database_session(settings):
        target = _find_shop(account_name, shop_name)
        report = reconcile(
            target, client_for(settings, target), fix=fix, webhook_url=webhook_url(settings, target)
        )
    echo_json(
        {
            "missing_here": report.missing_here,
            "out_of_date": report.out_of_date,
            "missing_in_shop": report.missing_in_shop,
            "stock": [
                {"product_id": p, "variation_id": v, "shop": have, "ours": want}
                for p, v, have, want in report.stock
            ],
            "webhooks_inactive": report.webhooks_inactive,
            "problems": report.problems,
            "fixed": report.fixed,
        }
    )
    if not report.clean and not fix:
        sys.exit(1)


@sync.command("daemon")
@click.option("--dev", is_flag=True, help="Development mode: allows the built-in insecure secret.")
@metrics_options
@click.pass_obj
def sync_daemon(
    settings: Settings,
    dev: bool,
    metrics_port: int | None,
    metrics_host: str,
    metrics_textfile: str | None,
) -> None:
    """Run the sync daemon (every enabled shop, and the outbox worker) until SIGTERM."""
    import signal
    import threading

    from config.shops import lock_dir, shop_jobs
    from config.waiting_rooms import waiting_rooms
    from config.workers import outbox_worker, worker_connections
    from sync.daemon import JOB_THREADS, SyncDaemon

    settings = production_settings(settings, dev=dev or settings.dev)
    require_schema(settings)
    # The scheduler's job threads, the outbox worker's threads, a margin.
    connect(settings.database_url, max_connections=JOB_THREADS + worker_connections(settings) + 4)
    daemon = SyncDaemon(
        shop_jobs(settings),
        outbox_worker(settings),
        lock_dir=lock_dir(settings),
        waiting_rooms=waiting_rooms(settings),
        reminder_hours=settings.reminder_hours,
    )
    stop = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        stop.set()  # only a flag: nothing else is safe inside a signal handler

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    stop_metrics = start_metrics(
        settings, host=metrics_host, port=metrics_port, textfile=metrics_textfile
    )
    daemon.start()
    stop.wait()
    daemon.stop()
    stop_metrics()
