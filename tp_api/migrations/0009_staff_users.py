"""Staff users of the seller's console, and the sign-in throttle."""

import peewee as pw


def _frozen_models(db):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Account(Base):
        class Meta:
            table_name = "account"

    class StaffUser(Base):
        account = pw.ForeignKeyField(Account, on_delete="CASCADE")
        email = pw.CharField(max_length=254, unique=True)
        name = pw.CharField(max_length=200, default="")
        password_hash = pw.CharField(max_length=200)
        session_key = pw.CharField(max_length=64)
        last_login_at = pw.DateTimeField(null=True)
        disabled = pw.BooleanField(default=False)
        created_at = pw.DateTimeField()

    class SignInThrottle(Base):
        key = pw.CharField(max_length=64, unique=True)
        failures = pw.IntegerField(default=0)
        locked_until = pw.DateTimeField(null=True)
        updated_at = pw.DateTimeField(index=True)

    return StaffUser, SignInThrottle


def up(migrator, db):
    db.create_tables(_frozen_models(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_frozen_models(db))))
