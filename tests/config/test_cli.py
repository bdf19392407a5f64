"""The tp-bridge command, run in-process with click's runner against a real database."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from config.cli import main
from config.cli_demo import DEMO_EVENTS
from tp_api.db import connect


@pytest.fixture
def run(db_url):
    runner = CliRunner()

    def invoke(*args, input=None, env=None):
        result = runner.invoke(
            main, list(args), input=input, env={"TP_DATABASE_URL": db_url, **(env or {})}
        )
        return result

    yield invoke
    connect(db_url).close_all()


def test_account_keys_and_events(run, db):
    created = run("account", "create", "Festival BV")
    assert created.exit_code == 0, created.output
    account = json.loads(created.output)
    assert account["name"] == "Festival BV" and account["key"].startswith("tp_")
    assert run("account", "create", "Festival BV").exit_code == 1

    second = json.loads(
        run("key", "create", "--account", "Festival BV", "--label", "shop 2").output
    )
    listed = json.loads(run("key", "list", "--account", "Festival BV").output)
    assert [k["label"] for k in listed] == ["default", "shop 2"]
    assert all("key" not in k for k in listed)
    assert account["key"] not in json.dumps(listed)

    revoked = run("key", "revoke", "--account", "Festival BV", str(second["key_id"]))
    assert revoked.exit_code == 0 and json.loads(revoked.output)["revoked_at"]
    missing = run("key", "revoke", "--account", "Festival BV", "9999")
    assert missing.exit_code == 1 and "Key 9999 not found" in missing.output

    loaded = run("events", "load", "--account", "Festival BV", str(DEMO_EVENTS))
    assert loaded.exit_code == 0, loaded.output
    events = json.loads(loaded.output)
    assert [e["name"] for e in events] == ["Summer Festival 2026", "Jazz by the Canal"]
    assert events[0]["children"][0]["tickets"][0]["stock"] == 250
    assert set(events[0]) == {
        "id",
        "name",
        "city",
        "start_date",
        "end_date",
        "price",
        "stock",
        "status",
        "tickets",
        "children",
    }


def test_events_load_refuses_bad_input_and_changes_nothing(run, db, tmp_path):
    run("account", "create", "A")
    bad = tmp_path / "bad.json"
    bad.write_text('[{"name": "ok", "tickets": [{"name": "x"}]}, {"name": ""}]')
    result = run("events", "load", "--account", "A", str(bad))
    assert result.exit_code == 1 and "events[1].name is required" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text("{nope")
    assert "is not valid JSON" in run("events", "load", "--account", "A", str(broken)).output
    assert "Account 'B' not found" in run("events", "load", "--account", "B", str(bad)).output
    from tp_api.models import Event

    assert Event.select().count() == 0


def test_serve_refuses_without_a_real_secret(run):
    result = run("serve", env={"TP_SECRET_KEY": ""})
    assert result.exit_code == 1
    assert "TP_SECRET_KEY is not set" in result.output


def test_serve_refuses_an_unmigrated_database(tmp_path):
    result = CliRunner().invoke(
        main,
        ["serve"],
        env={
            "TP_DATABASE_URL": f"sqlite:///{tmp_path}/new.db",
            "TP_SECRET_KEY": "x" * 40,
        },
    )
    assert result.exit_code == 1
    assert "tp-bridge db upgrade" in result.output


def test_db_upgrade_and_status(tmp_path):
    env = {"TP_DATABASE_URL": f"sqlite:///{tmp_path}/new.db"}
    runner = CliRunner()
    assert runner.invoke(main, ["db", "status"], env=env).exit_code == 1
    assert "applied: 0001_initial" in runner.invoke(main, ["db", "upgrade"], env=env).output
    status = runner.invoke(main, ["db", "status"], env=env)
    assert status.exit_code == 0 and "up to date" in status.output
    connect(env["TP_DATABASE_URL"]).close_all()


def test_demo_loads_once_and_prints_a_working_key(run, db):
    first = run("demo", "--no-serve")
    assert first.exit_code == 0, first.output
    second = run("demo", "--no-serve")
    assert second.exit_code == 0
    from tp_api.models import Event
    from tp_api.services.credentials import partner_keys

    assert Event.select().where(Event.parent.is_null()).count() == 2
    secret = second.output.split("Partner key (shown once): ")[1].split()[0]
    assert partner_keys.authenticate(secret, client="test").account_name == "Demo Festival BV"
    assert f"/tp-api/events?key={secret}" in second.output


def test_admin_keys_with_scopes(run, db):
    run("account", "create", "Festival BV")
    created = run(
        "key",
        "create",
        "--account",
        "Festival BV",
        "--admin",
        "--label",
        "crm",
        "--scope",
        "orders:read",
        "--scope",
        "customers:read",
    )
    assert created.exit_code == 0, created.output
    key = json.loads(created.output)
    assert key["key"].startswith("tpk_") and key["scopes"] == ["orders:read", "customers:read"]
    from tp_api.services.credentials import admin_keys

    caller = admin_keys.authenticate_api_key(key["key"])
    assert caller.scopes == {"orders:read", "customers:read"}

    listed = json.loads(run("key", "list", "--account", "Festival BV", "--admin").output)
    assert [(k["label"], k["scopes"]) for k in listed] == [
        ("crm", ["orders:read", "customers:read"])
    ]
    assert key["key"] not in json.dumps(listed)
    # Partner keys and admin keys are separate lists.
    assert [
        k["label"] for k in json.loads(run("key", "list", "--account", "Festival BV").output)
    ] == ["default"]

    revoked = run("key", "revoke", "--account", "Festival BV", "--admin", str(key["key_id"]))
    assert revoked.exit_code == 0 and json.loads(revoked.output)["revoked_at"]
    admin_keys.clear_cache()
    with pytest.raises(Exception, match="unknown or revoked"):
        admin_keys.authenticate_api_key(key["key"])

    assert run("key", "create", "--account", "Festival BV", "--scope", "orders:read").exit_code == 2
    bad = run("key", "create", "--account", "Festival BV", "--admin", "--scope", "everything")
    assert bad.exit_code == 2 and "everything" in bad.output


def test_demo_prints_a_working_admin_key(run, db):
    result = run("demo", "--no-serve")
    assert result.exit_code == 0, result.output
    secret = result.output.split("Admin-API key (shown once, every scope): ")[1].split()[0]
    from tp_api.services.credentials import admin_keys

    assert "keys:write" in admin_keys.authenticate_api_key(secret).scopes
    assert f"Bearer {secret}' '" in result.output
