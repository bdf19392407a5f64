"""The admin API (``/api/v1``) as the tests call it: one key's client and its error shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

API = "/api/v1"

# The admin API's scopes in the documented order (docs/admin-api.md), written out here so
# that a scope the service adds, drops or reorders fails a test.
ALL_SCOPES = [
    "events:read",
    "events:write",
    "orders:read",
    "orders:write",
    "customers:read",
    "affiliates:read",
    "affiliates:write",
    "checkin:write",
    "webhooks:write",
    "keys:write",
]


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(value: datetime) -> str:
    """``2027-09-01T19:00:00Z``: the form the API renders UTC times in."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def later(days: float = 0, **delta: float) -> str:
    """An ISO time relative to now (in the future for positive offsets)."""
    return iso(now() + timedelta(days=days, **delta))


def event_body(**fields: Any) -> dict[str, Any]:
    """A valid create body: one ticket type of 10 at 25.00, two months from now."""
    body: dict[str, Any] = {
        "title": "Summer Nights",
        "startsAt": later(60),
        "ticketTypes": [{"name": "General Admission", "price": 2500, "quantity": 10}],
    }
    body.update(fields)
    return body


class Admin:
    """The admin API as one seller's key sees it."""

    def __init__(self, client: Any, key: str, *, header: str = "bearer") -> None:
        self.client = client
        self.key = key
        self.headers = (
            {"Authorization": f"Bearer {key}"} if header == "bearer" else {"x-api-key": key}
        )

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(API + path, headers=self.headers, query_string=query)

    def post(self, path: str, body: Any = None, *, raw: str | None = None) -> Any:
        if raw is not None:
            return self.client.post(
                API + path, data=raw, headers=self.headers, content_type="application/json"
            )
        return self.client.post(
            API + path, json=body if body is not None else {}, headers=self.headers
        )

    def patch(self, path: str, body: Any, *, raw: str | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body)
        return self.client.patch(
            API + path, data=data, headers=self.headers, content_type="application/json"
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(API + path, headers=self.headers)

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        """Any method, with extra headers (an ``Idempotency-Key``, say)."""
        return self.client.open(
            API + path,
            method=method,
            json=body if body is not None or method not in ("GET", "DELETE") else None,
            headers={**self.headers, **(headers or {})},
        )

    def request(self, method: str, path: str, body: Any = None) -> Any:
        if method == "GET":
            return self.get(path)
        if method == "DELETE":
            return self.delete(path)
        if method == "PATCH":
            return self.patch(path, body if body is not None else {})
        return self.post(path, body)

    # Shortcuts that assert success, for arranging a test.

    def create(self, **fields: Any) -> dict[str, Any]:
        response = self.post("/events", event_body(**fields))
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()

    def publish(self, event: dict[str, Any] | int) -> dict[str, Any]:
        event_id = event if isinstance(event, int) else event["id"]
        response = self.post(f"/events/{event_id}/publish")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def event(self, id_or_slug: Any) -> dict[str, Any]:
        response = self.get(f"/events/{id_or_slug}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def ticket_type(self, event_id: int, type_id: int) -> dict[str, Any]:
        items = self.get(f"/events/{event_id}/ticket-types").get_json()["items"]
        return next(t for t in items if t["id"] == type_id)

    def list_ids(self, **query: Any) -> list[int]:
        response = self.get("/events", limit=100, **query)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert body["nextCursor"] is None
        return [e["id"] for e in body["items"]]

    def create_hook(self, url: str, event_types: list[str], **fields: Any) -> dict[str, Any]:
        response = self.post("/webhooks", {"url": url, "eventTypes": event_types, **fields})
        assert response.status_code == 201, response.get_data(as_text=True)
        return dict(response.get_json())

    def deliveries(self, endpoint_id: int, **query: Any) -> list[dict[str, Any]]:
        response = self.get(f"/webhooks/{endpoint_id}/deliveries", **query)
        assert response.status_code == 200, response.get_data(as_text=True)
        return list(response.get_json()["items"])

    def order(self, number: int) -> dict[str, Any]:
        """``GET /orders/{number}``: the order by its public number."""
        response = self.get(f"/orders/{number}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()


def api_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The admin API's one error shape, with this status and code; the error object."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code, error
    assert error["status"] == status
    assert isinstance(error["message"], str) and error["message"]
    assert error["requestId"] == response.headers["X-Request-Id"] != ""
    return error
