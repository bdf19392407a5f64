"""``tp-bridge demo``: a demo account with events, fresh keys and a console user, the
curl lines to try them, then the development server."""

from __future__ import annotations

import json
from pathlib import Path

import click

from config.cli_common import database_session
from config.settings import Settings
from config.tickets import my_tickets_links
from tp_api import migrations
from tp_api.db import connect
from tp_api.services import demo_data

DEMO_ACCOUNT = "Demo Festival BV"
DEMO_STAFF_EMAIL = "demo@tp-bridge.test"
DEMO_EVENTS = Path(__file__).parent / "demo" / "events.json"


@click.command()
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
    with database_session(settings):
        seeded = demo_data.seed(DEMO_ACCOUNT, json.loads(DEMO_EVENTS.read_text()), DEMO_STAFF_EMAIL)
    _print_demo(settings, host, port, seeded.partner_key, seeded.ticket_type_id, seeded.event_id)
    _print_admin_demo(host, port, seeded.admin_key)
    # Signed with the secret `serve --dev` uses, so the link opens on the demo server.
    token = my_tickets_links(settings.for_development()).sign(seeded.account_id, 7, "nl")
    click.echo(
        f"Seller console: http://{host}:{port}/console/  "
        f"e-mail {DEMO_STAFF_EMAIL}  password {seeded.staff_password}\n"
        f"My tickets of customer 7 (after the order curl above): "
        f"http://{host}:{port}/my-tickets/{token}\n"
    )
    if then_serve:
        from config.cli import serve  # here, not at the top: config.cli imports this module

        ctx.invoke(serve, host=host, port=port, workers=2, threads=1, dev=True, access_log=True)


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
