"""Fixtures for tests that drive a real browser: Debian's chromium through Playwright.

Nothing is downloaded: the browser is ``/usr/bin/chromium`` (``make browser-deps`` installs
it) and Playwright's Python package brings its own driver. The browser is started once for a
run of consecutive browser tests in a process (see :func:`browser`), each test gets fresh
contexts (:func:`open_page`) and, through :func:`live_server`, the suite's ``app`` served on a
loopback port, once per database backend.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.loopback import serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these chromium keeps calling home (updates, safe browsing, sync) on a network
    # that is closed to it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Any host but loopback fails at once: a page that loads something from the internet (a
    # font, a CDN script) shows it in the test, the same on every machine, instead of hanging.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
DEFAULT_TIMEOUT_MS = 10_000
VIEWPORTS: dict[str, dict[str, Any]] = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}
REPO_ROOT = Path(__file__).resolve().parents[2]


# Package scope, not session: while Playwright's sync API is started its asyncio loop counts
# as running in this thread, so asyncio.run() in any later test of the same process would
# fail. Pytest ends this fixture as soon as a test outside tests/browser comes next.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Headless chromium, shared by consecutive browser tests of one process."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: run `make browser-deps` (as root it installs Debian's "
            "chromium package) before the browser tests",
            pytrace=False,
        )
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except BaseException:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture(params=["sqlite"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Browser walks run on SQLite only: what they check is the pages in a browser, and the
    same pages' server side is tested on both databases through Flask's test client."""
    return f"sqlite:///{tmp_path}/tp-test.sqlite3"


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """The suite's ``app`` (on this test's database) served on loopback; its base URL.

    Each request runs in a server thread that takes its own pooled database connection and
    gives it back at the end of the request (the app's teardown hook).
    """
    with serving(app) as base:
        yield base


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """``open_page(kind, *, locale="en-GB", **context_options)``: a page in a new context.

    ``kind`` is "phone" (390x844, mobile, touch, 2x pixels) or "desktop" (1280x900). Any
    action or navigation waits 10 s at most. Contexts are closed when the test ends, and the
    test fails if a page threw an uncaught script error.
    """
    contexts: list[BrowserContext] = []
    # Uncaught script errors fail the test: a broken console.js would otherwise go unseen,
    # because every page also works without it.
    script_errors: list[str] = []

    def open_(kind: str = "phone", *, locale: str = "en-GB", **options: Any) -> Page:
        if kind not in VIEWPORTS:
            raise ValueError(f"kind must be one of {sorted(VIEWPORTS)}, not {kind!r}")
        context = browser.new_context(locale=locale, **{**VIEWPORTS[kind], **options})
        contexts.append(context)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
        page = context.new_page()
        page.on("pageerror", lambda error: script_errors.append(f"{page.url}: {error}"))
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not script_errors, "uncaught script errors:\n" + "\n".join(script_errors)


def artifacts_dir() -> Path:
    """Where test artifacts go: ``$TP_TEST_ARTIFACTS``, else ``var/test-artifacts``."""
    configured = os.environ.get("TP_TEST_ARTIFACTS")
    return Path(configured) if configured else REPO_ROOT / "var" / "test-artifacts"


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """``screenshot(page, name)``: a full-page PNG in ``<artifacts>/screenshots/<name>.png``.

    On PostgreSQL the name ends in ``-postgres``, so the two backends (run side by side by
    xdist) do not overwrite each other and the SQLite run keeps the plain names.
    """
    callspec = getattr(request.node, "callspec", None)
    backend = callspec.params.get("db_url") if callspec else None
    suffix = "-postgres" if backend == "postgres" else ""

    def take(page: Page, name: str) -> Path:
        if not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]*", name):
            raise ValueError(f"screenshot name must be a plain file name, not {name!r}")
        directory = artifacts_dir() / "screenshots"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{name}{suffix}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def staff_seller(factory: Any) -> Any:
    """A seller whose console user is ``console_pages.EMAIL`` (password STAFF_PASSWORD)."""
    from tests.browser.console_pages import EMAIL

    owner = factory.seller("Harbour Festival BV")
    factory.staff(owner, email=EMAIL)
    return owner


# The door app's fixtures, for the door tests' files (imported last: it uses the above).
from tests.browser.door_phone import door, phone  # noqa: E402, F401
