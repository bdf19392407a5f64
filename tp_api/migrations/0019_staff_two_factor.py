"""Optional two-factor sign-in for console users: a TOTP secret (encrypted), the hashes of
their unused recovery codes, and the last time step used (a code works once)."""

import peewee as pw


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("staff_user", "totp_secret_enc", pw.TextField(null=True)),
        migrator.add_column("staff_user", "totp_recovery", pw.TextField(default="[]")),
        migrator.add_column("staff_user", "totp_last_step", pw.BigIntegerField(null=True)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("staff_user", "totp_secret_enc"),
        migrator.drop_column("staff_user", "totp_recovery"),
        migrator.drop_column("staff_user", "totp_last_step"),
    )
