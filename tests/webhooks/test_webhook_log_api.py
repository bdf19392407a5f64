"""An endpoint's delivery log in the admin API: deliveries newest first with every attempt,
resend, rotate-secret, and deliveries known by a random number."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from standardwebhooks import Webhook

from tests.admin_api import api_error
from tests.webhooks.support import (
    ORDER_TYPES,
    all_text,
    box,
    drain,
)
from tp_api.models import (
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from tp_api.models.base import PUBLIC_NUMBER_MAX, PUBLIC_NUMBER_MIN

# --- the delivery log ----------------------------------------------------------------------------


def test_the_log_of_deliveries_pages_newest_first(api, rx, outbox):
    created = api.create_hook(rx.url, ORDER_TYPES)
    endpoint_id = created["id"]
    (on_creation,) = api.deliveries(endpoint_id)  # the ping queued when the hook was made
    queued = [api.post(f"/webhooks/{endpoint_id}/ping") for _ in range(4)]
    assert {r.status_code for r in queued} == {202}
    # Oldest first; ids are random numbers, so the order is the order they were made in.
    ids = [on_creation["id"]] + [r.get_json()["deliveryId"] for r in queued]
    assert len(set(ids)) == 5
    drain(outbox)
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = api.get(f"/webhooks/{endpoint_id}/deliveries", **query)
        assert response.status_code == 200, all_text(response)
        page = response.get_json()
        pages += 1
        assert len(page["items"]) <= 2
        seen += [d["id"] for d in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == ids[::-1]
    assert [d["id"] for d in api.deliveries(endpoint_id, status="succeeded")] == seen
    assert api.deliveries(endpoint_id, status="pending") == []
    api_error(
        api.get(f"/webhooks/{endpoint_id}/deliveries", cursor="not-a-cursor"), 400, "invalid_cursor"
    )


def test_the_log_of_deliveries_shows_every_attempt(api, rx, outbox):
    created = api.create_hook(rx.url, ORDER_TYPES)
    rx.answer((500, "database down"), (200, "x" * 2000))
    drain(outbox)
    (delivery,) = api.deliveries(created["id"])
    assert (delivery["status"], delivery["attempts"]) == ("pending", 1)
    assert delivery["nextAttemptAt"] is not None and delivery["finishedAt"] is None
    (first,) = delivery["attemptLog"]
    assert (first["number"], first["statusCode"], first["error"]) == (1, 500, None)
    assert first["responseExcerpt"] == "database down"
    assert isinstance(first["durationMs"], int) and 0 <= first["durationMs"] < 5000
    assert api.deliveries(created["id"], status="pending")[0]["id"] == delivery["id"]
    # The retry is due a few seconds later.
    next_at = datetime.fromisoformat(delivery["nextAttemptAt"].replace("Z", "+00:00"))
    assert timedelta(seconds=3) <= next_at - datetime.now(UTC) <= timedelta(seconds=6)
    WebhookDelivery.update(next_attempt_at=datetime.now(UTC)).execute()
    from tp_api.models import OutboxEntry

    OutboxEntry.update(not_before=datetime.now(UTC)).where(OutboxEntry.done_at.is_null()).execute()
    drain(outbox)
    (delivery,) = api.deliveries(created["id"])
    assert (delivery["status"], delivery["attempts"], delivery["nextAttemptAt"]) == (
        "succeeded",
        2,
        None,
    )
    assert [a["statusCode"] for a in delivery["attemptLog"]] == [500, 200]
    assert delivery["attemptLog"][1]["responseExcerpt"] == "x" * 500
    assert len(rx.requests) == 2


def test_an_unreachable_receiver_is_logged_with_its_error(api, rx, outbox):
    created = api.create_hook(rx.url, ORDER_TYPES)
    rx.server.shutdown()
    rx.server.server_close()  # nothing listens on the port any more
    drain(outbox)
    (delivery,) = api.deliveries(created["id"])
    (attempt,) = delivery["attemptLog"]
    assert attempt["statusCode"] is None
    assert attempt["error"] and "ConnectionError" in attempt["error"]
    assert delivery["status"] == "pending"


# --- resend --------------------------------------------------------------------------------------


def test_resend_sends_a_finished_one_again_with_the_same_id(api, rx, outbox, finished):
    created, delivery_id = finished
    (first,) = rx.wait_for(1)
    response = api.post(f"/webhooks/deliveries/{delivery_id}/resend")
    assert response.status_code == 202, all_text(response)
    resent = response.get_json()
    assert (resent["id"], resent["status"], resent["finishedAt"]) == (delivery_id, "pending", None)
    assert resent["eventId"] == first.headers["webhook-id"]
    assert len(resent["attemptLog"]) == 1
    # Still pending: a second resend is refused until it finished.
    api_error(api.post(f"/webhooks/deliveries/{delivery_id}/resend"), 409, "delivery_pending")
    drain(outbox)
    first, again = rx.wait_for(2)
    assert again.headers["webhook-id"] == first.headers["webhook-id"]
    assert again.body == first.body
    Webhook(created["secret"]).verify(again.body, again.headers)
    (delivery,) = api.deliveries(created["id"])
    assert (delivery["status"], delivery["attempts"]) == ("succeeded", 2)
    assert [a["number"] for a in delivery["attemptLog"]] == [1, 2]
    assert WebhookEvent.select().count() == 1


def fail_until_given_up(api, outbox, endpoint_id: int) -> dict:
    """Let the receiver's 500s run the delivery through its whole retry schedule."""
    for _ in range(20):
        (delivery,) = api.deliveries(endpoint_id)
        if delivery["status"] != "pending":
            return delivery
        due = datetime.fromisoformat(delivery["nextAttemptAt"].replace("Z", "+00:00"))
        with time_machine.travel(due + timedelta(seconds=1), tick=False):
            drain(outbox)
    raise AssertionError("the delivery was never given up")


