"""The initial schema. Frozen: later changes go in new numbered migrations, never here."""

import peewee as pw


def _frozen_models(db):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Account(Base):
        name = pw.CharField(max_length=200, unique=True)
        created_at = pw.DateTimeField()

    class PartnerKey(Base):
        account = pw.ForeignKeyField(Account, on_delete="CASCADE")
        label = pw.CharField(max_length=200, default="")
        prefix = pw.CharField(max_length=16, index=True)
        key_hash = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()
        last_used_at = pw.DateTimeField(null=True)
        revoked_at = pw.DateTimeField(null=True)

    class AuthFailure(Base):
        client = pw.CharField(max_length=64, unique=True)
        failures = pw.IntegerField(default=0)
        window_started_at = pw.DateTimeField()
        blocked_until = pw.DateTimeField(null=True)

    class Event(Base):
        account = pw.ForeignKeyField(Account, on_delete="CASCADE")
        parent = pw.ForeignKeyField("self", null=True, on_delete="CASCADE")
        name = pw.CharField(max_length=300)
        city = pw.CharField(max_length=200, default="")
        location = pw.CharField(max_length=300, default="")
        start_date = pw.DateTimeField(null=True)
        end_date = pw.DateTimeField(null=True)
        timezone = pw.CharField(max_length=64, default="UTC")
        price_cents = pw.BigIntegerField(default=0)
        stock = pw.IntegerField(default=0)
        sold = pw.IntegerField(default=0)
        reserved = pw.IntegerField(default=0)
        status = pw.SmallIntegerField(default=1)
        featured = pw.BooleanField(default=False)
        thumbnail = pw.CharField(max_length=500, null=True)
        password = pw.CharField(max_length=200, null=True)
        event_params = pw.TextField(default="{}")
        manage_price_per_ticket = pw.BooleanField(default=True)
        manage_stock_per_ticket = pw.BooleanField(default=True)
        deleted_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()

    class TicketType(Base):
        event = pw.ForeignKeyField(Event, on_delete="CASCADE")
        name = pw.CharField(max_length=300)
        price_cents = pw.BigIntegerField(default=0)
        stock = pw.IntegerField(default=0)
        sold = pw.IntegerField(default=0)
        reserved = pw.IntegerField(default=0)
        status = pw.SmallIntegerField(default=1)
        date = pw.DateTimeField(null=True)
        enabled = pw.BooleanField(default=True)
        created_at = pw.DateTimeField()

    class Order(Base):
        account = pw.ForeignKeyField(Account, on_delete="CASCADE")
        wp_order_id = pw.CharField(max_length=100, null=True)
        wp_user_id = pw.BigIntegerField(null=True, index=True)
        status = pw.CharField(max_length=20, default="pending")
        payment_method = pw.CharField(max_length=100, default="")
        payment_method_title = pw.CharField(max_length=200, default="")
        currency = pw.CharField(max_length=3, default="EUR")
        total_cents = pw.BigIntegerField(default=0)
        billing_first_name = pw.CharField(max_length=200, default="")
        billing_last_name = pw.CharField(max_length=200, default="")
        billing_address = pw.CharField(max_length=300, default="")
        billing_city = pw.CharField(max_length=200, default="")
        billing_postal_code = pw.CharField(max_length=40, default="")
        billing_country = pw.CharField(max_length=2, default="")
        billing_email = pw.CharField(max_length=254, default="")
        billing_phone = pw.CharField(max_length=50, default="")
        locale = pw.CharField(max_length=20, default="")
        my_tickets_url = pw.CharField(max_length=2000, default="")
        ip_address = pw.CharField(max_length=45, default="")
        date_created = pw.DateTimeField(null=True)
        date_paid = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            indexes = ((("account", "wp_order_id"), True),)

    class OrderLine(Base):
        order = pw.ForeignKeyField(Order, on_delete="CASCADE")
        line_type = pw.CharField(max_length=20)
        order_item_type = pw.CharField(max_length=50)
        name = pw.CharField(max_length=300)
        product_id = pw.BigIntegerField(null=True)
        ticket_type = pw.ForeignKeyField(TicketType, null=True)
        unit_price_cents = pw.BigIntegerField(default=0)
        quantity = pw.IntegerField(default=1)

    class Ticket(Base):
        reference = pw.CharField(max_length=32, unique=True)
        order = pw.ForeignKeyField(Order, on_delete="CASCADE")
        order_line = pw.ForeignKeyField(OrderLine, on_delete="CASCADE")
        ticket_type = pw.ForeignKeyField(TicketType)
        event = pw.ForeignKeyField(Event)
        status = pw.SmallIntegerField(default=1)
        first_name = pw.CharField(max_length=200, default="")
        last_name = pw.CharField(max_length=200, default="")
        email = pw.CharField(max_length=254, default="")
        phone = pw.CharField(max_length=50, default="")
        version = pw.IntegerField(default=1)
        is_deprecated = pw.BooleanField(default=False)
        personalised_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

    class CheckIn(Base):
        ticket = pw.ForeignKeyField(Ticket, on_delete="CASCADE")
        direction = pw.CharField(max_length=3, default="in")
        at = pw.DateTimeField()
        gate = pw.CharField(max_length=100, default="")
        device = pw.CharField(max_length=100, default="")
        result = pw.CharField(max_length=30)
        nonce = pw.CharField(max_length=64, null=True, unique=True)

    class OutboxEntry(Base):
        account = pw.ForeignKeyField(Account, null=True, on_delete="CASCADE")
        kind = pw.CharField(max_length=50, index=True)
        payload = pw.TextField(default="{}")
        dedupe_key = pw.CharField(max_length=200, null=True, unique=True)
        not_before = pw.DateTimeField(index=True)
        attempts = pw.IntegerField(default=0)
        max_attempts = pw.IntegerField(default=12)
        locked_until = pw.DateTimeField(null=True)
        last_error = pw.TextField(null=True)
        created_at = pw.DateTimeField()
        done_at = pw.DateTimeField(null=True, index=True)
        failed_at = pw.DateTimeField(null=True)

    return [
        Account,
        PartnerKey,
        AuthFailure,
        Event,
        TicketType,
        Order,
        OrderLine,
        Ticket,
        CheckIn,
        OutboxEntry,
    ]


def up(migrator, db):
    db.create_tables(_frozen_models(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_frozen_models(db))))
