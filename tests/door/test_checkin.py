"""The door API: every reason, in/out/re-entry, scanner key limits, offline uploads, live."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from config.tickets import scan_public_keys
from tests.door.support import post_scan
from tp_api.db import database
from tp_api.models import CheckIn, Event, Ticket, TicketStatus
from tp_api.services.delivery.ticket_files import ticket_code
from tp_api.services.door import checkin, scanners
from tp_api.services.orders import personalise
from tp_api.services.orders.personalise import AttendeeInput


def test_admit_then_duplicate_then_out_and_reentry(client, door):
    code = door["codes"][0]
    first = post_scan(client, door, code).get_json()
    assert first["success"] is True and first["reason"] is None
    assert first["attendeeName"] == "Attendee0 Doe" and first["tierName"] == "General Admission"
    assert first["alreadyCheckedIn"] is False and first["firstCheckedInAt"] is None
    again = post_scan(client, door, code, gate="B").get_json()
    assert (again["success"], again["alreadyCheckedIn"], again["reason"]) == (
        False,
        True,
        "already_checked_in",
    )
    assert again["firstCheckedInAt"] == first["checkedInAt"]
    out = post_scan(client, door, code, direction="out").get_json()
    assert out["success"] is True
    assert Ticket.get(Ticket.reference == door["tickets"][0].reference).status == 4
    back = post_scan(client, door, code).get_json()
    assert back["success"] is True
    assert Ticket.get(Ticket.reference == door["tickets"][0].reference).status == 3
    assert CheckIn.select().count() == 4


def test_out_without_in(client, door):
    result = post_scan(client, door, door["codes"][1], direction="out").get_json()
    assert (result["success"], result["reason"]) == (False, "not_checked_in")


def test_no_reentry_when_the_event_forbids_it(client, door):
    Event.update(allow_reentry=False).execute()
    code = door["codes"][0]
    post_scan(client, door, code)
    post_scan(client, door, code, direction="out")
    assert post_scan(client, door, code).get_json()["reason"] == "already_checked_in"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c[:-2] + ("AA" if c[-2:] != "AA" else "BB"),
        lambda c: "TP1.GARBAGE",
        lambda c: "hello",
    ],
)
def test_forged_codes_are_refused_before_any_lookup(client, door, mutate):
    result = post_scan(client, door, mutate(door["codes"][0])).get_json()
    assert (result["success"], result["reason"]) == (False, "invalid_signature")
    assert result["attendeeName"] is None
    assert CheckIn.get().result == "invalid_signature" and CheckIn.get().ticket_id is None


def test_unknown_wrong_event_cancelled_superseded_not_personalised(client, door, factory, settings):
    tools = door["tools"]
    from pdf.signing import sign_ticket_code

    unknown = sign_ticket_code(tools.signing_key, "nosuchticket0000", door["event"].id, 1)
    assert post_scan(client, door, unknown).get_json()["reason"] == "unknown_ticket"

    other = factory.event(door["seller"], name="Other")
    scanners.clear_cache()
    wide = scanners.create_scanner(door["seller"].id, "Wide", [door["event"].id, other.id])
    result = client.post(
        "/api/v1/checkin/scan",
        json={"qrPayload": door["codes"][0], "eventId": other.id},
        headers={"Authorization": f"Bearer {wide.secret}"},
    ).get_json()
    assert result["reason"] == "wrong_event"

    Ticket.update(status=TicketStatus.CANCELLED).where(Ticket.id == door["tickets"][1].id).execute()
    assert post_scan(client, door, door["codes"][1]).get_json()["reason"] == "cancelled"

    ref = door["tickets"][2].reference
    personalise.reissue_ticket(
        door["seller"].id, ref, AttendeeInput(ref, "New", "Holder", "n@example.com", "1")
    )
    assert post_scan(client, door, door["codes"][2]).get_json()["reason"] == "superseded"
    fresh = ticket_code(tools, Ticket.get(Ticket.reference == ref))
    admitted = post_scan(client, door, fresh).get_json()
    assert admitted["success"] and admitted["attendeeName"] == "New Holder"

    outcome = factory.order(door["seller"], factory.ticket_type(door["event"]))
    unpersonalised = Ticket.get(Ticket.order == outcome.order_id)
    code = ticket_code(tools, unpersonalised)
    assert post_scan(client, door, code).get_json()["reason"] == "not_personalised"
    Event.update(require_personalisation=False).execute()
    assert post_scan(client, door, code).get_json()["success"] is True


def test_scanner_keys_are_limited(client, door, factory):
    assert client.post("/api/v1/checkin/scan", json={}).status_code == 403
    bad = client.post(
        "/api/v1/checkin/scan",
        json={"qrPayload": "x", "eventId": 1},
        headers={"Authorization": "Bearer tps_wrongwrongwrong"},
    )
    assert bad.status_code == 403
    assert bad.get_json()["error"]["code"] == "unauthenticated"
    other = factory.event(door["seller"], name="Not granted")
    refused = post_scan(client, door, door["codes"][0], event_id=other.id)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "scanner_forbidden"
    headers = {"Authorization": f"Bearer {door['key']}"}
    # A scanner key reads nothing of the partner API or the orders.
    assert client.get(f"/tp-api/events?key={door['key']}").status_code == 403
    assert client.get(f"/api/v1/events/{other.id}/live", headers=headers).status_code == 403
    scanners.revoke_scanner(door["seller"].id, 1)
    assert post_scan(client, door, door["codes"][0]).status_code == 403


def test_bad_input_gets_json_errors(client, door):
    headers = {"Authorization": f"Bearer {door['key']}"}
    for body in (
        None,
        [],
        {"eventId": 1},
        {"qrPayload": "x", "eventId": "abc"},
        {"qrPayload": "x", "eventId": door["event"].id, "direction": "sideways"},
    ):
        response = client.post("/api/v1/checkin/scan", json=body, headers=headers)
        assert response.status_code == 400, body
        assert set(response.get_json()["error"]) == {"code", "message", "status", "requestId"}


def test_ten_gates_at_once_admit_once(door, settings):
    context = scanners.authenticate_scanner(door["key"])
    keys = scan_public_keys(settings)
    start = threading.Barrier(10)

    def gate(n: int) -> bool:
        start.wait(timeout=30)
        with database.connection_context():
            request = checkin.ScanRequest(
                code=door["codes"][0], event_id=door["event"].id, gate=f"G{n}"
            )
            return checkin.scan(context, request, keys).success

    with ThreadPoolExecutor(max_workers=10) as pool:
        admitted = list(pool.map(gate, range(10)))
    assert admitted.count(True) == 1
    assert CheckIn.select().count() == 10
    assert CheckIn.select().where(CheckIn.result == "ok").count() == 1


def test_offline_pack_upload_replay_and_conflict(client, door):
    headers = {"Authorization": f"Bearer {door['key']}"}
    pack = client.get(
        f"/api/v1/checkin/events/{door['event'].id}/offline", headers=headers
    ).get_json()
    assert len(pack["tickets"]) == 3 and len(pack["keys"]) == 1
    assert pack["tickets"][0][:3] == [door["tickets"][0].reference, 1, 2]
    # Online, gate A admits ticket 0; offline, gate B admitted it too (earlier or later).
    post_scan(client, door, door["codes"][0])
    t0 = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
    scans = [
        {
            "nonce": "b-2",
            "qrPayload": door["codes"][1],
            "eventId": door["event"].id,
            "gate": "B",
            "scannedAt": (t0 + timedelta(minutes=2)).isoformat(),
        },
        {
            "nonce": "b-1",
            "qrPayload": door["codes"][0],
            "eventId": door["event"].id,
            "gate": "B",
            "scannedAt": t0.isoformat(),
        },
        {
            "nonce": "b-3",
            "qrPayload": door["codes"][1],
            "eventId": door["event"].id,
            "gate": "B",
            "direction": "out",
            "scannedAt": (t0 + timedelta(minutes=5)).isoformat(),
        },
    ]
    first = client.post("/api/v1/checkin/upload", json={"scans": scans}, headers=headers)
    assert first.status_code == 200
    result = first.get_json()
    by_nonce = {r["nonce"]: r for r in result["results"]}
    assert by_nonce["b-1"]["conflict"] is True and by_nonce["b-1"]["reason"] == "already_checked_in"
    assert by_nonce["b-2"]["success"] is True and by_nonce["b-3"]["success"] is True
    assert result["conflicts"] == ["b-1"]
    rows = CheckIn.select().count()
    # The same upload again (a retry after a timeout) changes nothing.
    again = client.post("/api/v1/checkin/upload", json={"scans": scans}, headers=headers)
    assert again.get_json() == result
    assert CheckIn.select().count() == rows
    assert CheckIn.get(CheckIn.nonce == "b-1").at == t0  # kept with the time it happened
    assert pack["eventIds"] == [door["event"].id]
    # Every device watching the live figures sees the conflict, not only the one that sent it.
    live = client.get(f"/api/v1/events/{door['event'].id}/live", headers=headers).get_json()
    (conflict,) = live["conflicts"]
    assert conflict["ticketId"] == door["tickets"][0].reference
    assert (conflict["reason"], conflict["gate"]) == ("already_checked_in", "B")


def test_live_figures(client, door):
    headers = {"Authorization": f"Bearer {door['key']}"}
    post_scan(client, door, door["codes"][0], gate="A")
    post_scan(client, door, door["codes"][1], gate="B")
    post_scan(client, door, door["codes"][1], gate="B", direction="out")
    post_scan(client, door, "forged")
    live = client.get(f"/api/v1/events/{door['event'].id}/live", headers=headers).get_json()
    assert (live["inside"], live["toArrive"], live["valid"]) == (1, 1, 3)
    assert live["tiers"][0]["tierName"] == "General Admission"
    assert {g["gate"]: (g["in"], g["out"]) for g in live["gates"]} == {"A": (1, 0), "B": (1, 1)}
    assert live["lastMinutes"] == {"minutes": 5, "admitted": 3, "refused": 1}


def test_nonces_belong_to_their_scanner(client, door, factory):
    post_scan(client, door, door["codes"][0], nonce="n-1")
    # Another account's scanner using the same nonce gets its own decision, not a replay.
    other = factory.seller()
    event = factory.event(other)
    scanner = scanners.create_scanner(other.id, "B", [event.id])
    result = client.post(
        "/api/v1/checkin/scan",
        json={"qrPayload": "junk", "eventId": event.id, "nonce": "n-1"},
        headers={"Authorization": f"Bearer {scanner.secret}"},
    ).get_json()
    assert (result["success"], result["reason"], result["attendeeName"]) == (
        False,
        "invalid_signature",
        None,
    )
    # The same scanner reusing a nonce for another ticket is told so; nothing is lost.
    reused = post_scan(client, door, door["codes"][1], nonce="n-1")
    assert reused.status_code == 409
    assert reused.get_json()["error"]["code"] == "nonce_reused"
    assert Ticket.get(Ticket.reference == door["tickets"][1].reference).status == 2


def test_a_refusal_for_another_event_says_nothing_about_the_ticket(client, door, factory):
    other = factory.seller()
    event = factory.event(other)
    scanner = scanners.create_scanner(other.id, "B", [event.id])
    result = client.post(
        "/api/v1/checkin/scan",
        json={"qrPayload": door["codes"][0], "eventId": event.id},
        headers={"Authorization": f"Bearer {scanner.secret}"},
    ).get_json()
    assert result["reason"] == "wrong_event"
    assert result["attendeeName"] is None and result["tierName"] is None


@pytest.mark.parametrize("field", ["gate", "device", "nonce"])
def test_bad_text_in_scans_is_a_400(client, door, field):
    for value in ("\ud800", "a\u0000b", {"x": 1}):
        response = post_scan(client, door, door["codes"][0], **{field: value})
        assert response.status_code == 400, (field, value)
    long_nonce = post_scan(client, door, door["codes"][0], nonce="n" * 65)
    assert long_nonce.status_code == 400


def test_an_upload_with_a_bad_item_applies_nothing(client, door):
    headers = {"Authorization": f"Bearer {door['key']}"}
    now = datetime.now(UTC)
    good = {
        "nonce": "u-1",
        "qrPayload": door["codes"][0],
        "eventId": door["event"].id,
        "scannedAt": (now - timedelta(minutes=5)).isoformat(),
    }
    for bad in (
        {**good, "nonce": "u-2", "direction": "IN"},
        {**good, "nonce": "u-2", "eventId": 999999},
        {**good, "nonce": "u-2", "scannedAt": "9999-12-31T00:00:00Z"},
        {**good, "nonce": "u-2", "scannedAt": "2001-01-01T00:00:00Z"},
    ):
        response = client.post(
            "/api/v1/checkin/upload", json={"scans": [good, bad]}, headers=headers
        )
        assert response.status_code in (400, 403), bad
    assert CheckIn.select().count() == 0
    assert Ticket.get(Ticket.reference == door["tickets"][0].reference).status == 2


def test_a_deprecated_ticket_is_superseded(client, door):
    Ticket.update(is_deprecated=True).where(Ticket.id == door["tickets"][0].id).execute()
    assert post_scan(client, door, door["codes"][0]).get_json()["reason"] == "superseded"
