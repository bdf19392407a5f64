"""The migrations build exactly the schema the models describe, and upgrading is safe."""

from __future__ import annotations

from tp_api import migrations
from tp_api.models import ALL_MODELS


def _columns(db, table):
    return {c.name for c in db.get_columns(table)}


def test_migrated_schema_matches_the_models(db):
    for model in ALL_MODELS:
        table = model._meta.table_name
        assert db.table_exists(table), table
        expected = {f.column_name for f in model._meta.sorted_fields}
        assert _columns(db, table) == expected, table


def test_unique_indexes_exist(db):
    def unique_sets(table):
        return {tuple(i.columns) for i in db.get_indexes(table) if i.unique}

    assert ("account_id", "wp_order_id") in unique_sets("order")
    assert ("number",) in unique_sets("order")
    assert ("number",) in unique_sets("webhook_delivery")
    assert ("reference",) in unique_sets("ticket")
    assert ("key_hash",) in unique_sets("partner_key")
    assert ("dedupe_key",) in unique_sets("outbox_entry")
    assert ("scanner_id", "nonce") in unique_sets("check_in")
    assert ("account_id", "slug") in unique_sets("event")
    assert ("key_hash",) in unique_sets("api_key")
    assert ("scope",) in unique_sets("idempotency_record")
    assert ("account_id", "code") in unique_sets("affiliate")
    assert ("code",) in unique_sets("affiliate_link")
    assert ("affiliate_id", "event_id") in unique_sets("affiliate_link")
    assert ("order_id",) in unique_sets("affiliate_order")


def test_upgrade_is_idempotent_and_keeps_data(db, factory):
    seller = factory.seller()
    assert migrations.pending(db) == []
    assert migrations.upgrade(db) == []
    from tp_api.models import Account

    assert Account.get_by_id(seller.id).name == seller.account.name


def _rows_of_a_0002_database(db) -> None:
    """An account, an event with a ticket type, a paid order with its ticket, and a check-in,
    written as the schema of migration 0002 had them."""
    now = "2026-06-01 10:00:00"
    db.execute_sql("INSERT INTO account (name, created_at) VALUES ('A', ?)", (now,))
    db.execute_sql(
        "INSERT INTO event (account_id, name, city, location, timezone, price_cents, stock,"
        " sold, reserved, status, featured, event_params, manage_price_per_ticket,"
        " manage_stock_per_ticket, created_at) VALUES (1, 'E', '', '', 'UTC', 0, 1, 0, 0, 1,"
        " 0, '{}', 1, 1, ?)",
        (now,),
    )
    db.execute_sql(
        "INSERT INTO ticket_type (event_id, name, price_cents, stock, sold, reserved, status,"
        " enabled, created_at) VALUES (1, 'GA', 0, 1, 0, 0, 1, 1, ?)",
        (now,),
    )
    db.execute_sql(
        'INSERT INTO "order" (account_id, status, payment_method, payment_method_title,'
        " currency, total_cents, billing_first_name, billing_last_name, billing_address,"
        " billing_city, billing_postal_code, billing_country, billing_email, billing_phone,"
        " locale, my_tickets_url, ip_address, created_at, updated_at) VALUES (1, 'processing',"
        " '', '', 'EUR', 0, '', '', '', '', '', '', '', '', '', '', '', ?, ?)",
        (now, now),
    )
    db.execute_sql(
        "INSERT INTO order_line (order_id, line_type, order_item_type, name, unit_price_cents,"
        " quantity) VALUES (1, 'ticket', 'line_item', 'GA', 0, 1)"
    )
    db.execute_sql(
        "INSERT INTO ticket (reference, order_id, order_line_id, ticket_type_id, event_id,"
        " status, first_name, last_name, email, phone, version, is_deprecated, created_at,"
        " updated_at) VALUES ('abcdefgh', 1, 1, 1, 1, 3, '', '', '', '', 1, 0, ?, ?)",
        (now, now),
    )
    db.execute_sql(
        "INSERT INTO check_in (ticket_id, direction, at, gate, device, result)"
        " VALUES (1, 'in', ?, 'A', 'd', 'ok')",
        (now,),
    )


