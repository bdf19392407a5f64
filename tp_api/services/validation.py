"""Small parsers for untrusted JSON values. Each raises InvalidInput with a clear message."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from tp_api.schemas.text_rules import email_problem, text_problem
from tp_api.services.errors import InvalidInput

_INTEGER = re.compile(r"-?[0-9]{1,18}")
MAX_CENTS = 10**12  # ten billion in any currency: far above any real ticket order


def optional_str(
    data: dict[str, Any], field: str, *, max_len: int, label: str = "", multiline: bool = False
) -> str:
    """A string field (numbers are accepted and turned into text); missing -> ``""``.

    Control and bidi characters are refused (see tp_api.schemas.text_rules); only
    ``multiline`` text may hold line breaks."""
    value = data.get(field)
    name = label or field
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidInput(f"{name} must be a string")
    text = str(value).strip()
    if len(text) > max_len:
        raise InvalidInput(f"{name} is longer than {max_len} characters")
    return clean_text(text, name, multiline=multiline)


def clean_text(text: str, name: str, *, multiline: bool = False) -> str:
    """Refuse control characters (CR/LF unless ``multiline``), bidi controls and lone
    surrogates: they break e-mail headers, spoof PDF tickets, or no database stores them."""
    if "\x00" in text:
        raise InvalidInput(f"{name} contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{name} is not valid Unicode text") from None
    problem = text_problem(text, multiline=multiline)
    if problem:
        raise InvalidInput(f"{name} {problem}")
    return text


def email_address(text: str, name: str) -> str:
    """One e-mail address we may send to (syntax only, no DNS), or InvalidInput."""
    if email_problem(text):
        raise InvalidInput(f"{name} is not an e-mail address")
    return text


def required_str(data: dict[str, Any], field: str, *, max_len: int, label: str = "") -> str:
    """Like optional_str, but missing or empty is an error."""
    text = optional_str(data, field, max_len=max_len, label=label)
    if not text:
        raise InvalidInput(f"{label or field} is required")
    return text


def optional_int(
    data: dict[str, Any], field: str, *, minimum: int = 0, maximum: int = 2**53, label: str = ""
) -> int | None:
    """An integer field; digit strings are accepted (PHP clients send them)."""
    value = data.get(field)
    name = label or field
    if value is None or value == "":
        return None
    return to_int(value, name, minimum=minimum, maximum=maximum)


def to_int(value: Any, name: str, *, minimum: int = 0, maximum: int = 2**53) -> int:
    """Parse an integer (or a string of digits) within bounds."""
    if isinstance(value, bool):
        raise InvalidInput(f"{name} must be an integer")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        value = int(value.strip())
    if not isinstance(value, int):
        raise InvalidInput(f"{name} must be an integer")
    if value < minimum or value > maximum:
        raise InvalidInput(f"{name} must be between {minimum} and {maximum}")
    return value


def to_cents(value: Any, name: str, *, allow_negative: bool = False) -> int:
    """A money amount (number or numeric string, e.g. ``29.95``) -> integer cents."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidInput(f"{name} must be a number")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(f"{name} must be a number") from None
    if not amount.is_finite():
        raise InvalidInput(f"{name} must be a finite number")
    # Compare the exponent first: "1e999999" would overflow any arithmetic on it.
    if amount.adjusted() > 12 or abs(amount) * 100 > MAX_CENTS:
        raise InvalidInput(f"{name} is out of range")
    cents = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if cents < 0 and not allow_negative:
        raise InvalidInput(f"{name} is out of range")
    return cents


def optional_cents(data: dict[str, Any], field: str, *, allow_negative: bool = False) -> int | None:
    """A money field that may be missing."""
    value = data.get(field)
    if value is None or value == "":
        return None
    return to_cents(value, field, allow_negative=allow_negative)


def optional_datetime(data: dict[str, Any], field: str) -> datetime | None:
    """An ISO 8601 timestamp; one without an offset is taken as UTC."""
    value = data.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise InvalidInput(f"{field} must be an ISO 8601 date string")
    try:
        parsed = datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidInput(f"{field} must be an ISO 8601 date string") from None


def optional_timestamp(data: dict[str, Any], field: str) -> datetime | None:
    """A Unix timestamp (seconds) -> aware UTC datetime."""
    value = data.get(field)
    if value is None:
        return None
    seconds = to_int(value, field, minimum=0, maximum=253402300799)
    return datetime.fromtimestamp(seconds, UTC)


def optional_bool(data: dict[str, Any], field: str, *, default: bool) -> bool:
    """A JSON boolean (0/1 accepted)."""
    value = data.get(field)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    raise InvalidInput(f"{field} must be true or false")


def require_object(value: Any, name: str) -> dict[str, Any]:
    """A JSON object, or InvalidInput."""
    if not isinstance(value, dict):
        raise InvalidInput(f"{name} must be an object")
    return value
