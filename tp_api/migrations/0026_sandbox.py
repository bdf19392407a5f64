"""Test mode (seed 002): an account may have one sandbox account, where everything its
test-mode credentials create lives, apart from the live account's data."""

import peewee as pw


def _account(db):
    class Account(pw.Model):
        class Meta:
            database = db
            table_name = "account"

    return Account


def up(migrator, db):
    Account = _account(db)
    migrator.migrate(
        migrator.add_column(
            "account",
            "sandbox_of_id",
            pw.ForeignKeyField(
                Account, field=Account.id, null=True, on_delete="CASCADE", unique=True
            ),
        ),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column("account", "sandbox_of_id"))
