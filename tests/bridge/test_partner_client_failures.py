"""The partner client's failures, against `responses`: retries and backoff for GETs only,
Retry-After, errors with the server's exact text and never the key, and answers not shaped
as documented."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
import responses

from bridge.partner_client import (
    BadRequest,
    PartnerClient,
    PartnerError,
    PartnerUnavailable,
    RateLimited,
    ServerError,
    UnexpectedResponse,
)
from tests.bridge.partner_support import attendee

# --- failures, with `responses` ---------------------------------------------------------------

API = "https://tp.example/tp-api"
KEY = "tp_live_secret_key_value"


def mocked(**kw) -> tuple[PartnerClient, list[float]]:
    sleeps: list[float] = []
    return PartnerClient(API, KEY, sleep=sleeps.append, **kw), sleeps


@responses.activate
def test_gets_are_retried_after_5xx_with_growing_backoff():
    responses.get(f"{API}/events", status=503, body="Service Unavailable")
    responses.get(f"{API}/events", status=502, body="Bad Gateway")
    responses.get(f"{API}/events", json=[])
    client, sleeps = mocked()
    assert client.list_events() == ()
    assert len(responses.calls) == 3
    # Backoff 0.5 s then 1 s, each jittered down by at most half.
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0
    call = responses.calls[0].request
    assert call.req_kwargs["timeout"] == (3.05, 10)
    assert f"key={KEY}" in call.url


@responses.activate
def test_after_the_last_retry_the_server_error_is_raised_with_its_text():
    responses.get(f"{API}/users/7/events", status=500, body="Internal server error")
    client, sleeps = mocked(retries=2)
    with pytest.raises(ServerError) as caught:
        client.user_events(7)
    assert (caught.value.status, caught.value.message) == (500, "Internal server error")
    assert len(responses.calls) == 3 and len(sleeps) == 2


@responses.activate
def test_connection_errors_and_timeouts_are_retried_then_raised_without_the_key():
    responses.get(f"{API}/events", body=requests.ConnectionError(f"refused: {API}?key={KEY}"))
    responses.get(f"{API}/events", body=requests.ReadTimeout(f"{API}/events?key={KEY}"))
    responses.get(f"{API}/events", body=requests.ConnectTimeout(f"{API}/events?key={KEY}"))
    client, sleeps = mocked()
    with pytest.raises(PartnerUnavailable) as caught:
        client.list_events()
    assert caught.value.message == "GET /events: timed out"
    assert len(responses.calls) == 3 and len(sleeps) == 2
    # Neither the text nor the chain (what a logged traceback shows) holds the key.
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert KEY not in repr(caught.value) and KEY not in repr(client)


@responses.activate
def test_retry_after_is_honoured_up_to_the_cap():
    responses.get(
        f"{API}/events",
        status=429,
        body="Rate limit exceeded (6000 per 1 minute); retry after Retry-After seconds",
        headers={"Retry-After": "3"},
    )
    responses.get(f"{API}/events", json=[])
    client, sleeps = mocked()
    assert client.list_events() == ()
    assert sleeps == [3.0]


@responses.activate
def test_a_retry_after_beyond_the_cap_is_raised_at_once():
    responses.get(
        f"{API}/events",
        status=429,
        body="Too many failed authentication attempts",
        headers={"Retry-After": "900"},
    )
    client, sleeps = mocked(max_retry_after=10)
    with pytest.raises(RateLimited) as caught:
        client.list_events()
    assert caught.value.retry_after == 900.0
    assert caught.value.message == "Too many failed authentication attempts"
    assert len(responses.calls) == 1 and sleeps == []


@responses.activate
def test_retry_after_as_an_http_date(time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    when = datetime(2026, 6, 1, 10, 0, 5, tzinfo=UTC)
    headers = {"Retry-After": when.strftime("%a, %d %b %Y %H:%M:%S GMT")}
    responses.get(f"{API}/events", status=503, body="busy", headers=headers)
    responses.get(f"{API}/events", status=503, body="busy", headers=headers)
    client, sleeps = mocked(retries=1)
    with pytest.raises(ServerError):
        client.list_events()
    assert sleeps == [5.0]
    responses.reset()
    time_machine.move_to(when + timedelta(seconds=60), tick=False)
    responses.get(f"{API}/events", status=503, body="busy", headers=headers)
    responses.get(f"{API}/events", json=[])
    assert client.list_events() == ()
    assert sleeps == [5.0, 0.0]  # a date in the past means: now


@responses.activate
def test_posts_are_never_retried():
    responses.post(f"{API}/events/4/tickets/personalize", status=503, body="busy")
    responses.post(f"{API}/orders/create", body=requests.ConnectionError("down"))
    responses.post(
        f"{API}/orders/create", status=429, body="slow down", headers={"Retry-After": "1"}
    )
    client, sleeps = mocked(retries=5)
    with pytest.raises(ServerError):
        client.personalize(4, 7, [attendee("abcd")])
    with pytest.raises(PartnerUnavailable):
        client.create_order({"wp_order_id": "wc_1"})
    with pytest.raises(RateLimited):
        client.create_order({"wp_order_id": "wc_1"})
    assert len(responses.calls) == 3 and sleeps == []
    sent = json.loads(responses.calls[0].request.body)
    assert sent == {
        "tickets": [
            {
                "ticket_id": "abcd",
                "first_name": "Jane",
                "last_name": "Doe",
                "email": "jane@example.com",
                "tel": "+31612345678",
            }
        ]
    }
    assert "wp_user_id=7" in responses.calls[0].request.url


@responses.activate
def test_client_errors_are_not_retried():
    responses.get(f"{API}/events/3/tickets", status=400, body="Wordpress user not specified")
    client, sleeps = mocked()
    with pytest.raises(BadRequest):
        client.event_tickets(3, 7)
    assert len(responses.calls) == 1 and sleeps == []


@responses.activate
def test_other_statuses_redirects_and_bad_json_are_unexpected():
    responses.get(f"{API}/events", status=405, body="Method Not Allowed")
    responses.get(
        f"{API}/users/7/events",
        status=301,
        headers={"Location": f"https://elsewhere.example/tp-api/users/7/events?key={KEY}"},
    )
    responses.get(f"{API}/events/3/tickets", body="<html>proxy error page</html>")
    responses.get(f"{API}/users/get-ticket", json={"url": "not a string"})
    responses.get(f"{API}/orders/get-ticket", json=[{"id": "x"}])
    client, _ = mocked()
    with pytest.raises(PartnerError) as other:
        client.list_events()
    assert type(other.value) is PartnerError and other.value.status == 405
    with pytest.raises(UnexpectedResponse) as moved:
        client.user_events(7)
    # Not followed (the key would go along), and the key is not in the message.
    assert len(responses.calls) == 2
    assert moved.value.message == (
        "GET /users/7/events: redirected to https://elsewhere.example/tp-api/users/7/events"
    )
    with pytest.raises(UnexpectedResponse, match="not JSON"):
        client.event_tickets(3, 7)
    with pytest.raises(UnexpectedResponse, match="expected a URL"):
        client.ticket_download_url(7, "abcd")
    with pytest.raises(UnexpectedResponse, match="expected a URL"):
        client.order_download_url(7, "TP-00001")


@responses.activate
def test_answers_not_shaped_as_documented_are_unexpected():
    ticket = {
        "id": "abcd",
        "event_name": "E",
        "event_start_date": "2025-07-31T18:00:00+00:00",
        "start_date": None,
        "order_id": "TP-00001",
        "name": "GA",
        "first_name": None,
        "last_name": None,
        "email": None,
        "phone": None,
        "status": 1,
        "is_deprecated": False,
    }
    responses.get(f"{API}/events/3/tickets", json=[ticket])
    responses.get(f"{API}/events/3/tickets", json=[{**ticket, "status": "1"}])
    responses.get(f"{API}/events/3/tickets", json=[{**ticket, "start_date": "31 July"}])
    responses.get(f"{API}/events/3/tickets", json={"tickets": []})
    client, _ = mocked()
    [parsed] = client.event_tickets(3, 7)
    assert parsed.event_start_date == datetime(2025, 7, 31, 18, tzinfo=UTC)
    assert parsed.start_date is None and parsed.awaiting_details
    for fragment in ("status is not an integer", "start_date is not an ISO 8601", "JSON array"):
        with pytest.raises(UnexpectedResponse, match=fragment):
            client.event_tickets(3, 7)


def test_arguments_that_would_change_the_path_are_refused():
    client = PartnerClient(API, KEY)
    for bad in ("7/../../orders", -1, True, 7.0):
        with pytest.raises(ValueError):
            client.user_events(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        PartnerClient("ftp://tp.example/tp-api", KEY)
