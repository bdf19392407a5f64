"""An index of sync runs by shop, kind and start, for the daemons' "did any daemon start this
job of the shop within its interval?" (sync.daemon.started_within), asked before every
scheduled run.

Runs are kept (the console shows them), two kinds every interval per shop: some 5,000 a day
at the shortest interval. Without this index the question read every run of the shop; with
it, one short range. A new index: safe while the previous release serves (upgrades.md).
"""


def up(migrator, db):
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "sync_run_shop_kind_started" ON "sync_run" '
        '("shop_id", "kind", "started_at")'
    )


def down(migrator, db):
    db.execute_sql('DROP INDEX IF EXISTS "sync_run_shop_kind_started"')
