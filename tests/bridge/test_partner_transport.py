"""WSGITransport, and the partner API's in-process account (``tp.page_account``): usable from
inside the process, impossible to set from outside it."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
import requests
from flask import g
from werkzeug.serving import make_server

from bridge.partner_client import Attendee, Forbidden, PartnerClient
from bridge.partner_transport import WSGITransport
from config.pages import in_process_client as in_process
from tests.loopback import running

INTERNAL = "http://tp.internal/"


def test_an_in_process_client_acts_for_its_account_without_a_key(app, factory, two_tickets):
    seller, event, outcome, refs = two_tickets
    other = factory.seller()
    factory.event(other, name="Someone else's")
    client = in_process(app, seller.id)

    assert [e.name for e in client.list_events()] == ["Summer Festival"]
    assert [t.id for t in client.event_tickets(event.id, 7)] == refs
    attendees = [Attendee(ref, "Jane", "Doe", "jane@example.com", "+316") for ref in refs]
    assert client.personalize(event.id, 7, attendees).all_personalized is True
    url = client.order_download_url(7, outcome.reference)
    assert url.startswith(f"http://tickets.test/files/tickets/order_{outcome.number}_tickets?")
    # The other account sees only its own.
    assert [e.name for e in in_process(app, other.id).list_events()] == ["Someone else's"]


@pytest.mark.parametrize("account", [None, 999999, "1", True, 1.0])
def test_without_a_valid_in_process_account_the_call_is_refused(app, two_tickets, account):
    session = requests.Session()
    extra = {} if account is None else {"tp.page_account": account}
    session.mount(INTERNAL, WSGITransport(app, extra))
    client = PartnerClient(INTERNAL + "tp-api", "", session=session, retries=0)
    with pytest.raises(Forbidden) as refused:
        client.list_events()
    assert (refused.value.status, refused.value.message) == (403, "Unauthorized")


def test_a_header_or_query_parameter_cannot_set_the_account(app, client, two_tickets):
    seller = two_tickets[0]
    for name in ("tp.page_account", "Tp-Page-Account", "tp_page_account", "TP.PAGE_ACCOUNT"):
        response = client.get("/tp-api/events", headers={name: str(seller.id)})
        assert (response.status_code, response.get_data(as_text=True)) == (403, "Unauthorized")
    response = client.get(f"/tp-api/events?tp.page_account={seller.id}")
    assert response.status_code == 403


@pytest.fixture
def served(app) -> Iterator[tuple[str, int]]:
    with running(make_server("127.0.0.1", 0, app, threaded=True)) as server:
        yield "127.0.0.1", server.server_port


def raw_get(address: tuple[str, int], target: str, header_lines: list[str]) -> tuple[int, str]:
    """Send a request byte for byte (no client library normalising header names)."""
    lines = [f"GET {target} HTTP/1.1", f"Host: {address[0]}", "Connection: close", *header_lines]
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode()


def test_over_a_real_socket_no_header_spelling_reaches_the_environ_key(served, two_tickets):
    seller = two_tickets[0]
    # The same raw request with the key is answered, so the refusals below are about the header.
    assert raw_get(served, f"/tp-api/events?key={seller.key}", [])[0] == 200
    for name in ("tp.page_account", "Tp-Page-Account", "tp_page_account", "TP.PAGE_ACCOUNT"):
        assert raw_get(served, "/tp-api/events", [f"{name}: {seller.id}"]) == (403, "Unauthorized")


def test_the_inner_request_leaves_the_callers_flask_context_alone(app, two_tickets):
    seller = two_tickets[0]
    with app.test_request_context("/my-tickets/outer"):
        g.request_id = "outer-request"
        assert len(in_process(app, seller.id).list_events()) == 1
        assert g.request_id == "outer-request"
        assert "auth" not in g
        from flask import request

        assert request.path == "/my-tickets/outer"


def echo_app(environ, start_response):
    """A WSGI app that answers with what it was given."""
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    seen = {
        key: environ.get(key)
        for key in (
            "REQUEST_METHOD",
            "PATH_INFO",
            "QUERY_STRING",
            "CONTENT_TYPE",
            "HTTP_ACCEPT",
            "HTTP_HOST",
            "REMOTE_ADDR",
            "tp.page_account",
        )
    }
    seen["body"] = body.decode()
    start_response(
        "418 I'm a teapot",
        [("Content-Type", "application/json; charset=utf-8"), ("X-Extra", "yes")],
    )
    return [json.dumps(seen).encode()]


def test_the_transport_carries_method_path_query_headers_and_body():
    session = requests.Session()
    session.mount(INTERNAL, WSGITransport(echo_app, {"tp.page_account": 12}))
    response = session.post(
        INTERNAL + "tp-api/events/3/tickets/personalize",
        params={"wp_user_id": "7", "ticket_id": "a/b c&d"},
        json={"tickets": [{"first_name": "Jóse"}]},
        headers={"Accept": "application/json"},
    )
    assert (response.status_code, response.reason) == (418, "I'm a teapot")
    assert response.headers["x-extra"] == "yes" and response.encoding == "utf-8"
    assert response.json() == {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/tp-api/events/3/tickets/personalize",
        "QUERY_STRING": "wp_user_id=7&ticket_id=a%2Fb+c%26d",
        "CONTENT_TYPE": "application/json",
        "HTTP_ACCEPT": "application/json",
        "HTTP_HOST": "tp.internal",
        "REMOTE_ADDR": "127.0.0.1",
        "tp.page_account": 12,
        "body": json.dumps({"tickets": [{"first_name": "Jóse"}]}),
    }
    assert response.url.startswith(INTERNAL + "tp-api/events/3/tickets/personalize?")
