"""A helper of the partner-client tests."""

from __future__ import annotations

from bridge.partner_client import Attendee


def attendee(ref: str, **changes: str) -> Attendee:
    """An attendee for ticket ``ref``: Jane Doe unless ``changes`` say otherwise."""
    fields = {
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane@example.com",
        "tel": "+31612345678",
        **changes,
    }
    return Attendee(ticket_id=ref, **fields)
