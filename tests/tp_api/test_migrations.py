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
    assert ("reference",) in unique_sets("ticket")
    assert ("key_hash",) in unique_sets("partner_key")
    assert ("dedupe_key",) in unique_sets("outbox_entry")


def test_upgrade_is_idempotent_and_keeps_data(db, factory):
    seller = factory.seller()
    assert migrations.pending(db) == []
    assert migrations.upgrade(db) == []
    from tp_api.models import Account

    assert Account.get_by_id(seller.id).name == seller.account.name
