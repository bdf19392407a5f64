"""``/api/v1/affiliates``: registering, listing with earnings, changing, the links; scopes,
other accounts, the audit trail, and bad input answered with 400 JSON errors."""

from __future__ import annotations

import json
import re
import threading

import pytest

from tests.admin_api import ALL_SCOPES, Admin, api_error
from tests.tp_api.affiliates.support import push
from tp_api.db import database
from tp_api.models import AffiliateLink, AuditEntry, TicketType


@pytest.fixture
def ticket_type(factory, seller) -> TicketType:
    return factory.ticket_type(factory.event(seller, name="Harbour Drop", ticket_stock=100))


def register(api, **fields) -> dict:
    body = {"name": "Anna Rijs", "commissionRate": 12.5, **fields}
    response = api.post("/affiliates", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def test_register_an_affiliate(api, seller):
    made = register(api, email="anna@example.com", code="Anna-Rijs")
    assert made == {
        "id": made["id"],
        "name": "Anna Rijs",
        "email": "anna@example.com",
        "code": "anna-rijs",
        "commissionRate": 12.5,
        "enabled": True,
        "clicks": 0,
        "orders": 0,
        "earnings": [],
        "createdAt": made["createdAt"],
        "updatedAt": made["createdAt"],
    }
    entry = AuditEntry.get(AuditEntry.action == "affiliate.created")
    assert (entry.actor_kind, entry.subject_type, entry.subject_id) == (
        "api_key",
        "affiliate",
        made["id"],
    )
    assert json.loads(entry.changes)["commission_rate"] == [None, 12.5]


def test_a_code_is_made_up_when_none_is_given(api):
    made = register(api)
    assert re.fullmatch(r"[a-z2-9]{8}", made["code"]) and made["email"] is None


def test_a_code_is_unique_per_account(api, factory):
    register(api, code="anna")
    error = api_error(
        api.post("/affiliates", {"name": "B", "commissionRate": 5, "code": "ANNA"}),
        409,
        "affiliate_code_taken",
    )
    assert "anna" in error["message"]
    # Another account may use it.
    other = Admin(api.client, factory.api_key(factory.seller()))
    assert register(other, code="anna")["code"] == "anna"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "A", "commissionRate": 100.01},
        {"name": "A", "commissionRate": -1},
        {"name": "A", "commissionRate": 12.345},
        {"name": "A", "commissionRate": "ten"},
        {"name": "A"},
        {"name": "", "commissionRate": 10},
        {"name": "A\nB", "commissionRate": 10},
        {"name": "A", "commissionRate": 10, "email": "not an address"},
        {"name": "A", "commissionRate": 10, "code": "a b"},
        {"name": "A", "commissionRate": 10, "code": "-ab"},
        {"name": "A", "commissionRate": 10, "code": "ab"},
        {"name": "A", "commissionRate": 10, "code": "x" * 41},
        {"name": "A", "commissionRate": 10, "colour": "red"},
        [],
    ],
)
def test_bad_input_is_a_400_validation_error(api, body):
    api_error(
        api.post("/affiliates", body), 400, "validation_error" if body != [] else "invalid_json"
    )


def test_malformed_json_is_a_400(api):
    api_error(api.post("/affiliates", raw="{"), 400, "invalid_json")
    api_error(api.patch("/affiliates/1", None, raw="nope"), 400, "invalid_json")


def test_the_list_shows_earnings_per_currency_and_the_unknown_codes(api, seller, ticket_type):
    anna = register(api, code="anna", commissionRate=10)
    bram = register(api, name="Bram", code="bram", commissionRate=0)
    push(seller, ticket_type, wp_order_id="wc_1", affiliate_code="anna")
    push(seller, ticket_type, wp_order_id="wc_2", affiliate_code="anna", currency="USD")
    push(seller, ticket_type, wp_order_id="wc_3", affiliate_code="somebody")
    body = api.get("/affiliates").get_json()
    assert body["unattributedOrders"] == 1 and body["nextCursor"] is None
    listed = {a["code"]: a for a in body["items"]}
    assert [a["id"] for a in body["items"]] == [anna["id"], bram["id"]]
    assert listed["anna"]["orders"] == 2
    assert listed["anna"]["earnings"] == [
        {"currency": "EUR", "orders": 1, "revenue": 2995, "commission": 300},
        {"currency": "USD", "orders": 1, "revenue": 2995, "commission": 300},
    ]
    assert listed["bram"]["earnings"] == [] and listed["bram"]["commissionRate"] == 0


