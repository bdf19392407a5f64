"""The door app's page (``/door``): served without a key, in the browser's language, with a
strict Content-Security-Policy, the camera allowed for this page only, and the words its
script writes on screen in the page's language."""

from __future__ import annotations

import json
import re


def _texts(page) -> dict:
    found = re.search(
        r'<script type="application/json" id="door-texts">(.*?)</script>',
        page.get_data(as_text=True),
        re.S,
    )
    assert found
    return json.loads(found.group(1))


def test_the_page_is_served_with_a_strict_policy(client):
    page = client.get("/door")
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert page.headers["Permissions-Policy"].startswith("camera=(self)")
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert 'src="/door/static/door.js"' in html and 'type="module"' in html
    assert _texts(page)["wrong_event"] == "Not valid for this event"


def test_in_dutch_for_a_dutch_browser(client):
    page = client.get("/door", headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    assert '<html lang="nl">' in page.get_data(as_text=True)
    assert "Dit apparaat koppelen" in page.get_data(as_text=True)
    assert _texts(page)["alreadyIn"] == "Al binnen sinds %(time)s"


def test_its_script_and_style_are_our_own_static_files(client):
    for name, kind in (("door.js", "javascript"), ("door.css", "css")):
        answer = client.get(f"/door/static/{name}")
        answer.close()  # a file is streamed: close it, as a server does
        assert answer.status_code == 200
        assert kind in answer.headers["Content-Type"]
