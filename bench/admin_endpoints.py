"""The admin benchmark's endpoints and the check that each answers what the data holds."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from admin_dataset import (  # noqa: E402
    PAGE,
    SEARCH_TERM,
    Dataset,
)
from admin_seed import Seeded  # noqa: E402

# --- the endpoints -------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str


def _get(base: str, path: str, key: str) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    request = urllib.request.Request(base + path, headers=headers)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None


def deep_cursor(base: str, key: str, pages: int) -> str:
    """The cursor of page ``pages`` of the event list, by walking the pages once."""
    cursor = ""
    for _ in range(pages - 1):
        path = f"/api/v1/events?limit={PAGE}" + (f"&cursor={quote(cursor)}" if cursor else "")
        status, body = _get(base, path, key)
        if status != 200 or not body.get("nextCursor"):
            raise RuntimeError(f"walking the event list stopped: {status}")
        cursor = body["nextCursor"]
    return cursor


def endpoints(data: Dataset, page: int, cursor: str) -> list[Endpoint]:
    hot, typical = data.hot, data.typical
    return [
        Endpoint("livez (ceiling)", "/livez"),
        Endpoint("events, first page", f"/api/v1/events?limit={PAGE}"),
        Endpoint(f"events, page {page}", f"/api/v1/events?limit={PAGE}&cursor={cursor}"),
        Endpoint("events?status=sold_out", f"/api/v1/events?status=sold_out&limit={PAGE}"),
        Endpoint(f"events?search={SEARCH_TERM}", f"/api/v1/events?search={SEARCH_TERM}&limit=20"),
        Endpoint("event availability (hot)", f"/api/v1/events/{hot.id}/availability"),
        Endpoint("event by slug (hot)", f"/api/v1/events/{hot.slug}"),
        Endpoint("orders, first page", f"/api/v1/orders?limit={PAGE}"),
        Endpoint("orders?eventId (hot)", f"/api/v1/orders?eventId={hot.id}&limit={PAGE}"),
        Endpoint("orders?eventId (typical)", f"/api/v1/orders?eventId={typical.id}&limit={PAGE}"),
    ]


def _check(name: str, ok: bool, detail: str, problems: list[str]) -> None:
    if not ok:
        problems.append(f"{name}: {detail}")


def check_answers(base: str, seeded: Seeded, data: Dataset, eps: list[Endpoint]) -> list[str]:
    """Every endpoint answers 200 with what the data says; another account sees nothing."""
    problems: list[str] = []
    bodies = {}
    for ep in eps:
        status, body = _get(base, ep.path, seeded.key_a)
        _check(ep.name, status == 200, f"status {status}", problems)
        bodies[ep.name] = body or {}
    sold_out = bodies["events?status=sold_out"].get("items", [])
    want = min(PAGE, data.expected_sold_out())
    _check("sold_out", len(sold_out) == want, f"{len(sold_out)} items, {want} expected", problems)
    _check("sold_out", all(e["status"] == "sold_out" for e in sold_out), "status", problems)
    found = bodies[f"events?search={SEARCH_TERM}"].get("items", [])
    want = min(20, data.expected_matches())
    _check("search", len(found) == want, f"{len(found)} items, {want} expected", problems)
    hot = bodies["event availability (hot)"]
    left = sum(t.stock - t.sold for t in data.hot.sale_types() if not t.hidden)
    _check("availability", hot.get("available") == left, f"{hot.get('available')}", problems)
    ids = {o["id"] for o in bodies["orders, first page"].get("items", [])}
    foreign = {n for n, (account, _) in enumerate(data.orders, start=1) if account != 1}
    _check("orders", len(ids) == PAGE and not ids & foreign, "foreign or missing", problems)
    status, _ = _get(base, f"/api/v1/events/{data.hot.id}/availability", seeded.key_b)
    _check("scoping", status == 404, f"other account got {status}", problems)
    return problems
