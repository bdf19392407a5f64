"""`tp-bridge shop ...`, `sync ...`, `outbox work` and `scan-key`, against a fake shop."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from config.cli import main
from config.cli_common import command_line_actor
from tests.fake_woo import FakeWoo, woo_order
from tp_api.db import connect
from tp_api.models import AuditEntry, Order, Shop, Ticket
from tp_api.services import audit_trail

SECRET = "cli-test-secret-that-is-long-enough-0123456789"


@pytest.fixture
def run(db_url, tmp_path):
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(
            main,
            list(args),
            env={
                "TP_DATABASE_URL": db_url,
                "TP_SECRET_KEY": SECRET,
                "TP_FILES_DIR": str(tmp_path / "files"),
                "TP_PUBLIC_URL": "https://tickets.test",
            },
        )

    yield invoke
    connect(db_url).close_all()


@pytest.fixture
def woo():
    with FakeWoo() as fake:
        yield fake


def test_connect_map_sync_and_reconcile(run, db, woo, factory):
    seller = factory.seller("Festival BV")
    ticket_type = factory.ticket_type(factory.event(seller, ticket_stock=100))
    added = run(
        "shop", "add", "main", "--account", "Festival BV", "--url", woo.url,
        "--consumer-key", "ck_test", "--consumer-secret", "cs_test",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    info = json.loads(added.output)
    assert (
        info["webhook_url"] == f"https://tickets.test/shops/{info['shop_id']}/woocommerce/webhook"
    )
    assert len(info["webhook_secret"]) > 30
    stored = Shop.get()
    assert "cs_test" not in stored.consumer_secret_enc and "ck_test" not in stored.consumer_key_enc
    listed = run("shop", "list")
    assert "cs_test" not in listed.output and "main" in listed.output
    mapped = run("shop", "map", "main", "--product", "93", "--ticket-type", str(ticket_type.id))
    assert mapped.exit_code == 0, mapped.output
    assert run("shop", "map", "main", "--product", "93", "--ticket-type", "9999").exit_code == 1

    woo.products[93] = {"id": 93, "manage_stock": True, "stock_quantity": 100}
    for i in range(1, 6):
        woo.put(woo_order(i))
    synced = run("sync", "run", "--shop", "main")
    assert synced.exit_code == 0, synced.output
    assert "main: 5 new, 0 changed, 0 unchanged, 1 stock writes, 0 errors" in synced.output
    assert Order.select().count() == 5 and Ticket.select().count() == 5
    assert woo.products[93]["stock_quantity"] == 95
    status = run("sync", "status")
    assert "orders" in status.output and "stock" in status.output

    _reconcile_finds_and_fixes(run, woo, info["webhook_url"])

    assert run("shop", "remove", "main").exit_code == 0
    assert Shop.select().count() == 0 and Order.select().count() == 6


def _reconcile_finds_and_fixes(run, woo, hook_url: str) -> None:
    """Clean, then a disabled webhook, stock edited by hand and a missed order: reported,
    then fixed."""
    woo.webhooks[142] = {"id": 142, "status": "active", "delivery_url": hook_url}
    woo.webhooks[143] = {"id": 143, "status": "disabled", "delivery_url": "https://other/"}
    clean = run("sync", "reconcile", "--shop", "main")
    assert clean.exit_code == 0, clean.output
    woo.webhooks[142]["status"] = "disabled"  # five failed deliveries later
    woo.products[93]["stock_quantity"] = 7  # edited by hand in the shop
    woo.put(woo_order(6))
    dirty = run("sync", "reconcile", "--shop", "main")
    assert dirty.exit_code == 1
    report = json.loads(dirty.output)
    assert report["missing_here"] == [6]
    assert report["stock"] == [{"product_id": 93, "variation_id": 0, "shop": 7, "ours": 95}]
    assert report["webhooks_inactive"] == [142]
    fixed = run("sync", "reconcile", "--shop", "main", "--fix")
    assert fixed.exit_code == 0 and json.loads(fixed.output)["fixed"] is True
    assert Order.select().count() == 6 and woo.products[93]["stock_quantity"] == 94
    assert woo.webhooks[142]["status"] == "active" and woo.webhooks[143]["status"] == "disabled"


def test_bad_shop_input_is_refused(run, db, factory):
    factory.seller("A")
    result = run(
        "shop",
        "add",
        "x",
        "--account",
        "A",
        "--url",
        "http://shop.example.com",
        "--consumer-key",
        "k",
        "--consumer-secret",
        "s",
    )
    assert result.exit_code == 1 and "oauth1" in result.output
    assert "not found" in run("shop", "map", "nope", "--product", "1", "--ticket-type", "1").output


def test_scan_key_and_outbox_once(run, db):
    key = json.loads(run("scan-key").output)
    assert key["algorithm"] == "Ed25519" and len(key["key_id"]) == 8
    worked = run("outbox", "work", "--once")
    assert worked.exit_code == 0, worked.output
    assert json.loads(worked.output) == {"done": 0, "retry": 0, "failed": 0}


def test_sync_run_exits_1_when_a_run_recorded_an_error_and_says_what(run, db, woo, factory):
    seller = factory.seller("Festival BV")
    ticket_type = factory.ticket_type(factory.event(seller, ticket_stock=10))
    for name in ("main", "second"):
        added = run(
            "shop", "add", name, "--account", "Festival BV", "--url", woo.url,
            "--consumer-key", "ck_test", "--consumer-secret", "cs_test",
        )  # fmt: skip
        assert added.exit_code == 0, added.output
    tt = str(ticket_type.id)
    run("shop", "map", "main", "--product", "93", "--ticket-type", tt)
    run("shop", "map", "main", "--product", "94", "--ticket-type", tt)  # deleted in the shop
    run("shop", "map", "main", "--product", "95", "--variation", "23", "--ticket-type", tt)
    run("shop", "map", "second", "--product", "97", "--ticket-type", tt)
    woo.products[93] = {"id": 93, "manage_stock": True, "stock_quantity": 3}
    woo.products[97] = {"id": 97, "manage_stock": True, "stock_quantity": 3}

    failed = run("sync", "run")
    assert failed.exit_code == 1, failed.output
    assert "main: 0 new, 0 changed, 0 unchanged, 1 stock writes, 2 errors" in failed.output
    assert "  stock: product 94: not found in the shop (deleted, or in the trash?)" in (
        failed.output
    )
    assert (
        "  stock: product 95 variation 23: GET products/95/variations: HTTP 404 rest_no_route"
        in failed.output
    )
    # The failing shop did not stop the next one.
    assert "second: 0 new, 0 changed, 0 unchanged, 1 stock writes, 0 errors" in failed.output
    assert woo.products[93]["stock_quantity"] == woo.products[97]["stock_quantity"] == 10

    status = run("sync", "status").output.splitlines()
    row = next(i for i, line in enumerate(status) if line.startswith("main") and " stock " in line)
    assert status[row].split()[-1] == "2"
    assert "product 94: not found in the shop" in status[row + 1]
    assert "product 95 variation 23: GET products/95/variations: HTTP 404" in status[row + 2]

    # The product is back in the shop and the variation's mapping is removed: clean, exit 0.
    woo.products[94] = {"id": 94, "manage_stock": True, "stock_quantity": 3}
    from tp_api.models import ProductMapping

    ProductMapping.delete().where(ProductMapping.product_id == 95).execute()
    clean = run("sync", "run", "--shop", "main")
    assert clean.exit_code == 0, clean.output
    assert "main: 0 new, 0 changed, 0 unchanged, 1 stock writes, 0 errors" in clean.output


def test_sync_run_exits_1_when_the_shop_refuses_our_credentials(run, db, factory):
    factory.seller("Festival BV")
    with FakeWoo(key="ck_other") as woo:
        added = run(
            "shop", "add", "main", "--account", "Festival BV", "--url", woo.url,
            "--consumer-key", "ck_test", "--consumer-secret", "cs_test",
        )  # fmt: skip
        assert added.exit_code == 0, added.output
        result = run("sync", "run", "--shop", "main")
    assert result.exit_code == 1
    assert "main: 0 new, 0 changed, 0 unchanged, 0 stock writes, 1 errors" in result.output
    assert (
        "  orders: order pull stopped: GET orders: HTTP 401 woocommerce_rest_authentication_error"
        in result.output
    )


def test_a_shop_names_the_partner_key_its_plugin_pushes_with(run, db, factory):
    seller, shop, _ = factory.shop()
    key_id = json.loads(run("key", "list", "--account", seller.account.name).output)[0]["key_id"]
    named = run("shop", "partner-key", "main", str(key_id))
    assert named.exit_code == 0, named.output
    assert Shop.get_by_id(shop.id).partner_key_id == key_id
    listed = json.loads(run("shop", "list").output)
    assert listed[0]["partner_key_id"] == key_id
    assert run("shop", "partner-key", "main").exit_code == 2  # neither a key nor --clear
    unknown = run("shop", "partner-key", "main", "99999")
    assert unknown.exit_code == 1 and "Key 99999 not found" in unknown.output
    assert run("shop", "partner-key", "main", "--clear").exit_code == 0
    assert Shop.get_by_id(shop.id).partner_key_id is None


def test_shop_and_partner_key_commands_are_in_the_audit_trail_under_the_login(
    run, db, woo, factory
):
    seller = factory.seller("Festival BV")
    ticket_type = factory.ticket_type(factory.event(seller, ticket_stock=10))
    account = ("--account", "Festival BV")
    made = run("key", "create", *account, "--label", "plugin")
    key_id = str(json.loads(made.output)["key_id"])
    steps = [
        ("shop", "add", "main", *account, "--url", woo.url,
         "--consumer-key", "ck_test", "--consumer-secret", "cs_test"),
        ("shop", "map", "main", "--product", "93", "--ticket-type", str(ticket_type.id)),
        ("shop", "partner-key", "main", key_id),
        ("key", "allow", *account, key_id, "192.0.2.0/24"),
        ("key", "revoke", *account, key_id),
        ("shop", "remove", "main"),
    ]  # fmt: skip
    for step in steps:
        done = run(*step)
        assert done.exit_code == 0, (step, done.output)

    login = command_line_actor().label
    entries = list(
        AuditEntry.select().where(AuditEntry.actor_label == login).order_by(AuditEntry.id)
    )
    assert [(e.action, e.subject_label) for e in entries] == [
        ("partner_key.created", "plugin"),
        ("shop.connected", "main"),
        ("shop.product_mapped", "main"),
        ("shop.partner_key_set", "main"),
        ("partner_key.updated", "plugin"),
        ("partner_key.revoked", "plugin"),
        ("shop.removed", "main"),
    ]
    assert {(e.actor_kind, e.actor_id, e.account_id) for e in entries} == {
        ("system", None, seller.id)
    }
    mapped = audit_trail.changes_of(entries[2])
    assert mapped == {"item": [None, "product 93"], "ticket_type": [None, ticket_type.id]}
    assert "cs_test" not in "".join(e.changes for e in entries)
