"""``tp-bridge oauth-client ...`` and ``tp-bridge key allow``, in-process on a real database."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from config.cli import main
from tp_api.db import connect
from tp_api.models import ApiKey, OAuthClient, PartnerKey
from tp_api.services.credentials import admin_keys, oauth_clients, partner_keys


@pytest.fixture
def run(db_url):
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, list(args), env={"TP_DATABASE_URL": db_url})

    yield invoke
    connect(db_url).close_all()


def test_create_list_allow_rotate_revoke(run, db):
    partner_keys.create_account("Festival BV")
    made = run(
        "oauth-client", "create", "--account", "Festival BV", "--label", "ERP",
        "--scope", "orders:read", "--allow", "192.0.2.0/24",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    client = json.loads(made.output)
    assert client["scopes"] == ["orders:read"] and client["allowedIps"] == ["192.0.2.0/24"]
    assert client["clientSecret"].startswith("tpcs_")
    listed = json.loads(run("oauth-client", "list", "--account", "Festival BV").output)
    assert [c["clientId"] for c in listed] == [client["clientId"]]
    assert "clientSecret" not in listed[0]

    opened = run("oauth-client", "allow", "--account", "Festival BV", str(client["id"]))
    assert json.loads(opened.output)["allowedIps"] == []
    bad = run("oauth-client", "allow", "--account", "Festival BV", str(client["id"]), "nowhere")
    assert bad.exit_code == 1 and "not an IP address or CIDR range" in bad.output

    rotated = run(
        "oauth-client",
        "rotate",
        "--account",
        "Festival BV",
        "--grace-hours",
        "0",
        str(client["id"]),
    )
    new_secret = json.loads(rotated.output)["clientSecret"]
    from tp_api.db import utcnow

    assert oauth_clients.verify(client["clientId"], client["clientSecret"], utcnow()) is None
    assert oauth_clients.verify(client["clientId"], new_secret, utcnow()) is not None
    revoked = run("oauth-client", "revoke", "--account", "Festival BV", str(client["id"]))
    assert json.loads(revoked.output)["revokedAt"] is not None
    assert OAuthClient.get_by_id(client["id"]).revoked_at is not None


def test_key_allow_for_partner_and_admin_keys(run, db):
    account = partner_keys.create_account("Festival BV")
    partner = partner_keys.create_key(account.id)
    admin = admin_keys.create_api_key(account.id)
    done = run("key", "allow", "--account", "Festival BV", str(partner.id), "203.0.113.9")
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["allowed_ips"] == ["203.0.113.9/32"]
    assert PartnerKey.get_by_id(partner.id).allowed_ips == "203.0.113.9/32"
    done = run(
        "key", "allow", "--admin", "--account", "Festival BV", str(admin.key.id), "2001:db8::/48"
    )
    assert ApiKey.get_by_id(admin.key.id).allowed_ips == "2001:db8::/48"


def test_test_mode_keys_clients_and_the_wipe(run, db):
    from tp_api.services import sandbox

    live = partner_keys.create_account("Festival BV")
    partner = json.loads(run("key", "create", "--account", "Festival BV", "--test").output)
    assert partner["key"].startswith("tp_test_")
    box = sandbox.find_sandbox(live.id)
    assert partner["account_id"] == box.id
    admin = run("key", "create", "--admin", "--test", "--account", "Festival BV")
    assert json.loads(admin.output)["key"].startswith("tpk_test_")
    client = run("oauth-client", "create", "--test", "--account", "Festival BV")
    assert json.loads(client.output)["clientId"].startswith("tpc_test_")
    shown = json.loads(run("test-data", "show", "--account", "Festival BV").output)
    assert shown == {"sandbox_account_id": box.id, "events": 0, "orders": 0}
    wiped = run("test-data", "wipe", "--account", "Festival BV")
    assert wiped.exit_code == 0 and json.loads(wiped.output) == {"orders_deleted": 0}
