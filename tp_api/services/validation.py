"""Small parsers for untrusted JSON values. Each raises InvalidInput with a clear message."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from tp_api.schemas.text_rules import email_problem, text_problem
from tp_api.services.errors import InvalidInput, Said

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
        raise InvalidInput(Said("{label} must be a string", label=name))
    text = str(value).strip()
    if len(text) > max_len:
        raise InvalidInput(
            Said("{label} is longer than {max_len} characters", label=name, max_len=max_len)
        )
    return clean_text(text, name, multiline=multiline)


def clean_text(text: str, name: str, *, multiline: bool = False) -> str:
    """Refuse control characters (CR/LF unless ``multiline``), bidi controls and lone
    surrogates: they break e-mail headers, spoof PDF tickets, or no database stores them."""
    if "\x00" in text:
        raise InvalidInput(Said("{label} contains a NUL character", label=name))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(Said("{label} is not valid Unicode text", label=name)) from None
    problem = text_problem(text, multiline=multiline)
    if problem:
        raise InvalidInput(_text_refusal(name, problem))
    return text


def _text_refusal(label: str, problem: str) -> Said:
    """The refusal for text_problem's ``problem`` with ``label``: one whole sentence per
    problem, so another language can word each of them."""
    if problem == "must not contain control characters":
        return Said("{label} must not contain control characters", label=label)
    if problem == "must not contain bidirectional control characters":
        return Said("{label} must not contain bidirectional control characters", label=label)
    if problem == "must be valid Unicode text":
        return Said("{label} must be valid Unicode text", label=label)
    return Said("{label} {problem}", label=label, problem=problem)


def email_address(text: str, name: str) -> str:
    """One e-mail address we may send to (syntax only, no DNS), or InvalidInput."""
    if email_problem(text):
        raise InvalidInput(Said("{label} is not an e-mail address", label=name))
    return text


def required_str(data: dict[str, Any], field: str, *, max_len: int, label: str = "") -> str:
    """Like optional_str, but missing or empty is an error."""
    text = optional_str(data, field, max_len=max_len, label=label)
    if not text:
        raise InvalidInput(Said("{label} is required", label=label or field))
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
        raise InvalidInput(Said("{label} must be an integer", label=name))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        value = int(value.strip())
    if not isinstance(value, int):
        raise InvalidInput(Said("{label} must be an integer", label=name))
    if value < minimum or value > maximum:
        raise InvalidInput(
            Said(
                "{label} must be between {minimum} and {maximum}",
                label=name,
                minimum=minimum,
                maximum=maximum,
            )
        )
    return value


def to_cents(value: Any, name: str, *, allow_negative: bool = False) -> int:
    """A money amount (number or numeric string, e.g. ``29.95``) -> integer cents."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidInput(Said("{label} must be a number", label=name))
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(Said("{label} must be a number", label=name)) from None
    if not amount.is_finite():
        raise InvalidInput(Said("{label} must be a finite number", label=name))
    # Compare the exponent first: "1e999999" would overflow any arithmetic on it.
    if amount.adjusted() > 12 or abs(amount) * 100 > MAX_CENTS:
        raise InvalidInput(Said("{label} is out of range", label=name))
    cents = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if cents < 0 and not allow_negative:
        raise InvalidInput(Said("{label} is out of range", label=name))
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
        raise InvalidInput(Said("{label} must be an ISO 8601 date string", label=field))
    try:
        parsed = datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidInput(Said("{label} must be an ISO 8601 date string", label=field)) from None


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
    raise InvalidInput(Said("{label} must be true or false", label=field))


def require_object(value: Any, name: str) -> dict[str, Any]:
    """A JSON object, or InvalidInput."""
    if not isinstance(value, dict):
        raise InvalidInput(Said("{label} must be an object", label=name))
    return value
