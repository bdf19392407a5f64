"""Affiliates: the affiliates of each account, their tracking links (one per affiliate and
event, with a service-wide unique code and a click counter), and the attribution of orders
to them (one row per order that named an affiliate code, with the rate of that moment).

New tables only: nothing existing is altered.
"""

import peewee as pw


def _frozen_models(db):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Account(Base):
        class Meta:
            table_name = "account"

    class Event(Base):
        class Meta:
            table_name = "event"

    class Order(Base):
        class Meta:
            table_name = "order"

    class Affiliate(Base):
        account = pw.ForeignKeyField(Account, on_delete="CASCADE")
        name = pw.CharField(max_length=200)
        email = pw.CharField(max_length=254, default="")
        code = pw.CharField(max_length=40)
        rate_bps = pw.IntegerField()
        enabled = pw.BooleanField(default=True)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            indexes = ((("account", "code"), True),)

    class AffiliateLink(Base):
        affiliate = pw.ForeignKeyField(Affiliate, on_delete="CASCADE")
        event = pw.ForeignKeyField(Event, on_delete="CASCADE")
        code = pw.CharField(max_length=16, unique=True)
        landing_url = pw.CharField(max_length=2000, default="")
        clicks = pw.BigIntegerField(default=0)
        created_at = pw.DateTimeField()

        class Meta:
            indexes = ((("affiliate", "event"), True),)

    class AffiliateOrder(Base):
        order = pw.ForeignKeyField(Order, unique=True, on_delete="CASCADE")
        account = pw.ForeignKeyField(Account, on_delete="CASCADE")
        affiliate = pw.ForeignKeyField(Affiliate, null=True, on_delete="SET NULL")
        event = pw.ForeignKeyField(Event, null=True, on_delete="SET NULL")
        code = pw.CharField(max_length=100)
        source = pw.CharField(max_length=10)
        rate_bps = pw.IntegerField(default=0)
        created_at = pw.DateTimeField()

        class Meta:
            indexes = (
                (("affiliate", "event"), False),
                (("account", "affiliate"), False),
            )

    return [Affiliate, AffiliateLink, AffiliateOrder]


def up(migrator, db):
    db.create_tables(_frozen_models(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_frozen_models(db))))
