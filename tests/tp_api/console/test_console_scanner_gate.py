"""A scanner's gate, set in the console: a phone paired with it afterwards gets the gate in
the pairing answer (the door app starts with it; its staff may change it there)."""

from __future__ import annotations

from tests.tp_api.console.support import page_text, post_form
from tests.tp_api.console.test_console_scanners import _make, _pair_code, _redeem
from tp_api.models import AuditEntry, Scanner


def test_the_gate_set_in_the_console_comes_with_the_pairing(client, factory, seller):
    _, scanner = _make(client, factory, seller)
    page = f"/console/scanners/{scanner.id}"
    assert _redeem(client, _pair_code(client, scanner.id)).get_json()["gate"] == ""
    saved = post_form(client, page, f"{page}/gate", {"gate": "  North  "})
    assert saved.status_code == 302
    assert "start at gate North" in page_text(client.get(page))
    assert Scanner.get_by_id(scanner.id).default_gate == "North"
    assert _redeem(client, _pair_code(client, scanner.id)).get_json()["gate"] == "North"
    entry = AuditEntry.get(AuditEntry.action == "scanner.gate_changed")
    assert '"default_gate": ["", "North"]' in entry.changes
    # Emptied: phones paired from then on start without one.
    post_form(client, page, f"{page}/gate", {"gate": ""})
    assert _redeem(client, _pair_code(client, scanner.id)).get_json()["gate"] == ""


def test_a_too_long_gate_is_said_next_to_the_field(client, factory, seller):
    _, scanner = _make(client, factory, seller)
    page = f"/console/scanners/{scanner.id}"
    refused = post_form(client, page, f"{page}/gate", {"gate": "N" * 101})
    assert refused.status_code == 422
    assert 'id="gate-error">Enter a gate name of at most 100 characters, or nothing.<' in (
        refused.get_data(as_text=True)
    )
    assert Scanner.get_by_id(scanner.id).default_gate == ""


def test_another_accounts_scanner_gate_cannot_be_set(client, factory, seller):
    from tp_api.services.door import scanners

    other = factory.seller("Someone Else")
    theirs = scanners.create_scanner(other.id, "Theirs", [factory.event(other).id]).scanner
    mine = f"/console/scanners/{_make(client, factory, seller)[1].id}"
    assert (
        post_form(client, mine, f"/console/scanners/{theirs.id}/gate", {"gate": "X"}).status_code
        == 404
    )
    assert Scanner.get_by_id(theirs.id).default_gate == ""


def test_the_gate_form_in_dutch(client, factory, seller):
    _, scanner = _make(client, factory, seller)
    text = page_text(client.get(f"/console/scanners/{scanner.id}?lang=nl"))
    assert "Poort opslaan" in text
    assert "Een telefoon die je met deze scanner koppelt, begint bij deze poort" in text
