"""``tp-bridge my-tickets ...``: links to the customers' "my tickets" page."""

from __future__ import annotations

import click

from config.cli_common import database_session, production_settings
from config.settings import Settings
from config.tickets import my_tickets_url
from tp_api.services.credentials import partner_keys


@click.group("my-tickets")
def my_tickets() -> None:
    """The customers' "my tickets" page (/my-tickets, docs/my-tickets.md)."""


@my_tickets.command("link")
@click.option("--account", "account_name", required=True, help="The seller account's name.")
@click.option(
    "--wp-user-id",
    required=True,
    type=click.IntRange(1, 2**53 - 1),
    help="The customer's user id in the shop (the orders' wp_user_id; guests have none).",
)
@click.option("--locale", default="", help="The page's language: nl, nl_NL, nl-BE, en...")
@click.option("--dev", is_flag=True, help="Sign with the development secret (local use only).")
@click.pass_obj
def link(settings: Settings, account_name: str, wp_user_id: int, locale: str, dev: bool) -> None:
    """Print the page's address for one customer, valid TP_MY_TICKETS_LINK_DAYS days.

    Signed with TP_SECRET_KEY: anyone holding the address sees the customer's tickets of
    this account and may fill in their attendees, so send it only to the customer.
    """
    # A link signed with the development secret would open nothing on a real server.
    settings = production_settings(settings, dev=dev)
    with database_session(settings):
        account = partner_keys.get_account_by_name(account_name)
    # Only the locale's leading language tag is signed ("nl_NL.UTF-8" -> "nl_NL").
    click.echo(my_tickets_url(settings, account.id, wp_user_id, locale))
