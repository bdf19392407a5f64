"""The browser harness itself: chromium starts, sees the live app, and the checks can fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.checks import (
    accessibility_problems,
    assert_accessible,
    assert_keyboard_reachable,
)

GOOD_PAGE = """<!doctype html>
<html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Good</title></head>
<body><main><h1>My tickets</h1>
<form>
  <label for="name">Name</label> <input id="name" name="name">
  <label>E-mail <input type="email" name="email"></label>
  <span id="seat-label">Seat</span> <select aria-labelledby="seat-label"><option>1</option></select>
  <textarea aria-label="Remarks"></textarea>
  <input type="hidden" name="csrf" value="x">
  <button type="submit" id="save">Save</button>
</form>
<a href="#top"><img src="data:," alt="Back to top"></a>
<img src="data:," alt="">
</main></body></html>"""

BAD_PAGE = """<!doctype html>
<html><head><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><div>
  <input name="name" placeholder="Name">
  <label><select name="seat"><option>Seat 1</option></select></label>
  <button></button>
  <a href="/next"></a>
  <img src="data:,">
  <div style="width: 600px">a table too wide for a phone</div>
</div></body></html>"""


# open_page before live_server: the server stops while the page's keep-alive connections
# are still open, the order that could hang a teardown.
def test_live_server_serves_the_app_on_this_database(
    open_page, live_server, factory, screenshot, db_url, monkeypatch, tmp_path
):
    seller = factory.seller()
    factory.event(seller, name="Harness Race")
    page = open_page("phone")

    response = page.goto(f"{live_server}/api/v1/openapi.json")
    assert response is not None and response.status == 200
    assert json.loads(page.inner_text("body"))["openapi"].startswith("3.")
    assert page.evaluate("navigator.language") == "en-GB"
    assert page.evaluate("[screen.width, devicePixelRatio]") == [390, 2]

    # Written in the test's thread, read by the server's: each of its threads takes its own
    # pooled connection through the app's request hooks.
    page.goto(f"{live_server}/tp-api/events?key={seller.key}")
    assert "Harness Race" in page.inner_text("body")
    statuses = page.evaluate(
        """async () => Promise.all(Array.from({length: 8}, () =>
            fetch('/healthz').then(async (r) => [r.status, (await r.json()).database])))"""
    )
    assert statuses == [[200, "ok"]] * 8

    monkeypatch.setenv("TP_TEST_ARTIFACTS", str(tmp_path))
    path = screenshot(page, "harness-phone")
    suffix = "-postgres" if db_url.startswith("postgres") else ""
    assert path == tmp_path / "screenshots" / f"harness-phone{suffix}.png"
    assert path.read_bytes().startswith(b"\x89PNG")


def test_assert_accessible_lists_every_problem_of_a_bad_page(open_page):
    page = open_page("phone")
    page.set_content(BAD_PAGE)

    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)

    message = str(failure.value)
    assert "accessibility problem(s)" in message
    problems = accessibility_problems(page)
    expected = [
        "<html> has no lang",
        "form field without a label (<label for>, wrapping <label>, aria-label or "
        'aria-labelledby): <input name="name"',
        "form field without a label (<label for>, wrapping <label>, aria-label or "
        'aria-labelledby): <select name="seat">',
        "button without text or aria-label: <button>",
        'link without text or aria-label: <a href="/next">',
        'image without alt (alt="" marks a decorative one): <img src="data:,">',
        "the page scrolls sideways: 608px wide in a 390px viewport; "
        'widest: <div style="width: 600px">',
        "no <h1> heading",
        "no <main> landmark",
    ]
    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start), problem
        assert problem in message


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_assert_accessible_passes_a_good_page(open_page, kind):
    page = open_page(kind)
    page.set_content(GOOD_PAGE)

    assert_accessible(page)


def test_a_phone_page_without_a_viewport_meta_counts_as_too_wide(open_page):
    page = open_page("phone")
    page.set_content(GOOD_PAGE.replace('<meta name="viewport"', '<meta name="x"'))

    assert accessibility_problems(page) == [
        "the page scrolls sideways: 980px wide in a 390px viewport "
        '(no <meta name="viewport" content="width=device-width, initial-scale=1">)'
    ]


def test_keyboard_reach(open_page):
    page = open_page("desktop")
    page.set_content(GOOD_PAGE + '<button id="unreachable" tabindex="-1">Skip</button>')

    assert assert_keyboard_reachable(page, "#save") == 5
    assert assert_keyboard_reachable(page, "#name") == 1
    with pytest.raises(AssertionError, match=r"'#unreachable' not focused after 10 Tab"):
        assert_keyboard_reachable(page, "#unreachable", max_tabs=10)
    assert page.locator("[data-tp-focus-start]").count() == 0


def test_open_page_takes_a_locale_and_rejects_unknown_kinds(open_page):
    page = open_page("desktop", locale="nl-NL")
    assert page.evaluate("navigator.language") == "nl-NL"
    assert page.viewport_size == {"width": 1280, "height": 900}
    with pytest.raises(ValueError, match="kind must be one of"):
        open_page("tablet")


def test_screenshot_names_are_plain_file_names(open_page, screenshot, monkeypatch, tmp_path):
    monkeypatch.setenv("TP_TEST_ARTIFACTS", str(tmp_path))
    page = open_page("desktop")
    page.set_content(GOOD_PAGE)

    assert screenshot(page, "good-desktop") == Path(tmp_path, "screenshots", "good-desktop.png")
    with pytest.raises(ValueError, match="plain file name"):
        screenshot(page, "../escape")