def test_the_list_pages_by_cursor(api):
    made = [register(api, name=f"A{n}")["id"] for n in range(5)]
    first = api.get("/affiliates", limit=3).get_json()
    assert [a["id"] for a in first["items"]] == made[:3]
    rest = api.get("/affiliates", limit=3, cursor=first["nextCursor"]).get_json()
    assert [a["id"] for a in rest["items"]] == made[3:] and rest["nextCursor"] is None
    api_error(api.get("/affiliates", cursor="not-ours"), 400, "invalid_cursor")
    api_error(api.get("/affiliates", limit=0), 400, "validation_error")


def test_change_the_rate_name_and_switch_off(api, seller, ticket_type):
    made = register(api, code="anna", commissionRate=10)
    changed = api.patch(f"/affiliates/{made['id']}", {"commissionRate": 20, "name": "Anna R."})
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert (changed.get_json()["commissionRate"], changed.get_json()["name"]) == (20, "Anna R.")
    entry = AuditEntry.get(AuditEntry.action == "affiliate.updated")
    assert json.loads(entry.changes) == {
        "commission_rate": [10, 20],
        "name": ["Anna Rijs", "Anna R."],
    }
    off = api.patch(f"/affiliates/{made['id']}", {"enabled": False}).get_json()
    assert off["enabled"] is False
    push(seller, ticket_type, wp_order_id="wc_1", affiliate_code="anna")
    assert api.get(f"/affiliates/{made['id']}").get_json()["orders"] == 0
    assert api.get("/affiliates").get_json()["unattributedOrders"] == 1
    api_error(
        api.patch(f"/affiliates/{made['id']}", {"commissionRate": 101}), 400, "validation_error"
    )
    api_error(api.patch(f"/affiliates/{made['id']}", {"code": "new"}), 400, "validation_error")


def test_another_accounts_affiliate_is_not_found(api, factory):
    theirs = register(Admin(api.client, factory.api_key(factory.seller())))
    for response in (
        api.get(f"/affiliates/{theirs['id']}"),
        api.patch(f"/affiliates/{theirs['id']}", {"name": "Mine"}),
        api.get(f"/affiliates/{theirs['id']}/links"),
        api.post(f"/affiliates/{theirs['id']}/links", {"eventId": 1}),
        api.get("/affiliates/9007199254740993"),
    ):
        api_error(
            response,
            404,
            "affiliate_not_found" if "9007" not in response.request.path else "not_found",
        )


def test_links_one_per_published_event_with_their_figures(api, factory, seller, ticket_type):
    draft = api.create(title="Later")
    made = register(api, code="anna", commissionRate=10)
    push(seller, ticket_type, quantity=2, wp_order_id="wc_1", affiliate_code="anna")
    links = api.get(f"/affiliates/{made['id']}/links").get_json()["items"]
    assert [link["eventName"] for link in links] == ["Harbour Drop"]
    link = links[0]
    assert re.fullmatch(r"http://tickets\.test/r/[a-z2-9]{10}", link["url"])
    assert link["url"].endswith("/r/" + link["code"])
    assert (link["clicks"], link["orders"], link["landingUrl"]) == (0, 1, None)
    assert link["earnings"] == [
        {"currency": "EUR", "orders": 1, "revenue": 5990, "commission": 599}
    ]
    # An event published later gets its link when the links are read.
    api.publish(draft)
    later = api.get(f"/affiliates/{made['id']}/links").get_json()["items"]
    assert sorted(link["eventName"] for link in later) == ["Harbour Drop", "Later"]
    assert later[0]["code"] != later[1]["code"]
    again = api.get(f"/affiliates/{made['id']}/links").get_json()["items"]
    assert [link["code"] for link in again] == [link["code"] for link in later]


