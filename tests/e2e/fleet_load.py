"""The fleet's load: customers buying through the partner API (order, personalise, two scans
of each ticket, one at each instance), shop orders arriving at the fake shop (most also
announced by its webhook to one instance), bursts against the shared rate limit and the
shared waiting room. Every request has a time-out; a request an instance could not answer
(killed, restarting) is retried at the other one, as a load balancer would."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from tests.fake_woo import FakeWoo, woo_order

TIMEOUT_S = 15
RETRIES = 8
RETRY_PAUSE_S = 0.5
SHOP_ORDER_PAUSE_S = 0.25


@dataclass(frozen=True)
class Sale:
    """Where a customer buys: the instances' URLs, the partner key, event and ticket type,
    and the scanner key (empty: no personalising or scanning, orders only)."""

    bases: tuple[str, ...]
    key: str
    event_id: int
    type_id: int
    scanner_key: str = ""


@dataclass
class Tally:
    """What the load saw, shared by its threads."""

    orders_ok: int = 0
    sold_out: int = 0
    personalised: int = 0
    tickets: dict[str, int] = field(default_factory=dict)  # reference -> admissions seen
    scans: Counter[str] = field(default_factory=Counter)  # decided scans by outcome
    wp_orders: set[str] = field(default_factory=set)  # wp_order_ids answered 200
    shop_orders: dict[int, int] = field(default_factory=dict)  # woo id -> quantity
    failures: list[tuple[float, str]] = field(default_factory=list)  # (time, what)
    gave_up: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(self, what: str) -> None:
        with self.lock:
            self.failures.append((time.monotonic(), what))


def call(
    tally: Tally, bases: tuple[str, ...], first: int, method: str, path: str, **kwargs: Any
) -> requests.Response | None:
    """One request, at instance ``first`` and then the others in turn while an instance
    cannot answer (no connection, time-out, 5xx); None when none answered in RETRIES tries."""
    for attempt in range(RETRIES):
        base = bases[(first + attempt) % len(bases)]
        try:
            response = requests.request(method, base + path, timeout=TIMEOUT_S, **kwargs)
        except requests.RequestException as error:
            tally.failed(f"{method} {path.split('?')[0]} at {base}: {type(error).__name__}")
        else:
            if response.status_code < 500:
                return response
            tally.failed(f"{method} {path.split('?')[0]} at {base}: {response.status_code}")
        time.sleep(RETRY_PAUSE_S)
    tally.gave_up.append(f"{method} {path.split('?')[0]}")
    return None


def buy(sale: Sale, tally: Tally, worker: int, n: int, quantity: int) -> bool:
    """One customer's order (paid) at instance ``worker % 2``; then, with a scanner key,
    their tickets personalised and each scanned at both instances. False once sold out."""
    user = worker * 1_000_000 + n
    wp_order_id = f"fleet-{worker}-{n}"
    body = {
        "wp_order_id": wp_order_id,
        "wp_user_id": user,
        "date_paid": "2026-06-01T10:01:00Z",
        "billing_information": {
            "first_name": "Fleet",
            "last_name": f"Buyer {user}",
            "email": f"buyer{user}@example.com",
        },
        "order_lines": [
            {"tp_event_ticket_id": sale.type_id, "name": "GA", "quantity": quantity,
             "product_id": 1, "order_item_type": "line_item", "unit_price": 29.95}
        ],
    }  # fmt: skip
    key = {"key": sale.key}
    answer = call(tally, sale.bases, worker, "POST", "/tp-api/orders/create", params=key, json=body)
    if answer is None:
        return True
    if answer.status_code == 409:
        with tally.lock:
            tally.sold_out += 1
        return False
    if answer.status_code != 200:
        tally.failed(f"order {wp_order_id}: {answer.status_code} {answer.text[:120]}")
        return True
    with tally.lock:
        tally.orders_ok += 1
        tally.wp_orders.add(wp_order_id)
    if sale.scanner_key:
        _personalise_and_scan(sale, tally, worker, user)
    return True


def _personalise_and_scan(sale: Sale, tally: Tally, worker: int, user: int) -> None:
    params = {"key": sale.key, "wp_user_id": str(user)}
    path = f"/tp-api/events/{sale.event_id}/tickets"
    listed = call(tally, sale.bases, worker, "GET", path, params=params)
    if listed is None or listed.status_code != 200:
        return
    refs = [t["id"] for t in listed.json()]
    holders = [
        {"ticket_id": ref, "first_name": "Fleet", "last_name": f"Buyer {user}",
         "email": f"buyer{user}@example.com", "tel": "+31600000000"}
        for ref in refs
    ]  # fmt: skip
    done = call(
        tally, sale.bases, worker, "POST", path + "/personalize", params=params,
        json={"tickets": holders},
    )  # fmt: skip
    if done is None or done.status_code != 200:
        return
    with tally.lock:
        tally.personalised += 1
    headers = {"Authorization": f"Bearer {sale.scanner_key}"}
    for ref in refs:
        admitted = 0
        # The same ticket at both doors, one after the other: one admission between them.
        for door in (worker, worker + 1):
            scan = {"ticketId": ref, "eventId": sale.event_id, "gate": f"gate-{door % 2}"}
            answer = call(
                tally, sale.bases, door, "POST", "/api/v1/checkin/admit", json=scan,
                headers=headers,
            )  # fmt: skip
            if answer is None or answer.status_code != 200:
                continue
            result = answer.json()
            admitted += bool(result["success"])
            with tally.lock:
                tally.scans["admitted" if result["success"] else str(result["reason"])] += 1
        with tally.lock:
            tally.tickets[ref] = admitted


def customers(sale: Sale, tally: Tally, worker: int, deadline: float) -> None:
    """A customer thread: orders of one or two tickets until ``deadline`` (sold out or
    not: the attempts past the last unit are what could oversell)."""
    n = 0
    while time.monotonic() < deadline:
        n += 1
        buy(sale, tally, worker, n, 1 + n % 2)


def shop_orders(
    woo: FakeWoo, bases: tuple[str, ...], shop_id: int, secret: str, tally: Tally, deadline: float
) -> None:
    """Orders placed in the shop until ``deadline``; three in four also announced by the
    shop's webhook (to each instance in turn), the fourth left to the daemons' polling."""
    order_id = 1000
    while time.monotonic() < deadline:
        order_id += 1
        quantity = 1 + order_id % 2
        order = woo_order(order_id, quantity=quantity, modified=datetime.now(UTC))
        woo.put(order)
        with tally.lock:
            tally.shop_orders[order_id] = quantity
        if order_id % 4:
            raw = json.dumps(order).encode()
            signature = base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest())
            headers = {
                "Content-Type": "application/json",
                "X-WC-Webhook-Signature": signature.decode(),
                "X-WC-Webhook-Resource": "order",
                "X-WC-Webhook-Topic": "order.created",
            }
            path = f"/shops/{shop_id}/woocommerce/webhook"
            answer = call(tally, bases, order_id, "POST", path, data=raw, headers=headers)
            if answer is not None and answer.status_code != 200:
                tally.failed(f"shop webhook {order_id}: {answer.status_code} {answer.text[:80]}")
        time.sleep(SHOP_ORDER_PAUSE_S)


def rate_limit_burst(bases: tuple[str, ...], key: str, requests_sent: int) -> Counter[int]:
    """``requests_sent`` admin-API calls with one key, alternating instances, each on a new
    connection: the statuses. Shared counting admits the limit once across the fleet."""
    statuses: Counter[int] = Counter()
    headers = {"Authorization": f"Bearer {key}", "Connection": "close"}
    for n in range(requests_sent):
        base = bases[n % len(bases)]
        statuses[
            requests.get(f"{base}/api/v1/events", headers=headers, timeout=TIMEOUT_S).status_code
        ] += 1
    return statuses


def join_line(
    bases: tuple[str, ...], key: str, event_id: int, type_id: int, people: int
) -> list[int]:
    """``people`` customers join the event's waiting room, alternating instances: their
    place numbers. One shared line gives 1..people; a line per instance repeats numbers."""
    places = []
    headers = {"Authorization": f"Bearer {key}"}
    for n in range(people):
        body = {
            "eventId": event_id,
            "customerId": f"fleet-customer-{n}",
            "items": [{"ticketTypeId": type_id, "quantity": 1}],
        }
        answer = requests.post(
            f"{bases[n % len(bases)]}/api/v1/queue/join", json=body, headers=headers,
            timeout=TIMEOUT_S,
        )  # fmt: skip
        answer.raise_for_status()
        places.append(int(answer.json()["place"]))
    return places
