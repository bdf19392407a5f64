"""A WooCommerce REST API v3 client on a ``requests.Session`` (../shared/woocommerce/FACTS.md).

What it does that a naive client gets wrong:
- orders are read keyset-style (``modified_after`` + ``orderby=modified``), re-querying from
  the last seen time instead of trusting page numbers, because pages shift while one pages;
- ``modified_after`` is sent in UTC without a suffix, with ``dates_are_gmt=true``;
- every call has a timeout; idempotent calls (GET, and absolute stock writes) are retried
  with exponential backoff and jitter on 429, 5xx and connection errors, honouring
  ``Retry-After``; nothing else is retried;
- a 2xx that is not JSON (captcha pages, proxy HTML) is an error, not an empty page;
- batch writes go in chunks of at most 100 and their per-item errors inside the 200 are read.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import requests
from requests_oauthlib import OAuth1

from bridge.adapters import woo_wire
from bridge.adapters.base import (
    ConnectionCheck,
    ShopError,
    StockRead,
    StockUpdate,
    StockWriteResult,
)
from bridge.partner_errors import retry_after_seconds

log = logging.getLogger(__name__)

PER_PAGE = 100
BATCH_LIMIT = 100


class WooClient:
    """One shop's REST API. Credentials stay inside; ``repr`` shows only the URL."""

    def __init__(
        self,
        base_url: str,
        consumer_key: str,
        consumer_secret: str,
        *,
        auth_mode: str = "basic",
        timeout: tuple[float, float] = (5.0, 30.0),
        max_attempts: int = 5,
        max_backoff_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        self.api = base_url.rstrip("/") + "/wp-json/wc/v3"
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_backoff_s = max_backoff_s
        self._sleep = sleep
        self._session = session or requests.Session()
        self._session.headers["User-Agent"] = "tp-bridge/0.1 (+sync daemon)"
        self._session.headers["Accept"] = "application/json"
        self._query_auth: dict[str, str] = {}
        self._modified_after: bool | None = None
        if auth_mode == "query":
            # For hosts that strip the Authorization header ("Consumer key is missing").
            self._query_auth = {"consumer_key": consumer_key, "consumer_secret": consumer_secret}
        elif auth_mode == "oauth1":
            # Plain HTTP: WooCommerce ignores Basic auth there and wants one-legged OAuth 1.0a
            # (no token, HMAC-SHA256, signature in the query string; the body is not signed).
            self._session.auth = OAuth1(
                consumer_key,
                consumer_secret,
                signature_method="HMAC-SHA256",
                signature_type="query",
            )
        else:
            self._session.auth = (consumer_key, consumer_secret)

    def __repr__(self) -> str:
        return f"WooClient({self.api!r})"

    # --- orders ------------------------------------------------------------------------------

    def supports_modified_after(self) -> bool:
        """Whether the store filters orders by modified time (WooCommerce 5.8 and later).

        Read once from ``OPTIONS /orders`` (the route's argument schema); a store that does
        not say is taken to support it.
        """
        if self._modified_after is None:
            try:
                schema = self._request("OPTIONS", "orders", idempotent=True)
                args = schema["endpoints"][0]["args"]
                orderby = args.get("orderby", {}).get("enum") or ["modified"]
                self._modified_after = "modified_after" in args and "modified" in orderby
            except (ShopError, KeyError, IndexError, TypeError, AttributeError):
                self._modified_after = True
        return self._modified_after

    def iter_orders_modified_since(self, since: datetime | None) -> Iterator[dict[str, Any]]:
        """Every order modified after ``since``, oldest change first, each version once.

        On a store without ``modified_after`` every order is read, in id order (new orders
        land at the end, so pages do not shift under the reader).
        """
        if not self.supports_modified_after():
            yield from self._iter_all_orders_by_id()
            return
        cursor = since
        page = 1
        # Versions already yielded, kept only for the window a later query can repeat, so
        # memory does not grow with the number of orders.
        seen: dict[tuple[int, str], datetime | None] = {}
        exclude: list[int] = []
        while True:
            batch = self._orders_page(cursor, page, exclude)
            fresh = _fresh_orders(batch, seen, cursor)
            yield from fresh
            if len(batch) < PER_PAGE:
                return
            if not fresh:
                if page > 1:
                    # Two full pages with nothing new: a store that ignores modified_after
                    # (older than WooCommerce 5.8). Stop rather than loop; the nightly
                    # reconcile reads everything.
                    return
                page += 1  # the same second may hold more than a page: look further in it
                continue
            next_cursor = _next_cursor(cursor, batch)
            if next_cursor == cursor:
                # A whole page shares one second. Offsets would skip a row when another row
                # of that second is modified meanwhile, so ask again from the same cursor,
                # leaving out the orders already read (FACTS.md §5.3).
                exclude = sorted({order_id for order_id, _ in seen})
            else:
                cursor, page, exclude = next_cursor, 1, []
                seen = {k: v for k, v in seen.items() if v is None or cursor is None or v > cursor}

    def _iter_all_orders_by_id(self) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            params = {
                "per_page": PER_PAGE,
                "orderby": "id",
                "order": "asc",
                "status": "any",
                "page": page,
            }
            batch = woo_wire.as_list(self._get("orders", params), "orders")
            yield from batch
            if len(batch) < PER_PAGE:
                return
            page += 1

    def _orders_page(
        self, cursor: datetime | None, page: int, exclude: list[int]
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {
            "per_page": PER_PAGE,
            "orderby": "modified",
            "order": "asc",
            "status": "any",
            "dates_are_gmt": "true",
            "page": page,
        }
        if cursor is not None:
            params["modified_after"] = woo_wire.woo_time(cursor)
        if exclude:
            params["exclude"] = ",".join(map(str, exclude))
        return woo_wire.as_list(self._get("orders", params), "orders")

    def get_order(self, order_id: int) -> dict[str, Any]:
        result = self._get(f"orders/{int(order_id)}", {})
        if not isinstance(result, dict):
            raise ShopError(f"order {order_id}: expected a JSON object", retryable=True)
        return result

    def get_refunds(self, order_id: int) -> list[dict[str, Any]]:
        result = self._get(f"orders/{int(order_id)}/refunds", {"per_page": PER_PAGE})
        if not isinstance(result, list):
            raise ShopError(f"refunds of order {order_id}: expected a JSON list", retryable=True)
        return result

    # --- webhooks ----------------------------------------------------------------------------

    def list_webhooks(self) -> list[dict[str, Any]]:
        """The shop's webhooks (WooCommerce disables one silently after 5 failed deliveries)."""
        return woo_wire.as_list(self._get("webhooks", {"per_page": PER_PAGE}), "webhooks")

    def activate_webhook(self, webhook_id: int) -> None:
        """Set a webhook back to active (an absolute write: safe to retry)."""
        self._request(
            "PUT", f"webhooks/{int(webhook_id)}", json={"status": "active"}, idempotent=True
        )

    def create_webhook(self, topic: str, delivery_url: str, secret: str) -> int:
        """Register a webhook with our own secret (WooCommerce's default secret derives from
        the creating user); WooCommerce pings ``delivery_url`` before it answers."""
        body = {
            "name": f"tp-bridge {topic}",
            "topic": topic,
            "delivery_url": delivery_url,
            "secret": secret,
            "status": "active",
        }
        return int(self.create("webhooks", body)["id"])

    # --- the connection ----------------------------------------------------------------------

    def check_connection(self) -> ConnectionCheck:
        """Read the store's version (``GET /system_status``), and try a write that changes
        nothing (an empty ``POST /products/batch``): a read-only key is refused with 401."""
        try:
            status = woo_wire.as_object(self._get("system_status", {}), "system status")
        except ShopError as error:
            return ConnectionCheck(None, False, False, str(error))
        environment = status.get("environment")
        version = environment.get("version") if isinstance(environment, dict) else None
        try:
            self._request("POST", "products/batch", json={}, idempotent=True)
        except ShopError as error:
            if error.status in (401, 403):
                return ConnectionCheck(version, True, False, "the key may read but not write")
            return ConnectionCheck(version, True, False, str(error))
        return ConnectionCheck(str(version) if version else None, True, True)

    # --- stock -------------------------------------------------------------------------------

    def get_stock(self, items: list[tuple[int, int]]) -> StockRead:
        """Stock of (product, variation) pairs; None where the shop does not manage stock.

        A product or variation the shop no longer lists, or a variation group whose route
        answers 404, is reported in ``failed``; the other items are still read.
        """
        stock: dict[tuple[int, int], int | None] = {}
        failed: dict[tuple[int, int], str] = {}
        for parent, ids in sorted(woo_wire.stock_groups(items).items(), key=lambda g: g[0] or 0):
            path = "products" if parent is None else f"products/{parent}/variations"
            for chunk in woo_wire.chunks(sorted(ids), PER_PAGE):
                params = {"include": ",".join(map(str, chunk)), "per_page": PER_PAGE}
                try:
                    rows = woo_wire.as_list(self._get(path, params), path)
                except ShopError as error:
                    woo_wire.fail_all(failed, [woo_wire.stock_key(parent, i) for i in chunk], error)
                    continue
                for row in rows:
                    stock[woo_wire.stock_key(parent, int(row["id"]))] = woo_wire.managed_quantity(
                        row
                    )
        for key in items:
            if key not in stock and key not in failed:
                # WooCommerce lists every status but the trash: it was deleted or trashed.
                failed[key] = "not found in the shop (deleted, or in the trash?)"
        return StockRead(stock, failed)

    def set_stock(self, updates: list[StockUpdate]) -> StockWriteResult:
        """Absolute stock writes (safe to retry), in batches of at most 100 items.

        A batch the shop refuses for its own product (404, 400) fails only its items.
        """
        written = 0
        failed: dict[tuple[int, int], str] = {}
        groups: dict[int | None, list[StockUpdate]] = {}
        for update in updates:
            groups.setdefault(update.product_id if update.variation_id else None, []).append(update)
        for parent, group in groups.items():
            path = "products/batch" if parent is None else f"products/{parent}/variations/batch"
            for chunk in woo_wire.chunks(group, BATCH_LIMIT):
                try:
                    result = self._request(
                        "POST", path, json=woo_wire.stock_body(chunk), idempotent=True
                    )
                except ShopError as error:
                    woo_wire.fail_all(
                        failed, [(u.product_id, u.variation_id) for u in chunk], error
                    )
                    continue
                items = result.get("update", []) if isinstance(result, dict) else []
                for u, item in zip(chunk, woo_wire.pad(items, len(chunk)), strict=True):
                    refusal: dict[str, Any] = (
                        (item.get("error") or {}) if isinstance(item, dict) else {}
                    )
                    if refusal or item is None:
                        message = refusal.get("message", "no result for this item")
                        code = refusal.get("code")
                        failed[(u.product_id, u.variation_id)] = (
                            f"{message} ({code})" if code else str(message)
                        )
                    else:
                        written += 1
        return StockWriteResult(written, failed)

    # --- transport ---------------------------------------------------------------------------

    def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST a new object; not retried (a second POST would make a second one)."""
        answer = self._request("POST", path, json=body, idempotent=False)
        return woo_wire.as_object(answer, path)

    def get_list(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """A JSON list of objects from ``path`` (one page)."""
        return woo_wire.as_list(self._get(path, params), path)

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        return self._request("GET", path, params=params, idempotent=True)

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotent: bool,
    ) -> Any:
        url = f"{self.api}/{path}"
        query = {**(params or {}), **self._query_auth}
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self._session.request(
                    method,
                    url,
                    params=query,
                    json=json,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except (requests.ConnectionError, requests.Timeout) as error:
                failure = ShopError(f"{method} {path}: {type(error).__name__}", retryable=True)
                delay = None
            else:
                try:
                    return woo_wire.parse_response(response, method, path)
                except ShopError as error:
                    failure = error
                    delay = retry_after_seconds(response.headers.get("Retry-After"))
            if not (idempotent and failure.retryable) or attempt == self.max_attempts:
                raise failure
            if delay is not None and delay > self.max_backoff_s:
                raise failure  # the shop asked for a longer pause than a run should wait
            wait = delay if delay is not None else self._backoff(attempt)
            log.info(
                "woocommerce %s %s failed (%s); retry %d in %.1fs",
                method,
                path,
                failure,
                attempt,
                wait,
            )
            self._sleep(min(wait, self.max_backoff_s))
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        return min(self.max_backoff_s, 0.5 * 2 ** (attempt - 1)) * (0.5 + random.random())  # noqa: S311


def _fresh_orders(
    batch: list[dict[str, Any]],
    seen: dict[tuple[int, str], datetime | None],
    cursor: datetime | None,
) -> list[dict[str, Any]]:
    """The orders of a page not yielded before, remembering them in ``seen``."""
    fresh = []
    for order in batch:
        key = (int(order["id"]), str(order.get("date_modified_gmt")))
        modified = woo_wire.parse_woo_time(order.get("date_modified_gmt"))
        # A row at or before the cursor should not have been sent (the filter is exclusive):
        # a store that ignores modified_after sends it anyway.
        if key in seen or (cursor and modified and modified <= cursor):
            continue
        seen[key] = modified
        fresh.append(order)
    return fresh


def _next_cursor(cursor: datetime | None, batch: list[dict[str, Any]]) -> datetime | None:
    # modified_after is exclusive, in whole seconds: step back a second and let `seen` drop
    # the repeats; never move backwards.
    newest = woo_wire.parse_woo_time(batch[-1].get("date_modified_gmt"))
    if newest is None:
        return cursor
    candidate = newest - timedelta(seconds=1)
    return candidate if cursor is None or candidate > cursor else cursor
