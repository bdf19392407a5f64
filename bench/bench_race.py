"""The race: many single-ticket orders released at once against a small stock.

Each thread opens its connection first, then all wait on one barrier and send together.
Exactly ``stock`` orders may get 200; the rest must get 409 (sold out), and the ticket
type must then show 0 left in ``GET /tp-api/events``.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from urllib.parse import quote

from bench_load import order_body

RACE_TIMEOUT_S = 120


@dataclass
class RaceResult:
    """What the race produced and whether it is right."""

    orders: int
    stock: int
    statuses: dict[str, int]
    available_after: int | None
    seconds: float

    @property
    def ok(self) -> int:
        return self.statuses.get("200", 0)

    @property
    def sold_out(self) -> int:
        return self.statuses.get("409", 0)

    @property
    def other(self) -> dict[str, int]:
        return {k: v for k, v in self.statuses.items() if k not in ("200", "409")}

    @property
    def correct(self) -> bool:
        return (
            self.ok == self.stock
            and self.sold_out == self.orders - self.stock
            and self.available_after == 0
        )

    def as_dict(self) -> dict[str, object]:
        data = dict(self.__dict__)
        data.update(ok=self.ok, sold_out=self.sold_out, other=self.other, correct=self.correct)
        return data


def _one_order(
    port: int, path: str, body: str, barrier: threading.Barrier, results: list[str], i: int
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=RACE_TIMEOUT_S)
    try:
        conn.connect()
        barrier.wait(timeout=RACE_TIMEOUT_S)
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        results[i] = str(response.status)
    except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as error:
        results[i] = f"error:{type(error).__name__}"
    finally:
        conn.close()


def available(port: int, key: str, ticket_type_id: int) -> int | None:
    """The ticket type's units left, as ``GET /tp-api/events`` shows them."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", f"/tp-api/events?key={quote(key)}")
        events = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    for event in events:
        for ticket_type in event["tickets"]:
            if ticket_type["id"] == ticket_type_id:
                return int(ticket_type["stock"])
    return None


def run_race(port: int, key: str, ticket_type_id: int, *, orders: int, stock: int) -> RaceResult:
    """Send ``orders`` orders at once; count the statuses and read the stock left."""
    path = f"/tp-api/orders/create?key={quote(key)}"
    barrier = threading.Barrier(orders)
    results = ["error:no-answer"] * orders
    threads = [
        threading.Thread(
            target=_one_order,
            args=(port, path, order_body("race", 0, i, ticket_type_id), barrier, results, i),
            daemon=True,
        )
        for i in range(orders)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    deadline = started + RACE_TIMEOUT_S + 10
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    elapsed = time.monotonic() - started
    statuses = dict(sorted(Counter(results).items()))
    left = available(port, key, ticket_type_id)
    return RaceResult(orders, stock, statuses, left, elapsed)
