"""The dates of an event after it was made (``/api/v1/events/{id}/dates``): add one with its
ticket types, change its title, times or capacity, remove one nothing was sold for; each in
the audit trail."""

from __future__ import annotations

from datetime import timedelta

from tests.admin_api import api_error, iso, later, now
from tests.tp_api.admin.events_support import partner_order, placed
from tp_api.models import AuditEntry


def _date(event: dict, title: str) -> dict:
    return next(d for d in event["dates"] if d["title"] == title)


def test_add_a_date_with_its_ticket_types_and_sell_it(api, client, seller):
    event = api.publish(api.create())
    start = now() + timedelta(days=61)
    response = api.post(
        f"/events/{event['id']}/dates",
        {
            "title": "Extra night",
            "startsAt": iso(start),
            "endsAt": iso(start + timedelta(hours=4)),
            "capacity": 50,
            "ticketTypes": [{"name": "Night pass", "price": 1500, "quantity": 80}],
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    added = _date(response.get_json(), "Extra night")
    assert added["capacity"] == 50
    (night,) = added["ticketTypes"]
    assert (night["name"], night["price"]) == ("Night pass", 1500)
    # On sale with its event, through the partner API, drawing from the date's own pool.
    placed(partner_order(client, seller, night["id"], quantity=2))
    listed = client.get(f"/tp-api/events?key={seller.key}").get_json()
    assert "Extra night" in str(listed)
    actions = [e.action for e in AuditEntry.select().order_by(AuditEntry.id)]
    assert actions[-2:] == ["event.date_added", "ticket_type.created"]


def test_change_a_date_and_keep_its_capacity_above_what_is_sold(api, client, seller):
    event = api.create(
        dates=[
            {
                "title": "Day one",
                "startsAt": later(60),
                "capacity": 10,
                "ticketTypes": [{"name": "Day ticket", "price": 1000, "quantity": 10}],
            }
        ]
    )
    api.publish(event)
    day = event["dates"][0]
    placed(partner_order(client, seller, day["ticketTypes"][0]["id"], quantity=3))
    starts = now() + timedelta(days=70)
    changed = api.patch(
        f"/events/{event['id']}/dates/{day['id']}",
        {"title": "Day 1", "startsAt": iso(starts), "capacity": 5},
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)
    after = _date(changed.get_json(), "Day 1")
    assert (after["capacity"], after["startsAt"][:16]) == (5, iso(starts)[:16])
    too_small = api.patch(f"/events/{event['id']}/dates/{day['id']}", {"capacity": 2})
    api_error(too_small, 422, "capacity_below_sold")
    backwards = api.patch(
        f"/events/{event['id']}/dates/{day['id']}", {"endsAt": iso(starts - timedelta(hours=1))}
    )
    api_error(backwards, 422, "invalid_dates")
    entry = AuditEntry.select().where(AuditEntry.action == "event.date_updated").get()
    assert '"capacity"' in entry.changes or '"title"' in entry.changes


def test_remove_a_date_only_when_nothing_was_sold_for_it(api, client, seller):
    event = api.create(
        dates=[
            {
                "title": "Sold",
                "startsAt": later(60),
                "ticketTypes": [{"name": "A", "price": 1000, "quantity": 5}],
            },
            {"title": "Empty", "startsAt": later(61)},
        ]
    )
    api.publish(event)
    sold, empty = _date(event, "Sold"), _date(event, "Empty")
    placed(partner_order(client, seller, sold["ticketTypes"][0]["id"]))
    kept = api.delete(f"/events/{event['id']}/dates/{sold['id']}")
    api_error(kept, 409, "date_has_tickets")
    assert api.delete(f"/events/{event['id']}/dates/{empty['id']}").status_code == 204
    titles = [d["title"] for d in api.get(f"/events/{event['id']}").get_json()["dates"]]
    assert titles == ["Sold"]
    api_error(api.delete(f"/events/{event['id']}/dates/{empty['id']}"), 404, "event_date_not_found")


def test_dates_of_a_closed_event_do_not_change(api):
    event = api.create()
    assert api.post(f"/events/{event['id']}/cancel", {}).status_code == 200
    refused = api.post(f"/events/{event['id']}/dates", {"title": "Late", "startsAt": later(65)})
    api_error(refused, 409, "event_closed")


def test_a_bad_date_is_a_field_error_not_a_crash(api):
    event = api.create()
    response = api.post(f"/events/{event['id']}/dates", {"title": "", "startsAt": "soon"})
    error = api_error(response, 400, "validation_error")
    assert {d["field"] for d in error["details"]} >= {"title", "startsAt"}


def test_moving_a_date_moves_its_tickets_date(api, client, seller):
    event = api.create(
        dates=[
            {
                "title": "Night",
                "startsAt": later(60),
                "ticketTypes": [{"name": "Night pass", "price": 1000, "quantity": 5}],
            }
        ]
    )
    api.publish(event)
    night = event["dates"][0]
    moved = now() + timedelta(days=90)
    assert api.patch(
        f"/events/{event['id']}/dates/{night['id']}", {"startsAt": iso(moved)}
    ).status_code == 200  # fmt: skip
    from tp_api.models import TicketType

    (pass_,) = TicketType.select().where(TicketType.event == night["id"])
    assert pass_.date.replace(microsecond=0) == moved.replace(microsecond=0)


def test_a_removed_date_counts_for_nothing(api):
    # A draft whose only ticket types were on a date that was removed cannot be published.
    event = api.create(
        ticketTypes=[],
        dates=[
            {
                "title": "Gone",
                "startsAt": later(60),
                "ticketTypes": [{"name": "A", "price": 1000, "quantity": 5}],
            }
        ],
    )
    gone = event["dates"][0]
    assert api.delete(f"/events/{event['id']}/dates/{gone['id']}").status_code == 204
    api_error(api.post(f"/events/{event['id']}/publish"), 409, "event_incomplete")
    type_id = gone["ticketTypes"][0]["id"]
    changed = api.patch(f"/events/{event['id']}/ticket-types/{type_id}", {"quantity": 9})
    api_error(changed, 404, "ticket_type_not_found")


def test_removing_an_unsold_date_leaves_a_sold_out_event_sold_out(api, client, seller):
    event = api.create(
        ticketTypes=[],
        dates=[
            {
                "title": "Full",
                "startsAt": later(60),
                "ticketTypes": [{"name": "A", "price": 1000, "quantity": 1}],
            },
            {
                "title": "Empty",
                "startsAt": later(61),
                "ticketTypes": [{"name": "B", "price": 1000, "quantity": 5}],
            },
        ],
    )
    api.publish(event)
    full, empty = _date(event, "Full"), _date(event, "Empty")
    placed(partner_order(client, seller, full["ticketTypes"][0]["id"]))
    assert api.delete(f"/events/{event['id']}/dates/{empty['id']}").status_code == 204
    sold_out = [e["id"] for e in api.get("/events", status="sold_out").get_json()["items"]]
    assert event["id"] in sold_out
