"""Outgoing webhooks: endpoints, events, deliveries and their attempts."""

import peewee as pw


def _frozen_models(db):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Account(Base):
        class Meta:
            table_name = "account"

    class WebhookEndpoint(Base):
        account = pw.ForeignKeyField(Account, on_delete="CASCADE")
        url = pw.CharField(max_length=2000)
        description = pw.CharField(max_length=200, default="")
        event_types = pw.TextField()
        enabled = pw.BooleanField(default=True)
        secret_sealed = pw.TextField()
        previous_secret_sealed = pw.TextField(null=True)
        previous_secret_expires_at = pw.DateTimeField(null=True)
        failed_deliveries_in_a_row = pw.IntegerField(default=0)
        disabled_reason = pw.CharField(max_length=500, null=True)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

    class WebhookEvent(Base):
        account = pw.ForeignKeyField(Account, on_delete="CASCADE")
        public_id = pw.CharField(max_length=40, unique=True)
        event_type = pw.CharField(max_length=50)
        body = pw.TextField()
        created_at = pw.DateTimeField()

    class WebhookDelivery(Base):
        endpoint = pw.ForeignKeyField(WebhookEndpoint, on_delete="CASCADE")
        event = pw.ForeignKeyField(WebhookEvent, on_delete="CASCADE")
        status = pw.CharField(max_length=20, default="pending")
        attempts = pw.IntegerField(default=0)
        next_attempt_at = pw.DateTimeField(null=True)
        last_attempt_at = pw.DateTimeField(null=True)
        finished_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()
        window_started_at = pw.DateTimeField()
        window_first_attempt = pw.IntegerField(default=1)

        class Meta:
            indexes = ((("endpoint", "event"), True), (("endpoint", "id"), False))

    class WebhookAttempt(Base):
        delivery = pw.ForeignKeyField(WebhookDelivery, on_delete="CASCADE")
        number = pw.IntegerField()
        attempted_at = pw.DateTimeField()
        status_code = pw.IntegerField(null=True)
        duration_ms = pw.IntegerField()
        response_excerpt = pw.TextField(default="")
        error = pw.TextField(null=True)

    return WebhookEndpoint, WebhookEvent, WebhookDelivery, WebhookAttempt


def up(migrator, db):
    db.create_tables(_frozen_models(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_frozen_models(db))))
