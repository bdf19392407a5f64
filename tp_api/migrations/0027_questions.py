"""The seller's questions to attendees (per event, optionally per ticket type) and each
ticket's answers.

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

    class Ticket(Base):
        class Meta:
            table_name = "ticket"

    class Question(Base):
        account = pw.ForeignKeyField(Account, on_delete="CASCADE")
        event = pw.ForeignKeyField(Event, on_delete="CASCADE")
        kind = pw.CharField(max_length=20)
        label = pw.CharField(max_length=300)
        label_nl = pw.CharField(max_length=300, default="")
        help_text = pw.CharField(max_length=500, default="")
        help_text_nl = pw.CharField(max_length=500, default="")
        required = pw.BooleanField(default=False)
        position = pw.IntegerField(default=0)
        ticket_type_ids = pw.TextField(default="[]")
        options = pw.TextField(default="[]")
        show_on_ticket = pw.BooleanField(default=False)
        archived_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            indexes = ((("event", "position"), False),)

    class TicketAnswer(Base):
        ticket = pw.ForeignKeyField(Ticket, on_delete="CASCADE")
        question = pw.ForeignKeyField(Question, on_delete="CASCADE")
        value = pw.TextField()
        updated_at = pw.DateTimeField()

        class Meta:
            indexes = ((("ticket", "question"), True),)

    return [Question, TicketAnswer]


def up(migrator, db):
    db.create_tables(_frozen_models(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_frozen_models(db))))
