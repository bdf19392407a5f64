"""When the doors open, through the admin API: ``admissionOpensMinutes`` on an event (and
on its dates, which otherwise follow the event) is set on create and update, cleared with
null, shown on read, validated, and kept in the audit trail."""

from __future__ import annotations

from tests.admin_api import event_body, later
from tests.tp_api.admin.events_support import field_errors
from tp_api.models import AuditEntry


def test_an_event_is_created_with_its_admission_time_and_it_can_be_cleared(api):
    event = api.create(
        admissionOpensMinutes=45,
        dates=[
            {"title": "Day 1", "startsAt": later(61)},
            {"title": "Day 2", "startsAt": later(62), "admissionOpensMinutes": 120},
        ],
    )
    assert event["admissionOpensMinutes"] == 45
    # A date without its own follows the event's (null), one with its own keeps it.
    assert [d["admissionOpensMinutes"] for d in event["dates"]] == [None, 120]
    cleared = api.patch(f"/events/{event['id']}", {"admissionOpensMinutes": None})
    assert cleared.status_code == 200
    assert cleared.get_json()["admissionOpensMinutes"] is None
    assert api.event(event["id"])["admissionOpensMinutes"] is None


def test_by_default_the_doors_open_at_any_time(api):
    assert api.create()["admissionOpensMinutes"] is None


def test_an_update_sets_it_and_the_audit_trail_keeps_the_change(api):
    event = api.create()
    response = api.patch(f"/events/{event['id']}", {"admissionOpensMinutes": 30})
    assert response.get_json()["admissionOpensMinutes"] == 30
    entry = AuditEntry.select().where(AuditEntry.action == "event.updated").get()
    assert '"admission_opens_minutes": [null, 30]' in entry.changes


def test_a_date_sets_and_clears_its_own(api):
    event = api.create(dates=[{"title": "Day 1", "startsAt": later(61)}])
    day = event["dates"][0]
    path = f"/events/{event['id']}/dates/{day['id']}"
    assert api.patch(path, {"admissionOpensMinutes": 15}).status_code == 200
    assert api.event(event["id"])["dates"][0]["admissionOpensMinutes"] == 15
    assert api.patch(path, {"admissionOpensMinutes": None}).status_code == 200
    assert api.event(event["id"])["dates"][0]["admissionOpensMinutes"] is None
    added = api.post(
        f"/events/{event['id']}/dates",
        {"title": "Day 2", "startsAt": later(62), "admissionOpensMinutes": 90},
    )
    assert added.status_code == 201, added.get_data(as_text=True)
    assert api.event(event["id"])["dates"][1]["admissionOpensMinutes"] == 90


def test_minutes_outside_zero_to_a_week_are_refused(api):
    too_early = api.post("/events", event_body(admissionOpensMinutes=10_081))
    assert "admissionOpensMinutes" in field_errors(too_early)
    negative = api.post("/events", event_body(admissionOpensMinutes=-1))
    assert "admissionOpensMinutes" in field_errors(negative)
