"""GET /api/v1/events/{id}/attendees and .csv: every ticket of an event and its dates with
holder, order, status and admissions, filtered, paged and streamed (issue 19)."""

from __future__ import annotations

import csv
import io

from config.settings import Settings
from config.tickets import scan_public_keys, ticket_tools
from tests.admin_api import Admin
from tests.conftest import TEST_SECRET
from tp_api.models import Event, TicketType
from tp_api.services.delivery.ticket_files import ticket_code
from tp_api.services.door import scanners
from tp_api.services.door.checkin import ScanRequest, scan


def _shop(factory, seller):
    event = factory.event(
        seller,
        name="Harbour Jazz",
        children=[
            {
                "name": "Day 1",
                "stock": 50,
                "tickets": [{"name": "Day pass", "stock": 50, "price": 10}],
            }
        ],
    )
    general = factory.ticket_type(event)
    day = TicketType.get(TicketType.event == Event.get(Event.parent == event.id).id)
    first = factory.order(seller, general, quantity=2)
    tickets = factory.personalise_all(seller, first)
    second = factory.order(seller, day, quantity=1, wp_user_id=8)
    return event, first, second, tickets


def _admit(seller, event, ticket):
    settings = Settings(secret_key=TEST_SECRET)
    context = scanners.authenticate_scanner(
        scanners.create_scanner(seller.id, "Gate", [event.id]).secret
    )
    request = ScanRequest(ticket_code(ticket_tools(settings), ticket), event.id, gate="A")
    assert scan(context, request, scan_public_keys(settings)).success


def test_the_list_pages_filters_and_shows_admissions(client, factory, seller):
    event, first, second, tickets = _shop(factory, seller)
    _admit(seller, event, tickets[0])
    api = Admin(client, factory.api_key(seller, scopes=["customers:read"]))
    listed = api.get(f"/events/{event.id}/attendees")
    assert listed.status_code == 200, listed.get_data(as_text=True)
    items = listed.get_json()["items"]
    assert [i["orderId"] for i in items] == [first.number, first.number, second.number]
    assert [i["date"] for i in items] == ["Harbour Jazz", "Harbour Jazz", "Day 1"]
    admitted = items[0]
    assert admitted["ticketId"] == tickets[0].reference and admitted["status"] == "scanned_in"
    assert (
        admitted["firstCheckIn"] is not None and admitted["firstCheckIn"] == admitted["lastCheckIn"]
    )
    assert (
        admitted["firstName"] == tickets[0].first_name
        and admitted["buyerEmail"] == "jane@example.com"
    )
    assert items[2]["status"] == "created" and items[2]["firstCheckIn"] is None

    page = api.get(f"/events/{event.id}/attendees", limit=2).get_json()
    assert len(page["items"]) == 2 and page["nextCursor"]
    rest = api.get(f"/events/{event.id}/attendees", limit=2, cursor=page["nextCursor"]).get_json()
    assert [i["ticketId"] for i in rest["items"]] == [items[2]["ticketId"]] and rest[
        "nextCursor"
    ] is None

    def ids(**query: str) -> list[str]:
        answer = api.get(f"/events/{event.id}/attendees", **query)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return [i["ticketId"] for i in answer.get_json()["items"]]

    assert ids(checkedIn="true") == [tickets[0].reference]
    assert ids(checkedIn="false") == [tickets[1].reference, items[2]["ticketId"]]
    assert ids(status="created") == [items[2]["ticketId"]]
    assert ids(search=tickets[1].first_name) == [tickets[1].reference]
    assert api.get(f"/events/{event.id}/attendees", status="nope").status_code == 400
    assert api.get("/events/999999/attendees").status_code == 404


def test_the_csv_streams_every_attendee(client, factory, seller):
    event, first, second, tickets = _shop(factory, seller)
    api = Admin(client, factory.api_key(seller, scopes=["customers:read"]))
    answer = api.get(f"/events/{event.slug or event.id}/attendees.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0][:3] == ["ticket", "status", "ticket_type"]
    assert [r[8] for r in rows[1:]] == [str(first.number)] * 2 + [str(second.number)]
    assert rows[1][4] == tickets[0].first_name
    narrowed = api.get(f"/events/{event.id}/attendees.csv", status="created")
    assert len(list(csv.reader(io.StringIO(narrowed.get_data(as_text=True))))) == 2
    assert api.get("/events/999999/attendees.csv").status_code == 404


def test_holders_are_customer_data(client, factory, seller):
    event, *_ = _shop(factory, seller)
    api = Admin(client, factory.api_key(seller, scopes=["events:read"]))
    refused = api.get(f"/events/{event.id}/attendees")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["details"]["missingScopes"] == ["customers:read"]
    other = factory.seller()
    theirs = Admin(client, factory.api_key(other))
    assert theirs.get(f"/events/{event.id}/attendees").status_code == 404
