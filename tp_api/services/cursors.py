"""Opaque cursors for keyset pagination: stable while rows are inserted or deleted."""

from __future__ import annotations

import base64
import json
from typing import Any

from tp_api.services.errors import InvalidInput

# Ids never exceed this; a larger number would overflow the database driver.
MAX_INT = 2**53


def encode_cursor(*key: Any) -> str:
    """The cursor pointing after the row whose sort key is ``key``."""
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *types: type) -> tuple[Any, ...] | None:
    """The sort key a cursor carries, checked against the expected types; None for none."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        key = None
    if (
        not isinstance(key, list)
        or len(key) != len(types)
        or not all(type(v) is t for v, t in zip(key, types, strict=True))
        or any(isinstance(v, int) and not 0 <= v <= MAX_INT for v in key)
        or any(isinstance(v, str) and len(v) > 400 for v in key)
    ):
        raise InvalidInput("cursor is not a cursor this list returned", code="invalid_cursor")
    return tuple(key)
