"""Unguessable references for tickets."""

from __future__ import annotations

import secrets

# No look-alike characters (0/o, 1/l/i): references are read aloud and typed at the door.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TICKET_REFERENCE_LENGTH = 16  # 31**16 ~ 2**79: not enumerable


def new_ticket_reference() -> str:
    """A fresh random ticket reference, e.g. ``k7m2q9xwe4tz8hbn``."""
    return "".join(secrets.choice(ALPHABET) for _ in range(TICKET_REFERENCE_LENGTH))
