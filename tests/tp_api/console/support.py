"""Signing in to the console from a Flask test client, as a browser would."""

from __future__ import annotations

import re
from typing import Any

from tests.factories import STAFF_PASSWORD

_TOKEN = re.compile(rb'name="csrf_token" value="([^"]+)"')


def page_text(response: Any) -> str:
    """The page's text without tags and with whitespace collapsed (what a person reads)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def csrf_from(page: bytes) -> str:
    """The CSRF token of the first form on a page."""
    found = _TOKEN.search(page)
    assert found, "no csrf_token in the page"
    return found.group(1).decode()


def sign_in(client: Any, email: str, password: str = STAFF_PASSWORD, **extra: str) -> Any:
    """Open the sign-in form (which sets the session's token) and post it."""
    token = csrf_from(client.get("/console/sign-in").data)
    return client.post(
        "/console/sign-in",
        data={"email": email, "password": password, "csrf_token": token, **extra},
    )


def post_form(client: Any, page_path: str, action: str, data: dict[str, str]) -> Any:
    """Open a page, take its CSRF token and post ``data`` to ``action``."""
    token = csrf_from(client.get(page_path).data)
    return client.post(action, data={**data, "csrf_token": token})
