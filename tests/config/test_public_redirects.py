"""Redirects never send a person to the host a request named: they stay relative."""

from __future__ import annotations

from typing import Any

import pytest

from config.wsgi import relative_location


@pytest.mark.parametrize("path", ["/console", "/console/"])
def test_a_forged_host_header_does_not_reach_the_location(client: Any, path: str) -> None:
    response = client.get(path, headers={"Host": "evil.example"})
    assert 300 <= response.status_code < 400
    location = response.headers["Location"]
    assert "evil.example" not in location
    assert location.startswith("/") and not location.startswith("//")


def test_the_trailing_slash_redirect_keeps_its_path_and_query(client: Any) -> None:
    response = client.get("/console?x=1", headers={"Host": "evil.example"})
    assert response.status_code == 308
    assert response.headers["Location"] == "/console/?x=1"


def test_a_double_slash_path_cannot_become_another_host(client: Any) -> None:
    response = client.get("//evil.example/console", headers={"Host": "tickets.test"})
    location = response.headers.get("Location", "")
    assert not location.startswith("//")
    assert relative_location("http://tickets.test//evil.example/x", "tickets.test") == (
        "/evil.example/x"
    )


def test_locations_on_other_hosts_and_relative_ones_are_left_alone() -> None:
    assert relative_location("/console/", "evil.example") == "/console/"
    assert (
        relative_location("https://shop.example/wc-auth", "evil.example")
        == "https://shop.example/wc-auth"
    )
    assert relative_location("http://EVIL.example:8080/a?b=1#f", "evil.example:8080") == "/a?b=1#f"
