"""OAuth 2.0 clients and their access tokens; IP allowlists on partner and admin-API keys.

The keys' ``allowed_ips`` columns are added with plain ``ALTER TABLE ... ADD COLUMN`` and a
constant default: instant on PostgreSQL 11+ and on SQLite (no table rebuild).
"""

import peewee as pw

KEY_TABLES = ("partner_key", "api_key")


def _frozen_models(db):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Account(Base):
        class Meta:
            table_name = "account"

    class OAuthClient(Base):
        account = pw.ForeignKeyField(Account, on_delete="CASCADE")
        client_id = pw.CharField(max_length=64, unique=True)
        label = pw.CharField(max_length=200, default="")
        secret_hash = pw.CharField(max_length=64)
        previous_secret_hash = pw.CharField(max_length=64, null=True)
        previous_secret_expires_at = pw.DateTimeField(null=True)
        scopes = pw.CharField(max_length=500, default="")
        allowed_ips = pw.TextField(default="")
        created_at = pw.DateTimeField()
        last_used_at = pw.DateTimeField(null=True)
        revoked_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "oauth_client"

    class OAuthToken(Base):
        client = pw.ForeignKeyField(OAuthClient, on_delete="CASCADE")
        prefix = pw.CharField(max_length=16, index=True)
        token_hash = pw.CharField(max_length=64, unique=True)
        scopes = pw.CharField(max_length=500, default="")
        issued_at = pw.DateTimeField()
        expires_at = pw.DateTimeField(index=True)
        revoked_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "oauth_token"

    return OAuthClient, OAuthToken


def up(migrator, db):
    for table in KEY_TABLES:
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "allowed_ips" TEXT NOT NULL DEFAULT \'\'')
    db.create_tables(_frozen_models(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_frozen_models(db))))
    for table in KEY_TABLES:
        db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "allowed_ips"')