def test_upgrading_an_old_database_keeps_its_check_ins(tmp_path):
    """0003 rebuilds check_in on SQLite (ticket becomes nullable): rows must survive."""
    from playhouse.migrations import Runner

    from tp_api.db import connect
    from tp_api.migrations import MIGRATIONS_DIR

    db = connect(f"sqlite:///{tmp_path}/old.sqlite3", max_connections=2)
    runner = Runner(db, directory=MIGRATIONS_DIR)
    with db.connection_context():
        runner.up("0002_shops")
        _rows_of_a_0002_database(db)
        assert migrations.upgrade(db) == [
            "0003_checkin",
            "0004_checkin_nonce_per_scanner",
            "0005_admin_api",
            "0006_order_line_by_type",
            "0007_webhooks",
            "0008_outbox_pending_index",
            "0009_staff_users",
            "0010_shop_order_needs_refund",
            "0011_order_hold_expiry",
            "0012_order_number",
            "0013_webhook_delivery_number",
            "0014_shop_partner_key",
            "0015_audit_trail",
            "0016_scanner_pairing",
            "0017_staff_roles",
            "0018_order_customer_index",
            "0019_staff_two_factor",
            "0020_order_search",
            "0021_check_in_by_hand",
            "0022_waiting_room",
            "0023_fraud_scoring",
            "0024_affiliates",
            "0025_oauth_and_allowlists",
            "0026_sandbox",
            "0027_questions",
            "0028_reminders",
            "0029_door_opening_and_gate",
            "0030_sync_run_by_shop_and_kind",
        ]
        row = db.execute_sql("SELECT ticket_id, gate, result, conflict FROM check_in").fetchall()
        assert row == [(1, "A", "ok", 0)]
        # 0005: events made before the admin API are published and keep selling.
        event = db.execute_sql("SELECT lifecycle, slug, updated_at FROM event").fetchall()
        assert event[0][0] == "published" and event[0][1] is None and event[0][2] is not None
        sale_rules = db.execute_sql("SELECT min_per_order, hidden FROM ticket_type").fetchall()
        assert sale_rules == [(1, 0)]
        # 0011: a paid order holds nothing that could lapse.
        holds = db.execute_sql('SELECT hold_expires_at FROM "order"').fetchall()
        assert holds == [(None,)]
        # 0012: an order from before order numbers keeps its row id as its number, so its
        # reference and the tp_order_id a shop stored for it go on naming it.
        numbers = db.execute_sql('SELECT id, number FROM "order"').fetchall()
        assert numbers == [(1, 1)]
    db.close_all()


def test_0012_rewrites_recorded_refund_lines_from_row_ids_to_line_numbers(db, factory):
    """Refunds recorded before 0012 named lines by row id; afterwards by place in the order."""
    import importlib
    import json

    from tests.factories import order_body
    from tp_api.models import OrderLine, Refund
    from tp_api.services.orders import refunds
    from tp_api.services.orders import submit as orders
    from tp_api.services.orders.order_input import parse_partner_order

    seller = factory.seller()
    event = factory.event(seller, stock=50, ticket_stock=50)
    ticket_type = factory.ticket_type(event)
    made = []
    for wp in ("wc_1", "wc_2"):
        body = order_body(ticket_type.id, quantity=3, wp_order_id=wp)
        body["order_lines"].append({**body["order_lines"][0], "quantity": 2})
        made.append(orders.submit_order(seller.id, parse_partner_order(body)))
    second = made[1]
    refunds.refund_order(seller.id, second.number, refunds.RefundRequest(line_numbers={2: 1}))
    row_ids = [
        line.id
        for line in OrderLine.select()
        .where(OrderLine.order == second.order_id)
        .order_by(OrderLine.id)
    ]
    assert row_ids[1] > 2  # the first order's lines come first: row id and place differ
    refund = Refund.get(Refund.order == second.order_id)
    assert json.loads(refund.lines)[0]["lineId"] == 2
    # As a refund recorded before the migration looked:
    old = [{"lineId": row_ids[1], "quantity": 1, "amount": 2995}]
    Refund.update(lines=json.dumps(old)).where(Refund.id == refund.id).execute()

    migration = importlib.import_module("tp_api.migrations.0012_order_number")
    migration._number_refund_lines(db)

    assert json.loads(Refund.get_by_id(refund.id).lines) == [
        {"lineId": 2, "quantity": 1, "amount": 2995}
    ]
