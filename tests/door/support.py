"""Calls of the door API shared by its tests."""

from __future__ import annotations


def post_scan(client, door, code, direction="in", gate="A", event_id=None, **extra):
    body = {
        "qrPayload": code,
        "eventId": event_id or door["event"].id,
        "gate": gate,
        "device": "phone-1",
        "direction": direction,
        **extra,
    }
    return client.post(
        "/api/v1/checkin/scan", json=body, headers={"Authorization": f"Bearer {door['key']}"}
    )
