"""Partner and admin-API keys made and revoked in the console: the secret shown once, the
key working at once, revoked keys refused, and each step in the audit trail."""

from __future__ import annotations

import re

from tests.tp_api.console.support import page_text, post_form
from tp_api.models import ApiKey, AuditEntry, Event, PartnerKey

_SECRET = re.compile(r'id="new-secret" type="text" readonly value="([^"]+)"')


def _issued(response) -> str:
    found = _SECRET.search(response.get_data(as_text=True))
    assert found, "no secret on the page"
    return found.group(1)


def test_a_partner_key_is_shown_once_works_and_can_be_revoked(client, seller, factory):
    made = post_form(client, "/console/keys", "/console/keys/partner", {"label": "Main shop"})
    assert made.status_code == 200
    secret = _issued(made)
    assert "shown only this once" in page_text(made)
    assert secret not in client.get("/console/keys").get_data(as_text=True)
    assert client.get(f"/tp-api/events?key={secret}").status_code == 200

    key = PartnerKey.get(PartnerKey.label == "Main shop")
    revoked = post_form(client, "/console/keys", f"/console/keys/partner/{key.id}/revoke", {})
    assert revoked.status_code == 302
    assert client.get(f"/tp-api/events?key={secret}").status_code == 403
    actions = [
        e.action
        for e in AuditEntry.select().where(AuditEntry.actor_kind == "staff").order_by(AuditEntry.id)
    ]
    assert actions == ["partner_key.created", "partner_key.revoked"]


def test_an_admin_key_may_do_only_what_was_ticked(client, seller):
    made = post_form(
        client, "/console/keys", "/console/keys/admin",
        {"label": "Accounting export", "scopes": "orders:read"},
    )  # fmt: skip
    secret = _issued(made)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/orders", headers=headers).status_code == 200
    assert client.get("/api/v1/events", headers=headers).status_code == 403
    assert ApiKey.get(ApiKey.label == "Accounting export").scopes == "orders:read"


def test_an_admin_key_without_scopes_is_refused_beside_them(client, seller):
    refused = post_form(client, "/console/keys", "/console/keys/admin", {"label": "Nothing"})
    assert refused.status_code == 422
    assert 'id="scopes-error">Choose what the key may do.<' in refused.get_data(as_text=True)
    assert 'value="Nothing"' in refused.get_data(as_text=True)
    assert ApiKey.select().count() == 0


def test_another_accounts_key_cannot_be_revoked(client, seller, factory):
    other = factory.seller("Other BV")
    key = PartnerKey.get(PartnerKey.account == other.id)
    refused = post_form(client, "/console/keys", f"/console/keys/partner/{key.id}/revoke", {})
    assert refused.status_code == 404
    assert PartnerKey.get_by_id(key.id).revoked_at is None


def test_an_oauth_client_is_made_rotated_and_revoked(client, seller):
    from tp_api.db import utcnow
    from tp_api.models import OAuthClient
    from tp_api.services.credentials import oauth_clients

    made = post_form(
        client, "/console/keys", "/console/keys/oauth",
        {"label": "Box office", "scopes": "events:read", "addresses": "192.0.2.0/24"},
    )  # fmt: skip
    assert made.status_code == 200
    first = _issued(made)
    row = OAuthClient.get(OAuthClient.label == "Box office")
    assert (row.scopes, row.allowed_ips) == ("events:read", "192.0.2.0/24")
    assert f'value="{row.client_id}"' in made.get_data(as_text=True)
    rotated = post_form(
        client, "/console/keys", f"/console/keys/oauth/{row.id}/rotate", {"grace": "0"}
    )
    second = _issued(rotated)
    assert oauth_clients.verify(row.client_id, first, utcnow()) is None
    assert oauth_clients.verify(row.client_id, second, utcnow()) is not None
    revoked = post_form(client, "/console/keys", f"/console/keys/oauth/{row.id}/revoke", {})
    assert revoked.status_code == 302
    assert OAuthClient.get_by_id(row.id).revoked_at is not None
    actions = [
        e.action
        for e in AuditEntry.select()
        .where(AuditEntry.subject_type == "oauth_client")
        .order_by(AuditEntry.id)
    ]
    assert actions == [
        "oauth_client.created",
        "oauth_client.secret_rotated",
        "oauth_client.revoked",
    ]


def test_key_addresses_page_saves_and_refuses_beside_the_field(client, seller):
    key = PartnerKey.get(PartnerKey.account == seller.id)
    path = f"/console/keys/partner/{key.id}/addresses"
    assert "Allowed addresses of the partner key" in page_text(client.get(path))
    refused = post_form(client, path, path, {"addresses": "10.0.0.1\nfoo"})
    assert refused.status_code == 400
    assert "&#39;foo&#39; is not an IP address or CIDR range" in refused.get_data(as_text=True)
    saved = post_form(client, path, path, {"addresses": "10.0.0.1\n2001:db8::/32"})
    assert saved.status_code == 302
    assert PartnerKey.get_by_id(key.id).allowed_ips == "10.0.0.1/32 2001:db8::/32"
    assert client.get(f"/console/keys/nothing/{key.id}/addresses").status_code == 404
    assert client.get(f"/console/keys/admin/{key.id + 99}/addresses").status_code == 404


def test_test_mode_page_makes_keys_and_wipes(client, seller, factory):
    import json

    from tests.factories import order_body
    from tp_api.models import Order, TicketType
    from tp_api.services import sandbox

    factory.ticket_type(factory.event(seller))
    assert "No test partner keys yet." in page_text(client.get("/console/test-mode"))
    made = post_form(
        client, "/console/test-mode", "/console/test-mode/keys/partner", {"label": "Test shop"}
    )
    secret = _issued(made)
    assert secret.startswith("tp_test_")
    box = sandbox.find_sandbox(seller.id)
    test_type = TicketType.select().join(Event).where(Event.account == box.id).get()
    pushed = client.post(
        f"/tp-api/orders/create?key={secret}",
        data=json.dumps(order_body(test_type.id)),
        content_type="application/json",
    )
    assert pushed.status_code == 200
    assert "1 test orders" in page_text(client.get("/console/test-mode"))
    wiped = post_form(client, "/console/test-mode", "/console/test-mode/wipe", {})
    assert wiped.status_code == 302
    assert Order.select().where(Order.account == box.id).count() == 0
    key = PartnerKey.get(PartnerKey.account == box.id)
    revoked = post_form(
        client, "/console/test-mode", f"/console/test-mode/keys/partner/{key.id}/revoke", {}
    )
    assert revoked.status_code == 302 and PartnerKey.get_by_id(key.id).revoked_at is not None
    admin = post_form(
        client, "/console/test-mode", "/console/test-mode/keys/admin", {"label": "Cert"}
    )
    assert _issued(admin).startswith("tpk_test_")
    assert client.get("/console/test-mode/keys/other").status_code == 405


def test_the_audit_trail_names_oauth_and_allowlist_changes(client, seller):
    from html import unescape

    from tp_api.services.credentials import oauth_clients

    made = oauth_clients.create_client(seller.id, label="Box office")
    oauth_clients.set_allowlist(seller.id, made.client.id, ["192.0.2.1"])
    text = unescape(page_text(client.get("/console/audit?action=oauth_client")))
    assert "OAuth client created" in text
    assert "OAuth client's addresses changed" in text
    assert "Event created" not in text