def test_a_resent_failed_one_is_retried_again(api, rx, outbox):
    created = api.create_hook(rx.url, ORDER_TYPES)
    rx.default = (500, "down")
    drain(outbox)
    given_up = fail_until_given_up(api, outbox, created["id"])
    assert given_up["status"] == "failed" and given_up["attempts"] >= 11
    tried = given_up["attempts"]
    later = datetime.fromisoformat(given_up["finishedAt"].replace("Z", "+00:00"))
    with time_machine.travel(later + timedelta(minutes=1), tick=False):
        response = api.post(f"/webhooks/deliveries/{given_up['id']}/resend")
        assert response.status_code == 202, all_text(response)
        drain(outbox)
        (resent,) = api.deliveries(created["id"])
    assert resent["attempts"] == tried + 1
    assert len(rx.requests) == tried + 1
    # Still down: the resend's own retry window has just begun, so it is tried again later.
    assert resent["status"] == "pending", resent
    assert resent["nextAttemptAt"] is not None


def test_resend_to_a_disabled_endpoint_is_refused(api, outbox, finished):
    created, delivery_id = finished
    api.patch(f"/webhooks/{created['id']}", {"enabled": False})
    api_error(api.post(f"/webhooks/deliveries/{delivery_id}/resend"), 409, "webhook_disabled")
    assert WebhookDelivery.get(WebhookDelivery.number == delivery_id).status == "succeeded"


# --- rotate-secret -------------------------------------------------------------------------------


def test_rotate_secret_gives_a_new_secret(api, finished, settings):
    created, _ = finished
    response = api.post(f"/webhooks/{created['id']}/rotate-secret", {"graceHours": 2})
    assert response.status_code == 200, all_text(response)
    rotated = response.get_json()
    assert set(rotated) == {"secret", "previousSecretExpiresAt"}
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    expires = datetime.fromisoformat(rotated["previousSecretExpiresAt"].replace("Z", "+00:00"))
    assert abs(expires - (datetime.now(UTC) + timedelta(hours=2))) < timedelta(minutes=1)
    row = WebhookEndpoint.get_by_id(created["id"])
    assert box(settings).open(row.secret_sealed) == rotated["secret"]
    assert box(settings).open(row.previous_secret_sealed) == created["secret"]
    shown = api.get(f"/webhooks/{created['id']}")
    assert shown.get_json()["previousSecretExpiresAt"] == rotated["previousSecretExpiresAt"]
    assert rotated["secret"] not in all_text(shown)
    default = api.post(f"/webhooks/{created['id']}/rotate-secret").get_json()
    expires = datetime.fromisoformat(default["previousSecretExpiresAt"].replace("Z", "+00:00"))
    assert abs(expires - (datetime.now(UTC) + timedelta(hours=24))) < timedelta(minutes=1)
    for bad in (-1, 169, "soon"):
        api_error(
            api.post(f"/webhooks/{created['id']}/rotate-secret", {"graceHours": bad}),
            400,
            "validation_error",
        )


def test_a_delivery_is_known_by_a_random_number_not_its_row_id(api, finished):
    """Row ids count every tenant's webhook events; the id a tenant sees tells it nothing."""
    created, number = finished
    row = WebhookDelivery.get(WebhookDelivery.endpoint == created["id"])
    assert row.number == number and PUBLIC_NUMBER_MIN <= number <= PUBLIC_NUMBER_MAX
    assert row.id != number
    api_error(api.post(f"/webhooks/deliveries/{row.id}/resend"), 404, "delivery_not_found")
    assert api.post(f"/webhooks/deliveries/{number}/resend").status_code == 202
