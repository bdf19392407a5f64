"""``tp-bridge oauth-client ...``: OAuth 2.0 clients of the admin API (the admin API's
/api/v1/oauth-clients; their secrets are printed once), and ``tp-bridge test-data ...``:
the test mode those and the keys can be made in."""

from __future__ import annotations

from datetime import timedelta

import click

from config.cli_common import command_line_actor, database_session, echo_json
from config.settings import Settings
from tp_api.models import OAuthClient
from tp_api.services import sandbox
from tp_api.services.admin_render import oauth_client_out
from tp_api.services.credentials import admin_keys, oauth_clients, oauth_tokens, partner_keys


@click.group("oauth-client")
def oauth_client() -> None:
    """OAuth clients (client-credentials grant at POST /api/v1/oauth/token)."""


def _out(client: OAuthClient, secret: str | None = None) -> dict[str, object]:
    out = oauth_client_out(client).model_dump(mode="json", by_alias=True)
    return {**out, "clientSecret": secret} if secret else out


@oauth_client.command("create")
@click.option("--account", "account_name", required=True)
@click.option("--label", default="")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(admin_keys.SCOPES),
    help="A scope its tokens may carry (repeatable; default: every scope).",
)
@click.option("--allow", "allowed", multiple=True, help="An address or CIDR range (repeatable).")
@click.option("--test", is_flag=True, help="A test-mode client, acting on the account's sandbox.")
@click.pass_obj
def client_create(
    settings: Settings,
    account_name: str,
    label: str,
    scopes: tuple[str, ...],
    allowed: tuple[str, ...],
    test: bool,
) -> None:
    """Create a client; its secret is printed once and never again."""
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        create = sandbox.create_test_oauth_client if test else oauth_clients.create_client
        made = create(
            owner.id,
            label=label,
            scopes=scopes or None,
            allowed_ips=allowed or None,
            actor=command_line_actor(),
        )
        echo_json(_out(made.client, made.secret))


@oauth_client.command("list")
@click.option("--account", "account_name", required=True)
@click.pass_obj
def client_list(settings: Settings, account_name: str) -> None:
    """The account's clients (never their secrets)."""
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        echo_json([_out(c) for c in oauth_clients.list_clients(owner.id)])


@oauth_client.command("rotate")
@click.option("--account", "account_name", required=True)
@click.option(
    "--grace-hours",
    default=24,
    show_default=True,
    type=click.IntRange(0, 168),
    help="How long the old secret keeps working.",
)
@click.argument("client_pk", type=int)
@click.pass_obj
def client_rotate(settings: Settings, account_name: str, grace_hours: int, client_pk: int) -> None:
    """A new secret for client CLIENT_PK (its id in the list); printed once."""
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        made = oauth_clients.rotate_secret(
            owner.id, client_pk, grace=timedelta(hours=grace_hours), actor=command_line_actor()
        )
        echo_json(_out(made.client, made.secret))


@oauth_client.command("allow")
@click.option("--account", "account_name", required=True)
@click.argument("client_pk", type=int)
@click.argument("addresses", nargs=-1)
@click.pass_obj
def client_allow(
    settings: Settings, account_name: str, client_pk: int, addresses: tuple[str, ...]
) -> None:
    """Let client CLIENT_PK be used only from ADDRESSES (addresses or CIDR ranges; none:
    from anywhere)."""
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        client = oauth_clients.set_allowlist(
            owner.id, client_pk, addresses, actor=command_line_actor()
        )
        echo_json(_out(client))


@oauth_client.command("revoke")
@click.option("--account", "account_name", required=True)
@click.argument("client_pk", type=int)
@click.pass_obj
def client_revoke(settings: Settings, account_name: str, client_pk: int) -> None:
    """Revoke client CLIENT_PK and every token it holds."""
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        echo_json(_out(oauth_tokens.revoke_client(owner.id, client_pk, actor=command_line_actor())))


@click.group("test-data")
def test_data() -> None:
    """Test mode: the account's sandbox and its test data (docs/sandbox.md)."""


@test_data.command("show")
@click.option("--account", "account_name", required=True)
@click.pass_obj
def test_data_show(settings: Settings, account_name: str) -> None:
    """The sandbox's id and how many events and orders it holds."""
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        held = sandbox.figures(owner.id)
    echo_json({"sandbox_account_id": held.account_id, "events": held.events, "orders": held.orders})


@test_data.command("wipe")
@click.option("--account", "account_name", required=True)
@click.pass_obj
def test_data_wipe(settings: Settings, account_name: str) -> None:
    """Delete the sandbox's orders, tickets, check-ins, queued work and webhook events; its
    credentials, endpoints and events stay, with their stock back."""
    with database_session(settings):
        owner = partner_keys.get_account_by_name(account_name)
        deleted = sandbox.wipe(owner.id, actor=command_line_actor())
    echo_json({"orders_deleted": deleted})
