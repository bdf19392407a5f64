"""The seller's own questions to attendees, and each ticket's answers."""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.accounts import Account
from tp_api.models.base import BaseModel, created_at_field
from tp_api.models.events import Event
from tp_api.models.tickets import Ticket


class QuestionKind:
    """What kind of answer a question takes (the admin API's ``type`` values)."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    CHOICE = "choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    DATE = "date"
    EMAIL = "email"
    PHONE = "phone"
    NUMBER = "number"

    ALL = (TEXT, LONG_TEXT, CHOICE, MULTIPLE_CHOICE, YES_NO, DATE, EMAIL, PHONE, NUMBER)
    WITH_OPTIONS = frozenset({CHOICE, MULTIPLE_CHOICE})


class Question(BaseModel):
    """A question of an event (asked for its dates' tickets too), for every ticket type or
    for the ones listed in ``ticket_type_ids``.

    ``options`` (JSON) is a list of ``{"value", "label", "labelNl"}``; an answer stores the
    value, so relabelling an option keeps old answers. A question with answers is archived,
    never deleted, so its answers stay readable.
    """

    account = peewee.ForeignKeyField(Account, on_delete="CASCADE")
    account_id: int  # the foreign key's column (peewee's accessor)
    event = peewee.ForeignKeyField(Event, backref="questions", on_delete="CASCADE")
    event_id: int  # the foreign key's column (peewee's accessor)
    kind = peewee.CharField(max_length=20)
    label = peewee.CharField(max_length=300)
    label_nl = peewee.CharField(max_length=300, default="")
    help_text = peewee.CharField(max_length=500, default="")
    help_text_nl = peewee.CharField(max_length=500, default="")
    required = peewee.BooleanField(default=False)
    position = peewee.IntegerField(default=0)
    # JSON list of ticket type ids; empty: every ticket type of the event and its dates.
    ticket_type_ids = peewee.TextField(default="[]")
    options = peewee.TextField(default="[]")
    show_on_ticket = peewee.BooleanField(default=False)
    archived_at = UtcDateTimeField(null=True)
    created_at = created_at_field()
    updated_at = created_at_field()

    class Meta:
        indexes = ((("event", "position"), False),)


class TicketAnswer(BaseModel):
    """One ticket's answer to one question, as text (a multiple choice as a JSON list)."""

    ticket = peewee.ForeignKeyField(Ticket, backref="answers", on_delete="CASCADE")
    ticket_id: int  # the foreign key's column (peewee's accessor)
    question = peewee.ForeignKeyField(Question, backref="answers", on_delete="CASCADE")
    question_id: int  # the foreign key's column (peewee's accessor)
    value = peewee.TextField()
    updated_at = created_at_field()

    class Meta:
        indexes = ((("ticket", "question"), True),)
