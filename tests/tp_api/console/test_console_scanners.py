"""Scanners made in the console and paired with a device through a one-time code: the code
gives the device the scanner's key once, expires, and a new pairing ends the old device."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.tp_api.console.support import page_text, post_form
from tp_api.db import utcnow
from tp_api.models import AuditEntry, Scanner

_CODE = re.compile(r'id="pairing-code">([A-Z0-9-]+)<')


def _make(client, factory, seller, name="Gate A phone"):
    event = factory.event(seller, name="Harbour Jazz")
    made = post_form(
        client, "/console/scanners", "/console/scanners", {"name": name, "events": str(event.id)}
    )
    assert made.status_code == 302, page_text(made)
    return event, Scanner.get(Scanner.name == name)


def _pair_code(client, scanner_id: int) -> str:
    page = f"/console/scanners/{scanner_id}"
    shown = post_form(client, page, f"{page}/pair", {})
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert 'src="data:image/png;base64,' in html
    found = _CODE.search(html)
    assert found, "no pairing code on the page"
    return found.group(1)


def _redeem(client, code: str):
    return client.post("/api/v1/door/pair", json={"code": code})


def test_pair_a_device_and_scan_with_the_key_it_gets(client, factory, seller):
    event, scanner = _make(client, factory, seller)
    code = _pair_code(client, scanner.id)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    paired = _redeem(client, code.lower().replace("-", " "))  # typed loosely on a phone
    assert paired.status_code == 200, paired.get_json()
    body = paired.get_json()
    assert (body["name"], body["events"]) == (
        "Gate A phone",
        [{"id": event.id, "name": "Harbour Jazz"}],
    )
    auth = {"Authorization": f"Bearer {body['key']}"}
    assert client.get(f"/api/v1/events/{event.id}/live", headers=auth).status_code == 200

    again = _redeem(client, code)
    assert again.status_code == 403
    assert again.get_json()["error"]["code"] == "pairing_code_invalid"
    actions = [
        e.action
        for e in AuditEntry.select()
        .where(AuditEntry.subject_type == "scanner")
        .order_by(AuditEntry.id)
    ]
    assert actions == ["scanner.created", "scanner.pairing_issued", "scanner.paired"]


def test_a_second_pairing_ends_the_first_device_and_the_earlier_code(client, factory, seller):
    event, scanner = _make(client, factory, seller)
    first = _redeem(client, _pair_code(client, scanner.id)).get_json()["key"]
    unused = _pair_code(client, scanner.id)
    newest = _pair_code(client, scanner.id)
    assert _redeem(client, unused).status_code == 403
    second = _redeem(client, newest).get_json()["key"]
    live = f"/api/v1/events/{event.id}/live"
    assert client.get(live, headers={"Authorization": f"Bearer {first}"}).status_code == 403
    assert client.get(live, headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_an_expired_code_or_a_revoked_scanner_pairs_nothing(client, factory, seller, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    _, scanner = _make(client, factory, seller)
    code = _pair_code(client, scanner.id)
    time_machine.shift(timedelta(minutes=11))
    assert _redeem(client, code).status_code == 403
    fresh = _pair_code(client, scanner.id)
    page = f"/console/scanners/{scanner.id}"
    assert post_form(client, page, f"{page}/revoke", {}).status_code == 302
    assert _redeem(client, fresh).status_code == 403
    assert "Pair a device" not in page_text(client.get(page))


def test_a_scanner_needs_a_name_and_events(client, factory, seller):
    factory.event(seller, name="Harbour Jazz")
    refused = post_form(client, "/console/scanners", "/console/scanners", {"name": "Gate B"})
    assert refused.status_code == 422
    assert "Choose the events it may scan." in page_text(refused)
    assert 'value="Gate B"' in refused.get_data(as_text=True)
    assert Scanner.select().count() == 0


def test_another_accounts_scanner_is_not_found(client, factory, seller):
    from tp_api.services.door import scanners

    other = factory.seller("Other BV")
    theirs = scanners.create_scanner(other.id, "Theirs", [factory.event(other).id]).scanner
    assert client.get(f"/console/scanners/{theirs.id}").status_code == 404
    page = "/console/scanners"
    assert post_form(client, page, f"/console/scanners/{theirs.id}/pair", {}).status_code == 404


def test_a_missing_or_malformed_code_is_a_clear_400(client):
    assert client.post("/api/v1/door/pair", json={}).status_code == 400
    assert client.post("/api/v1/door/pair", data="nope").status_code == 400
