"""Outgoing webhooks: events raised in the change's transaction, endpoints, delivery, signing."""
