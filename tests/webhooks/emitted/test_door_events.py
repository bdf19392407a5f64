"""Door scans, online and uploaded offline, raise checkin.completed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.webhooks.emitted.support import (
    only,
)
from tests.webhooks.support import (
    public_dns,
    stored_events,
    webhook_rows,
)
from tp_api.models import (
    Ticket,
    WebhookEndpoint,
)
from tp_api.services.webhooks import webhook_endpoints
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy

# --- the door ------------------------------------------------------------------------------------


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def scan(client, door, code, direction="in"):
    response = client.post(
        "/api/v1/checkin/scan",
        json={
            "qrPayload": code,
            "eventId": door["shop"].event.id,
            "gate": "North",
            "device": "phone-1",
            "direction": direction,
        },
        headers={"Authorization": f"Bearer {door['key']}"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_a_scan_emits_checkin_completed(client, door):
    result = scan(client, door, door["codes"][0])
    assert result["success"] is True
    completed = only("checkin.completed")
    assert completed["data"] == {
        "ticketId": door["tickets"][0].reference,
        "eventId": door["shop"].event.id,
        "direction": "in",
        "gate": "North",
        "device": "phone-1",
        "scannerId": door["scanner_id"],
        "attendeeName": result["attendeeName"],
        "tierName": result["tierName"],
        "checkedInAt": completed["data"]["checkedInAt"],
        "offline": False,
    }
    # The door answers +00:00, the webhook Z (as the admin API does): the same instant.
    assert instant(completed["data"]["checkedInAt"]) == instant(result["checkedInAt"])
    assert completed["data"]["checkedInAt"].endswith("Z")
    assert result["attendeeName"] == "Attendee0 Doe"
    # The decision was recorded with the event (the same transaction).
    assert Ticket.get_by_id(door["tickets"][0].id).status == 3
    # A refused scan raises nothing; leaving does.
    again = scan(client, door, door["codes"][0])
    assert again["success"] is False and again["reason"] == "already_checked_in"
    assert len(stored_events("checkin.completed")) == 1
    out = scan(client, door, door["codes"][0], direction="out")
    assert out["success"] is True
    events = stored_events("checkin.completed")
    assert [e["data"]["direction"] for e in events] == ["in", "out"]


def test_a_scan_without_a_listener_raises_nothing(client, door):
    endpoint = WebhookEndpoint.get()
    webhook_endpoints.update_endpoint(
        door["shop"].seller.id,
        endpoint.id,
        EndpointPolicy(resolver=public_dns),
        event_types=["order.paid"],
    )
    before = webhook_rows()
    result = scan(client, door, door["codes"][1])
    assert result["success"] is True
    assert webhook_rows() == before
    assert Ticket.get_by_id(door["tickets"][1].id).status == 3


def test_an_offline_upload_emits_checkin_completed(client, door):
    scanned_at = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
    scans = [
        {
            "nonce": "off-1",
            "qrPayload": door["codes"][1],
            "eventId": door["shop"].event.id,
            "gate": "East",
            "device": "phone-9",
            "scannedAt": scanned_at.isoformat(),
        }
    ]
    headers = {"Authorization": f"Bearer {door['key']}"}
    response = client.post("/api/v1/checkin/upload", json={"scans": scans}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    (result,) = response.get_json()["results"]
    assert result["success"] is True
    data = only("checkin.completed")["data"]
    assert (data["ticketId"], data["gate"], data["device"], data["offline"]) == (
        door["tickets"][1].reference,
        "East",
        "phone-9",
        True,
    )
    assert instant(data["checkedInAt"]) == scanned_at
    # The same upload again (a retry) raises nothing more.
    again = client.post("/api/v1/checkin/upload", json={"scans": scans}, headers=headers)
    assert again.status_code == 200
    assert len(stored_events("checkin.completed")) == 1
