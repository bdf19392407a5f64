"""The waiting room: an event's settings, its line (when the database keeps it), how far
its notices went, and the orders placed through it."""

import peewee as pw


def _frozen_models(db):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Event(Base):
        class Meta:
            table_name = "event"

    class Order(Base):
        class Meta:
            table_name = "order"

    class WaitingRoom(Base):
        event = pw.ForeignKeyField(Event, unique=True, on_delete="CASCADE")
        enabled = pw.BooleanField(default=False)
        rate_per_minute = pw.IntegerField(default=100)
        starts_at = pw.DateTimeField()
        return_url = pw.CharField(max_length=2000, default="")
        ticket_type_ids = pw.TextField(default="")
        updated_at = pw.DateTimeField()

    return [WaitingRoom, *_line_models(Base, Event, Order)]


def _line_models(Base, Event, Order):
    class QueuePlace(Base):
        event = pw.ForeignKeyField(Event, on_delete="CASCADE")
        seq = pw.IntegerField()
        customer_ref = pw.CharField(max_length=200)
        items = pw.TextField()
        joined_at = pw.DateTimeField()
        admit_at = pw.DateTimeField()
        order_marker = pw.CharField(max_length=64, null=True)

        class Meta:
            indexes = (
                (("event", "seq"), True),
                (("event", "customer_ref"), False),
                (("event", "admit_at", "seq"), False),
            )

    class QueueTail(Base):
        event = pw.ForeignKeyField(Event, unique=True, on_delete="CASCADE")
        last_seq = pw.IntegerField(default=0)
        minute = pw.IntegerField(default=-1)
        admitted_in_minute = pw.IntegerField(default=0)
        last_turn = pw.DateTimeField(null=True)

    class QueueNoticeMark(Base):
        event = pw.ForeignKeyField(Event, on_delete="CASCADE")
        kind = pw.CharField(max_length=20)
        through_seq = pw.IntegerField(default=0)

        class Meta:
            indexes = ((("event", "kind"), True),)

    class QueueOrder(Base):
        order = pw.ForeignKeyField(Order, unique=True, on_delete="CASCADE")
        event = pw.ForeignKeyField(Event, on_delete="CASCADE")
        seq = pw.IntegerField()
        created_at = pw.DateTimeField()

        class Meta:
            indexes = ((("event", "seq"), True),)

    return [QueuePlace, QueueTail, QueueNoticeMark, QueueOrder]


def up(migrator, db):
    db.create_tables(_frozen_models(db))


def down(migrator, db):
    db.drop_tables(_frozen_models(db))