def test_a_link_for_a_draft_and_its_landing_address(api, seller):
    draft = api.create(title="Draft Night")
    made = register(api)
    response = api.post(
        f"/affiliates/{made['id']}/links",
        {"eventId": draft["id"], "landingUrl": "https://shop.example/draft-night?ref=1"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    link = response.get_json()
    assert (link["eventName"], link["landingUrl"], link["clicks"]) == (
        "Draft Night",
        "https://shop.example/draft-night?ref=1",
        0,
    )
    entry = AuditEntry.get(AuditEntry.action == "affiliate.link_created")
    assert entry.subject_label == "Anna Rijs: Draft Night"
    twice = api.post(f"/affiliates/{made['id']}/links", {"eventId": draft["id"]})
    assert api_error(twice, 409, "link_exists")["details"] == {"linkId": link["id"]}
    path = f"/affiliates/{made['id']}/links/{link['id']}"
    cleared = api.patch(path, {"landingUrl": ""})
    assert cleared.status_code == 200 and cleared.get_json()["landingUrl"] is None
    assert AuditEntry.get(AuditEntry.action == "affiliate.link_changed").changes
    api_error(
        api.patch(path, {"landingUrl": "javascript:alert(1)"}), 400, "link_landing_url_invalid"
    )
    api_error(
        api.patch(path, {"landingUrl": "ftp://shop.example/x"}), 400, "link_landing_url_invalid"
    )
    api_error(
        api.patch(f"/affiliates/{made['id']}/links/999999", {"landingUrl": ""}),
        404,
        "link_not_found",
    )
    api_error(
        api.post(f"/affiliates/{made['id']}/links", {"eventId": 999999}), 404, "event_not_found"
    )
    api_error(
        api.post(f"/affiliates/{made['id']}/links", {"eventId": "x"}), 400, "validation_error"
    )
    assert AffiliateLink.select().count() == 1


# (method, path, scope, body, status when allowed)
ENDPOINTS = [
    ("GET", "/affiliates", "affiliates:read", None, 200),
    ("POST", "/affiliates", "affiliates:write", {"name": "N", "commissionRate": 1}, 201),
    ("GET", "/affiliates/{a}", "affiliates:read", None, 200),
    ("PATCH", "/affiliates/{a}", "affiliates:write", {"name": "M"}, 200),
    ("GET", "/affiliates/{a}/links", "affiliates:read", None, 200),
    ("POST", "/affiliates/{a}/links", "affiliates:write", {"eventId": "{e}"}, 201),
    ("PATCH", "/affiliates/{a}/links/{l}", "affiliates:write", {"landingUrl": ""}, 200),
]


@pytest.mark.parametrize(("method", "path", "scope", "body", "ok"), ENDPOINTS)
def test_each_endpoint_needs_its_scope_and_no_more(
    api, factory, seller, method, path, scope, body, ok
):
    made = register(api)
    draft = api.create(title="Draft")
    link = AffiliateLink.select().where(AffiliateLink.affiliate == made["id"]).first()
    link_id = (
        link.id
        if link
        else api.post(
            f"/affiliates/{made['id']}/links", {"eventId": api.create(title="X")["id"]}
        ).get_json()["id"]
    )
    url = path.format(a=made["id"], l=link_id)
    payload = json.loads(json.dumps(body).replace('"{e}"', str(draft["id"]))) if body else None
    without = Admin(api.client, factory.api_key(seller, [s for s in ALL_SCOPES if s != scope]))
    refused = without.request(method, url, payload)
    assert api_error(refused, 403, "missing_scopes")["details"] == {"missingScopes": [scope]}
    only = Admin(api.client, factory.api_key(seller, [scope]))
    assert only.request(method, url, payload).status_code == ok


def test_an_email_address_is_removed_with_an_empty_one(api):
    made = register(api, email="anna@example.com")
    cleared = api.patch(f"/affiliates/{made['id']}", {"email": ""})
    assert cleared.status_code == 200 and cleared.get_json()["email"] is None


def test_the_same_link_asked_for_at_once_is_made_once(app, api, factory, seller):
    draft = api.create(title="Draft")
    made = register(api)
    key = factory.api_key(seller)
    start = threading.Barrier(4)
    statuses: list[int] = []

    def ask() -> None:
        own = Admin(app.test_client(), key)
        start.wait()
        statuses.append(
            own.post(f"/affiliates/{made['id']}/links", {"eventId": draft["id"]}).status_code
        )
        database.close()

    workers = [threading.Thread(target=ask) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(statuses) == [201, 409, 409, 409]
    assert AffiliateLink.select().where(AffiliateLink.event == draft["id"]).count() == 1


def test_a_link_made_between_the_check_and_the_insert_is_a_409(api, monkeypatch):
    """What the race above may come to on PostgreSQL, made certain: the check before the
    INSERT saw no link, the unique pair refuses the INSERT, and the answer is the 409."""
    from tp_api.services.affiliates import links

    draft = api.create(title="Draft")
    made = register(api)
    first = api.post(f"/affiliates/{made['id']}/links", {"eventId": draft["id"]}).get_json()
    checks = []
    real_check = links._refuse_existing

    def blind_first(affiliate_id: int, event_id: int) -> None:
        checks.append(event_id)
        if len(checks) > 1:
            real_check(affiliate_id, event_id)

    monkeypatch.setattr(links, "_refuse_existing", blind_first)
    again = api.post(f"/affiliates/{made['id']}/links", {"eventId": draft["id"]})
    assert api_error(again, 409, "link_exists")["details"] == {"linkId": first["id"]}
    assert len(checks) == 2
