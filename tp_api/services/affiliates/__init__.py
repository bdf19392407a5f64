"""Affiliates (seed 000, TicketWave): registered affiliates, their tracking links, orders
attributed to them in the order's own transaction, and their earnings (docs/affiliates.md)."""
