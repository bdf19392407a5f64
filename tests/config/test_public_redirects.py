"""Redirects never send a person to the host a request named: they use TP_PUBLIC_URL."""

from __future__ import annotations

from typing import Any

import pytest

from config.wsgi import public_location


@pytest.mark.parametrize("path", ["/console", "/console/"])
def test_a_forged_host_header_does_not_reach_the_location(client: Any, path: str) -> None:
    response = client.get(path, headers={"Host": "evil.example"})
    assert 300 <= response.status_code < 400
    location = response.headers["Location"]
    assert "evil.example" not in location
    assert location.startswith("/") or location.startswith("http://tickets.test/")


def test_the_trailing_slash_redirect_keeps_its_path_and_query_on_the_public_origin(
    client: Any,
) -> None:
    response = client.get("/console?x=1", headers={"Host": "evil.example"})
    assert response.status_code == 308
    assert response.headers["Location"] == "http://tickets.test/console/?x=1"


def test_locations_on_other_hosts_and_relative_ones_are_left_alone() -> None:
    public = "https://tickets.example.org"
    assert public_location("/console/", "evil.example", public) == "/console/"
    assert (
        public_location("https://shop.example/wc-auth", "evil.example", public)
        == "https://shop.example/wc-auth"
    )
    assert (
        public_location("http://EVIL.example:8080/a?b=1", "evil.example:8080", public)
        == "https://tickets.example.org/a?b=1"
    )
