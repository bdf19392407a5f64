"""What WooCommerce's REST API sends and expects, as plain functions: its responses and
errors, its times, and the bodies of stock batches (WooClient uses them)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import requests

from bridge.adapters.base import ShopError, StockUpdate, concerns_one_item

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def parse_response(response: requests.Response, method: str, path: str) -> Any:
    status = response.status_code
    is_json = "json" in response.headers.get("Content-Type", "")
    body: Any = None
    if is_json:
        try:
            body = response.json()
        except ValueError:
            is_json = False
    if 200 <= status < 300 and status != 202 and is_json:
        return body
    if 200 <= status < 300:
        # SiteGround answers 202 text/html with a captcha; proxies answer HTML pages.
        raise ShopError(
            f"{method} {path}: HTTP {status} without JSON (captcha or proxy page?)",
            status=status,
            retryable=True,
        )
    if 300 <= status < 400:
        location = (response.headers.get("Location") or "").split("?", 1)[0]
        raise ShopError(
            f"{method} {path}: redirected to {location}; check the shop URL (https, www)",
            status=status,
        )
    code, message = "", response.reason or ""
    if isinstance(body, dict):
        code, message = str(body.get("code", "")), str(body.get("message", message))
    raise ShopError(
        f"{method} {path}: HTTP {status} {code} {message}".strip(),
        status=status,
        code=code,
        retryable=status in RETRY_STATUSES,
    )


def woo_time(value: datetime) -> str:
    """UTC without a suffix: WooCommerce shifts a value with ``Z`` by the site's offset."""
    return value.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat()


def parse_woo_time(value: Any) -> datetime | None:
    """A ``*_gmt`` field (``2017-03-22T19:28:08``) -> aware UTC datetime."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def as_list(value: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ShopError(f"{what}: expected a JSON list of objects", retryable=True)
    return value


def as_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ShopError(f"{what}: expected a JSON object", retryable=True)
    return value


def stock_groups(items: list[tuple[int, int]]) -> dict[int | None, set[int]]:
    """Simple products under None, variations under their parent: one route each."""
    groups: dict[int | None, set[int]] = {}
    for product_id, variation_id in items:
        if variation_id:
            groups.setdefault(product_id, set()).add(variation_id)
        else:
            groups.setdefault(None, set()).add(product_id)
    return groups


def stock_key(parent: int | None, item_id: int) -> tuple[int, int]:
    return (item_id, 0) if parent is None else (parent, item_id)


def stock_body(chunk: list[StockUpdate]) -> dict[str, Any]:
    return {
        "update": [
            {
                "id": u.variation_id or u.product_id,
                "manage_stock": True,
                "stock_quantity": max(0, u.quantity),
                "backorders": "no",
            }
            for u in chunk
        ]
    }


def fail_all(
    failed: dict[tuple[int, int], str], keys: list[tuple[int, int]], error: ShopError
) -> None:
    """Record ``error`` for every item of a refused call, or re-raise it when it is about the
    shop as a whole (down, credentials refused): then the run stops."""
    if not concerns_one_item(error):
        raise error
    for key in keys:
        failed[key] = str(error)


def managed_quantity(product: dict[str, Any]) -> int | None:
    if product.get("manage_stock") is True and isinstance(product.get("stock_quantity"), int):
        return int(product["stock_quantity"])
    return None


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def pad(items: list[Any], length: int) -> list[Any]:
    return (list(items) + [None] * length)[:length]
