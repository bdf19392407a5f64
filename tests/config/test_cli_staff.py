"""``tp-bridge staff ...`` and the demo's console user, run in-process against a real database."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from config.cli import main
from config.cli_demo import DEMO_STAFF_EMAIL
from tp_api.db import connect
from tp_api.models import StaffUser
from tp_api.services.credentials import partner_keys, staff_auth

PASSWORD = "a long enough password"


@pytest.fixture
def run(db_url):
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, list(args), input=input, env={"TP_DATABASE_URL": db_url})

    yield invoke
    connect(db_url).close_all()


def test_add_list_password_and_disable(run, db):
    partner_keys.create_account("Festival BV")
    added = run(
        "staff", "add", "--account", "Festival BV",
        "--email", "Ann@Example.com", "--name", "Ann", input=f"{PASSWORD}\n{PASSWORD}\n"
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert '"email": "ann@example.com"' in added.output and PASSWORD not in added.output
    assert staff_auth.sign_in("ann@example.com", PASSWORD).staff_id
    listed = run("staff", "list", "--account", "Festival BV")
    assert [u["email"] for u in json.loads(listed.output)] == ["ann@example.com"]

    taken = run(
        "staff", "add", "--account", "Festival BV",
        "--email", "ann@example.com", "--password-stdin", input=f"{PASSWORD}\n"
    )  # fmt: skip
    assert taken.exit_code == 1 and "already has a staff user" in taken.output
    short = run(
        "staff", "add", "--account", "Festival BV",
        "--email", "bo@example.com", "--password-stdin", input="short\n"
    )  # fmt: skip
    assert short.exit_code == 1 and "at least 12 characters" in short.output

    changed = run(
        "staff", "password", "--email",
        "ann@example.com", "--password-stdin", input="another long password\n"
    )  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert staff_auth.sign_in("ann@example.com", "another long password").staff_id
    # The account keeps an enabled owner, at the command line too.
    last = run("staff", "disable", "--email", "ann@example.com")
    assert last.exit_code == 1 and "at least one enabled owner" in last.output
    assert run(
        "staff", "add", "--account", "Festival BV",
        "--email", "bo@example.com", "--password-stdin", input=f"{PASSWORD}\n"
    ).exit_code == 0  # fmt: skip
    disabled = run("staff", "disable", "--email", "ann@example.com")
    assert disabled.exit_code == 0
    with pytest.raises(staff_auth.SignInRefused):
        staff_auth.sign_in("ann@example.com", "another long password")
    assert run("staff", "disable", "--email", "ann@example.com", "--enable").exit_code == 0
    assert staff_auth.sign_in("ann@example.com", "another long password").staff_id
    missing = run(
        "staff", "password", "--email",
        "nobody@example.com", "--password-stdin", input=f"{PASSWORD}\n"
    )  # fmt: skip
    assert missing.exit_code == 1 and "No staff user nobody@example.com" in missing.output


def test_add_a_door_user_and_refuse_an_unknown_role(run, db):
    partner_keys.create_account("Festival BV")
    added = run(
        "staff", "add", "--account", "Festival BV", "--role", "door",
        "--email", "gate@example.com", "--password-stdin", input=f"{PASSWORD}\n"
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert json.loads(added.output)["role"] == "door"
    assert staff_auth.sign_in("gate@example.com", PASSWORD).role == "door"
    boss = run(
        "staff", "add", "--account", "Festival BV", "--role", "boss",
        "--email", "boss@example.com", "--password-stdin", input=f"{PASSWORD}\n"
    )  # fmt: skip
    assert boss.exit_code == 2 and "'boss' is not one of" in boss.output


def test_demo_prints_a_console_password_that_works_and_changes_each_run(run, db):
    first = run("demo", "--no-serve")
    assert first.exit_code == 0, first.output
    password = first.output.split(f"e-mail {DEMO_STAFF_EMAIL}  password ")[1].split()[0]
    assert staff_auth.sign_in(DEMO_STAFF_EMAIL, password).staff_id
    second = run("demo", "--no-serve")
    again = second.output.split(f"e-mail {DEMO_STAFF_EMAIL}  password ")[1].split()[0]
    assert again != password
    assert staff_auth.sign_in(DEMO_STAFF_EMAIL, again).staff_id
    assert StaffUser.select().count() == 1


def test_demo_prints_a_my_tickets_link_that_opens_after_the_demo_order(run, db, settings):
    from dataclasses import replace

    from config.cli_demo import DEMO_ACCOUNT
    from config.wsgi import create_app
    from tests.factories import order_body
    from tp_api.models import Account, TicketType
    from tp_api.services.orders import submit as orders
    from tp_api.services.orders.order_input import parse_partner_order

    result = run("demo", "--no-serve")
    path = "/my-tickets/" + result.output.split("/my-tickets/")[1].split()[0]
    owner = Account.get(Account.name == DEMO_ACCOUNT)
    ticket_type = TicketType.select().order_by(TicketType.id).first()
    orders.submit_order(owner.id, parse_partner_order(order_body(ticket_type.id, wp_user_id=7)))
    client = create_app(replace(settings, secret_key="").for_development()).test_client()
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    assert 'lang="nl"' in page.get_data(as_text=True)


def test_command_line_changes_are_in_the_audit_trail_under_the_login(run, db, tmp_path):
    import getpass

    from tp_api.models import AuditEntry

    partner_keys.create_account("Festival BV")
    assert run(
        "staff", "add", "--account", "Festival BV", "--role", "manager",
        "--email", "ann@example.com", "--password-stdin", input=f"{PASSWORD}\n"
    ).exit_code == 0  # fmt: skip
    assert run(
        "staff", "password", "--email", "ann@example.com",
        "--password-stdin", input="another long password\n"
    ).exit_code == 0  # fmt: skip
    assert run("staff", "disable", "--email", "ann@example.com").exit_code == 0
    assert run("key", "create", "--account", "Festival BV", "--label", "shop").exit_code == 0
    events_file = tmp_path / "events.json"
    events_file.write_text(json.dumps([{"name": "Loaded", "tickets": [{"name": "GA"}]}]))
    loaded = run("events", "load", "--account", "Festival BV", str(events_file))
    assert loaded.exit_code == 0, loaded.output

    entries = list(AuditEntry.select().order_by(AuditEntry.id))
    assert [e.action for e in entries] == [
        "staff.added",
        "staff.password_set",
        "staff.disabled",
        "partner_key.created",
        "event.created",
    ]
    assert {e.actor_label for e in entries} == {f"command line ({getpass.getuser()})"}
    assert PASSWORD not in "".join(e.changes for e in entries)
