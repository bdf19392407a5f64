"""A NUL in a path or query parameter is refused at the door for every route (PostgreSQL
would refuse it deep in a view, as a 500), in each API's own error style."""

from __future__ import annotations

import pytest


@pytest.fixture
def keys_of(factory):
    seller = factory.seller()
    return seller.key, factory.api_key(seller)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/events/1%00"),
        ("POST", "/api/v1/events/1%00/publish"),
        ("POST", "/api/v1/tickets/a%00/transfer"),
        ("GET", "/api/v1/orders/TP%00-1"),
        ("GET", "/api/v1/events?search=a%00b"),
    ],
)
def test_admin_api_answers_in_its_json_shape(client, keys_of, method, path):
    response = client.open(path, method=method, headers={"x-api-key": keys_of[1]}, json={})
    error = response.get_json()["error"]
    assert response.status_code == (400 if "?" in path else 404)
    assert error["status"] == response.status_code
    assert error["code"] in ("bad_request", "not_found")


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/tp-api/users/get-ticket?ticket_id=%00&wp_user_id=1", 400, "Bad Request"),
        ("/tp-api/events/1%00/tickets?wp_user_id=1", 404, "Not Found"),
        ("/tp-api/users/1%00/events", 404, "Not Found"),
        ("/tp-api/events?wp_user_id=%00", 400, "Bad Request"),
    ],
)
def test_partner_api_answers_in_plain_text(client, keys_of, path, status, body):
    joiner = "&" if "?" in path else "?"
    response = client.get(f"{path}{joiner}key={keys_of[0]}")
    assert (response.status_code, response.get_data(as_text=True)) == (status, body)
    assert response.mimetype == "text/plain"


def test_other_pages_are_refused_too(client):
    assert client.get("/files/tickets/x%00.pdf").status_code == 404
    assert client.get("/my-tickets/abc%00").status_code == 404
    assert client.get("/console/sign-in?next=%00").status_code == 400
