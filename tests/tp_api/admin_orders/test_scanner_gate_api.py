"""A scanner's gate through the admin API: given at creation, changed by PATCH, handed to a
phone at pairing."""

from __future__ import annotations

from tests.admin_api import api_error
from tests.tp_api.admin_orders.helpers import auth
from tp_api.models import AuditEntry, Scanner
from tp_api.services.door import pairing
from tp_api.services.door.scanners import get_scanner


def test_a_scanner_made_with_a_gate_hands_it_to_the_phone_at_pairing(client, shop):
    made = client.post(
        "/api/v1/scanners",
        json={"name": "North door", "eventIds": [shop.event.id], "defaultGate": " North "},
        headers=auth(shop.key),
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["defaultGate"] == "North"
    listed = client.get("/api/v1/scanners", headers=auth(shop.key)).get_json()["items"]
    assert [s["defaultGate"] for s in listed] == ["North"]
    code = pairing.issue_code(shop.seller.id, made.get_json()["id"])
    assert pairing.redeem(code.code, client="127.0.0.1").gate == "North"


def test_patch_changes_the_gate_and_the_audit_trail_says_so(client, shop):
    made = client.post(
        "/api/v1/scanners",
        json={"name": "Side door", "eventIds": [shop.event.id]},
        headers=auth(shop.key),
    ).get_json()
    assert made["defaultGate"] == ""
    changed = client.patch(
        f"/api/v1/scanners/{made['id']}", json={"defaultGate": "South"}, headers=auth(shop.key)
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)
    body = changed.get_json()
    assert body["defaultGate"] == "South" and body["eventIds"] == [shop.event.id]
    assert Scanner.get_by_id(made["id"]).default_gate == "South"
    entry = AuditEntry.select().where(AuditEntry.action == "scanner.gate_changed").get()
    assert '"default_gate": ["", "South"]' in entry.changes
    assert get_scanner(shop.seller.id, made["id"])[0].default_gate == "South"


def test_bad_gate_requests(client, shop):
    made = client.post(
        "/api/v1/scanners",
        json={"name": "Gate", "eventIds": [shop.event.id]},
        headers=auth(shop.key),
    ).get_json()
    too_long = client.patch(
        f"/api/v1/scanners/{made['id']}", json={"defaultGate": "x" * 101}, headers=auth(shop.key)
    )
    assert too_long.status_code == 400
    assert (
        client.patch(f"/api/v1/scanners/{made['id']}", json={}, headers=auth(shop.key)).status_code
        == 400
    )
    api_error(
        client.patch("/api/v1/scanners/424242", json={"defaultGate": "A"}, headers=auth(shop.key)),
        404,
        "scanner_not_found",
    )
