"""A small fake WooCommerce REST API on loopback, behaving as ../shared/woocommerce/FACTS.md
describes: exclusive one-second ``modified_after`` in UTC without a suffix, offset paging
ordered by (modified, id), ``X-WP-Total``/``X-WP-TotalPages``, batch updates answering 200
with per-item errors, and injectable failures (429 with Retry-After, HTML 503s, 202 captchas).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import requests

from tests.loopback import Running

PREFIX = "/wp-json/wc/v3/"
EPOCH = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)


BILLING = {
    "first_name": "Jane",
    "last_name": "Doe",
    "address_1": "Kerkstraat 1",
    "address_2": "",
    "city": "Amsterdam",
    "postcode": "1234 AB",
    "country": "NL",
    "email": "jane@example.com",
    "phone": "+31600000000",
}


def woo_order(
    order_id: int,
    *,
    status: str = "processing",
    product_id: int = 93,
    quantity: int = 1,
    customer_id: int = 7,
    modified: datetime | None = None,
    price: float = 29.95,
) -> dict[str, Any]:
    """An order shaped like the documented ``GET /orders/{id}`` (fixture woo_order_727)."""
    stamp = (modified or EPOCH).astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat()
    paid = status in ("processing", "completed")
    return {
        "id": order_id,
        "number": str(order_id),
        "status": status,
        "currency": "EUR",
        "date_created_gmt": stamp,
        "date_modified_gmt": stamp,
        "date_paid_gmt": stamp if paid else None,
        "total": f"{price * quantity:.2f}",
        "customer_id": customer_id,
        "customer_ip_address": "127.0.0.1",
        "payment_method": "ideal",
        "payment_method_title": "iDEAL",
        "billing": dict(BILLING),
        "line_items": [
            {
                "id": order_id * 10,
                "name": "Ticket",
                "product_id": product_id,
                "variation_id": 0,
                "quantity": quantity,
                "price": price,
                "total": f"{price * quantity:.2f}",
            }
        ],
        "shipping_lines": [],
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": [],
    }


class FakeWoo:
    """Shop state plus the HTTP server that serves it."""

    def __init__(self, key: str = "ck_test", secret: str = "cs_test") -> None:
        self.orders: dict[int, dict[str, Any]] = {}
        self.refunds: dict[int, list[dict[str, Any]]] = {}
        self.products: dict[int, dict[str, Any]] = {}
        # Variations by parent product id; a parent missing here has no variations route.
        self.variations: dict[int, dict[int, dict[str, Any]]] = {}
        self.webhooks: dict[int, dict[str, Any]] = {}
        # The key's permissions (read, write or read_write) and the store's version.
        self.permissions = "read_write"
        self.version = "9.4.2"
        self.requests: list[tuple[str, str]] = []
        self.failures: list[Callable[[BaseHTTPRequestHandler], bool]] = []
        self.on_orders_page: Callable[[int], None] | None = None
        self.key, self.secret = key, secret  # what the approval screen hands out
        self._auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
        self._lock = threading.Lock()
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._running = Running(self.server)

    def __enter__(self) -> FakeWoo:
        self._running.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._running.stop()

    def put(self, order: dict[str, Any]) -> None:
        with self._lock:
            self.orders[int(order["id"])] = order

    def touch(self, order_id: int, seconds: int, **changes: Any) -> None:
        """Change an order, setting its modified time ``seconds`` after EPOCH."""
        stamp = (EPOCH + timedelta(seconds=seconds)).replace(tzinfo=None).isoformat()
        with self._lock:
            self.orders[order_id].update(changes, date_modified_gmt=stamp)

    def _list_orders(self, query: dict[str, list[str]]) -> tuple[list[dict[str, Any]], int]:
        after = query.get("modified_after", [None])[0]
        with self._lock:
            rows = sorted(self.orders.values(), key=lambda o: (o["date_modified_gmt"], o["id"]))
        if after:
            assert "Z" not in after and "+" not in after, "modified_after must have no suffix"
            rows = [o for o in rows if o["date_modified_gmt"] > after[:19]]
        excluded = {int(i) for i in query.get("exclude", [""])[0].split(",") if i}
        rows = [o for o in rows if o["id"] not in excluded]
        per_page = int(query.get("per_page", ["10"])[0])
        assert per_page <= 100
        page = int(query.get("page", ["1"])[0])
        return rows[(page - 1) * per_page : page * per_page], len(rows)

    def _product_page(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        """``GET /products?search=&page=&per_page=``: by name, the search in name or SKU."""
        search = query.get("search", [""])[0].lower()
        page, per_page = int(query.get("page", ["1"])[0]), int(query.get("per_page", ["10"])[0])
        rows = sorted(self.products.values(), key=lambda p: (str(p.get("name", "")), p["id"]))
        if search:
            rows = [p for p in rows if search in f"{p.get('name', '')} {p.get('sku', '')}".lower()]
        return rows[(page - 1) * per_page : page * per_page]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        return type("Handler", (_WooHandler,), {"fake": self})


class _WooHandler(BaseHTTPRequestHandler):
    """The fake's HTTP side: WooCommerce's routes, answers and errors, over ``fake``'s data."""

    fake: FakeWoo

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _send(
        self,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json; charset=UTF-8",
    ) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def _route(self, method: str) -> None:
        parts = urlsplit(self.path)
        self.fake.requests.append((method, parts.path))
        if parts.path.startswith("/wc-auth/v1/"):
            self._approval(parts.path, parse_qs(parts.query), parts.query)
            return
        for failure in list(self.fake.failures):
            if failure(self):
                return
        if self.headers.get("Authorization") != self.fake._auth:
            self._send(
                401,
                {
                    "code": "woocommerce_rest_authentication_error",
                    "message": "Consumer secret is invalid.",
                    "data": {"status": 401},
                },
            )
            return
        if method in ("POST", "PUT", "DELETE") and self.fake.permissions == "read":
            self._send(
                401,
                {
                    "code": "woocommerce_rest_authentication_error",
                    "message": "The API key provided does not have write permissions.",
                    "data": {"status": 401},
                },
            )
            return
        path = parts.path.removeprefix(PREFIX)
        query = parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self._dispatch(method, path, query, body)

    def _dispatch(  # noqa: C901 - a routing table
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> None:
        segments = path.strip("/").split("/")
        if method == "GET" and segments == ["orders"]:
            rows, total = self.fake._list_orders(query)
            per_page = int(query.get("per_page", ["10"])[0])
            if self.fake.on_orders_page:
                self.fake.on_orders_page(int(query.get("page", ["1"])[0]))
            self._send(
                200,
                rows,
                {"X-WP-Total": str(total), "X-WP-TotalPages": str(-(-total // per_page))},
            )
        elif method == "GET" and len(segments) == 3 and segments[2] == "refunds":
            self._send(200, self.fake.refunds.get(int(segments[1]), []))
        elif segments[0] == "webhooks" and method in ("GET", "POST", "PUT"):
            self._webhooks(method, segments, body)
        elif method == "GET" and segments == ["system_status"]:
            self._send(200, {"environment": {"version": self.fake.version}})
        elif method == "GET" and segments == ["products"] and "include" in query:
            ids = [int(i) for i in query.get("include", [""])[0].split(",") if i]
            self._send(200, [self.fake.products[i] for i in ids if i in self.fake.products])
        elif method == "GET" and segments == ["products"]:
            self._send(200, self.fake._product_page(query))
        elif method == "POST" and segments == ["products"]:
            product_id = max(self.fake.products, default=100) + 1
            self.fake.products[product_id] = {"id": product_id, **body}
            self._send(201, self.fake.products[product_id])
        elif method == "POST" and segments == ["products", "batch"]:
            self._batch(self.fake.products, body.get("update", []))
        elif self._variation_route(segments) and method == "GET" and len(segments) == 3:
            family = self.fake.variations[int(segments[1])]
            ids = [int(i) for i in query.get("include", [""])[0].split(",") if i]
            self._send(
                200, [family[i] for i in ids if i in family] if ids else list(family.values())
            )
        elif self._variation_route(segments) and method == "POST" and segments[3:] == ["batch"]:
            self._batch(self.fake.variations[int(segments[1])], body.get("update", []))
        else:
            self._send(
                404,
                {
                    "code": "rest_no_route",
                    "message": "No route was found",
                    "data": {"status": 404},
                },
            )

    def _approval(self, path: str, query: dict[str, list[str]], raw_query: str) -> None:
        """WooCommerce's approval screen (FACTS §1.2): ``authorize`` shows an Approve link
        (a link, not a form, as in WordPress); ``access_granted`` POSTs the new key to the
        callback, server to server, then sends the browser to ``return_url``."""
        first = {k: v[0] for k, v in query.items()}
        if path == "/wc-auth/v1/authorize":
            page = (
                f"<!doctype html><title>Approve</title><h1>{first.get('app_name')} would like "
                f'to connect to your store</h1><a href="/wc-auth/v1/access_granted?{raw_query}">'
                "Approve</a>"
            )
            self._html(200, page)
            return
        key = {
            "key_id": 1,
            "user_id": first["user_id"],
            "consumer_key": self.fake.key,
            "consumer_secret": self.fake.secret,
            "key_permissions": first.get("scope", "read_write"),
        }
        answer = requests.post(first["callback_url"], json=key, timeout=10)
        if not 200 <= answer.status_code < 300:
            self._html(400, f"<p>Error: the callback answered {answer.status_code}</p>")
            return
        back = f"{first['return_url']}?success=1&user_id={quote(first['user_id'])}"
        self.send_response(302)
        self.send_header("Location", back)
        self.end_headers()

    def _html(self, status: int, page: str) -> None:
        data = page.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _webhooks(self, method: str, segments: list[str], body: Any) -> None:
        if method == "GET":
            self._send(200, list(self.fake.webhooks.values()))
        elif method == "POST":
            hook_id = max(self.fake.webhooks, default=0) + 1
            fields = ("name", "topic", "delivery_url", "secret", "status")
            hook = {"id": hook_id, **{k: body.get(k) for k in fields}}
            self.fake.webhooks[hook_id] = hook
            self._send(201, {k: v for k, v in hook.items() if k != "secret"})
        else:  # PUT webhooks/<id>
            hook = self.fake.webhooks[int(segments[1])]
            hook.update(status=body["status"])
            self._send(200, hook)

    def _variation_route(self, segments: list[str]) -> bool:
        # Only a parent the fake knows has the route; any other answers
        # 404 rest_no_route, as a deleted variable product does.
        return (
            len(segments) >= 3
            and segments[0] == "products"
            and segments[2] == "variations"
            and segments[1].isdigit()
            and int(segments[1]) in self.fake.variations
        )

    def _batch(self, rows: dict[int, dict[str, Any]], items: list[dict[str, Any]]) -> None:
        if len(items) > 100:
            self._send(
                413,
                {
                    "code": "woocommerce_rest_request_entity_too_large",
                    "message": "Unable to accept more than 100 items",
                    "data": {"status": 413},
                },
            )
            return
        result = []
        for item in items:
            row = rows.get(int(item["id"]))
            if row is None:
                result.append(
                    {
                        "id": item["id"],
                        "error": {
                            "code": "woocommerce_rest_product_invalid_id",
                            "message": "Invalid ID.",
                            "data": {"status": 400},
                        },
                    }
                )
                continue
            row.update(
                manage_stock=item["manage_stock"],
                stock_quantity=item["stock_quantity"],
                backorders=item["backorders"],
            )
            result.append(row)
        self._send(200, {"update": result})

    def do_GET(self) -> None:  # noqa: N802 - http.server's method name
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._route("PUT")


def fail_times(
    count: int, status: int, body: bytes, headers: dict[str, str], content_type: str
) -> Callable[[BaseHTTPRequestHandler], bool]:
    """A failure that answers the next ``count`` requests with ``status``."""
    left = [count]

    def failure(handler: BaseHTTPRequestHandler) -> bool:
        if left[0] <= 0:
            return False
        left[0] -= 1
        handler._send(status, body, headers, content_type)  # type: ignore[attr-defined]
        return True

    return failure
