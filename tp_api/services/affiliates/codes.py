"""Affiliate codes, link codes and commission rates: how they are written and checked.

An affiliate's code is what a customer types as a coupon and what the shop's page passes on
as ``tp_affiliate``; WooCommerce stores coupon codes in lower case, so codes are compared
and stored in lower case. A link's code is the ``<code>`` of ``/r/<code>``, unique over the
whole service (the redirect knows no account).
"""

from __future__ import annotations

import re
import secrets
from decimal import Decimal, InvalidOperation

from tp_api.services.errors import InvalidInput

# No look-alike characters (0/o, 1/l/i): a code is read out and typed by people.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
AFFILIATE_CODE_LENGTH = 8
LINK_CODE_LENGTH = 10
CODE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{2,39}")
LINK_CODE_PATTERN = re.compile(r"[a-z0-9]{1,16}")
# The longest code an order may name (a longer one is no code of ours, and is refused).
MAX_ORDER_CODE = 100
MAX_RATE_BPS = 10_000  # 100 %


def new_affiliate_code() -> str:
    """A random code such as ``k7mq2xva``."""
    return "".join(secrets.choice(ALPHABET) for _ in range(AFFILIATE_CODE_LENGTH))


def new_link_code() -> str:
    """A random link code such as ``p3xk9tqa2m`` (31^10: a guess names a link about once in
    a billion tries even with a million links)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LINK_CODE_LENGTH))


def normalise(code: str) -> str:
    """How a code is compared and stored: trimmed, in lower case."""
    return code.strip().lower()


def checked_code(code: str) -> str:
    """A code a seller chose, normalised; InvalidInput unless it is 3 to 40 letters, digits,
    hyphens or underscores, starting with a letter or digit."""
    normal = normalise(code)
    if not CODE_PATTERN.fullmatch(normal):
        raise InvalidInput(
            "An affiliate code is 3 to 40 letters, digits, hyphens or underscores, "
            "starting with a letter or digit",
            code="affiliate_code_invalid",
        )
    return normal


def rate_bps(percent: str | float | int | Decimal) -> int:
    """A commission rate in per cent (``12.5``) as basis points (``1250``); InvalidInput
    unless it is from 0 to 100 with at most two decimals."""
    try:
        value = Decimal(str(percent).strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not 0 <= value <= 100 or (value * 100) % 1 != 0:
        raise InvalidInput(
            "The commission rate is a percentage from 0 to 100, with at most two decimals",
            code="affiliate_rate_invalid",
        )
    return int(value * 100)


def percent(bps: int) -> float:
    """Basis points as the per cent the API shows: ``1250`` -> ``12.5``."""
    return bps / 100
