"""The audit trail: who changed what, when, with the values before and after."""

import peewee as pw


def _frozen_models(db):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Account(Base):
        class Meta:
            table_name = "account"

    class AuditEntry(Base):
        account = pw.ForeignKeyField(Account, on_delete="CASCADE")
        at = pw.DateTimeField()
        actor_kind = pw.CharField(max_length=16)
        actor_id = pw.BigIntegerField(null=True)
        actor_label = pw.CharField(max_length=254)
        action = pw.CharField(max_length=50)
        subject_type = pw.CharField(max_length=30)
        subject_id = pw.BigIntegerField(null=True)
        subject_label = pw.CharField(max_length=300, default="")
        changes = pw.TextField(default="{}")

        class Meta:
            indexes = (
                (("account", "id"), False),
                (("account", "subject_type", "subject_id"), False),
            )

    return [AuditEntry]


def up(migrator, db):
    db.create_tables(_frozen_models(db))


def down(migrator, db):
    db.drop_tables(_frozen_models(db))
