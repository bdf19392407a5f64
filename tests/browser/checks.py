"""Checks a browser test runs on a rendered page: accessibility basics and keyboard reach.

They report every problem at once, each naming the element (its start tag), so one failing
run says everything that is wrong with a page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

# One pass over the DOM; returns a list of problems (strings). Runs in the page.
_PROBLEMS_JS = """
(viewportWidth) => {
  const problems = [];
  const squash = (s) => (s || '').replace(/\\s+/g, ' ').trim();
  const tag = (el) => {
    const html = el.outerHTML;
    const end = html.indexOf('>');
    const start = end < 0 ? html : html.slice(0, end + 1);
    return start.length > 160 ? start.slice(0, 157) + '...' : start;
  };
  const visible = (el) => el.checkVisibility();
  const byIds = (el) => squash((el.getAttribute('aria-labelledby') || '').split(/\\s+/)
    .map((id) => id && document.getElementById(id)).filter(Boolean)
    .map((node) => node.textContent).join(' '));
  const labelText = (label) => {
    // A wrapping label's own words, without those of the control inside it (a select's options).
    const copy = label.cloneNode(true);
    copy.querySelectorAll('input, select, textarea').forEach((c) => c.remove());
    return squash(copy.textContent);
  };
  const ownText = (el) => {
    const images = Array.from(el.querySelectorAll('img[alt]')).map((img) => img.alt);
    return squash([el.textContent, ...images].join(' '));
  };

  if (!squash(document.documentElement.getAttribute('lang'))) {
    problems.push('<html> has no lang attribute');
  }

  const skipTypes = ['hidden', 'submit', 'button', 'reset', 'image'];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (el.tagName === 'INPUT' && skipTypes.includes(type)) continue;
    if (!visible(el)) continue;
    const named = Array.from(el.labels || []).some((l) => labelText(l))
      || squash(el.getAttribute('aria-label')) || byIds(el);
    if (!named) {
      problems.push('form field without a label (<label for>, wrapping <label>, aria-label '
        + 'or aria-labelledby): ' + tag(el));
    }
  }

  const clickables = 'a[href], button, [role=button], [role=link], '
    + 'input[type=submit], input[type=button], input[type=reset]';
  for (const el of document.querySelectorAll(clickables)) {
    if (!visible(el)) continue;
    const named = squash(el.getAttribute('aria-label')) || byIds(el)
      || (el.tagName === 'INPUT' ? squash(el.value) || el.type !== 'button' : ownText(el));
    if (!named) {
      const what = el.tagName === 'A' || el.getAttribute('role') === 'link' ? 'link' : 'button';
      problems.push(what + ' without text or aria-label: ' + tag(el));
    }
  }

  for (const el of document.querySelectorAll('img:not([alt]), input[type=image]:not([alt])')) {
    problems.push('image without alt (alt="" marks a decorative one): ' + tag(el));
  }

  // innerWidth grows to the content's width on a phone (the page is zoomed out), so the limit
  // is the layout viewport and the window the test asked for.
  const limit = Math.min(document.documentElement.clientWidth, viewportWidth || Infinity);
  const width = document.scrollingElement.scrollWidth;
  if (width > limit + 1) {
    let wide = Array.from(document.body.querySelectorAll('*'))
      .filter((el) => el.getBoundingClientRect().right > limit + 1);
    wide = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
    // Without a viewport meta a phone lays every page out 980px wide: nothing to point at.
    const detail = document.querySelector('meta[name=viewport]')
      ? (wide.length ? '; widest: ' + wide.slice(0, 3).map(tag).join(', ') : '')
      : ' (no <meta name="viewport" content="width=device-width, initial-scale=1">)';
    problems.push(`the page scrolls sideways: ${width}px wide in a ${limit}px viewport${detail}`);
  }

  if (!document.querySelector('h1')) problems.push('no <h1> heading');
  if (!document.querySelector('main, [role=main]')) problems.push('no <main> landmark');
  return problems;
}
"""


def accessibility_problems(page: Page) -> list[str]:
    """What :func:`assert_accessible` would complain about, as a list (empty when fine)."""
    viewport = page.viewport_size
    problems: list[str] = page.evaluate(_PROBLEMS_JS, viewport["width"] if viewport else None)
    return problems


def assert_accessible(page: Page) -> None:
    """Fail with the list of problems when the page misses the basics.

    Checked: ``<html lang>``; a name for every visible form field (``<label for>``, a wrapping
    ``<label>``, ``aria-label`` or ``aria-labelledby``); text or ``aria-label`` on every visible
    link and button; ``alt`` on every image; no sideways scrolling (what breaks on phones);
    an ``<h1>`` and a ``<main>`` landmark.
    """
    # A page reached by a click may still be loading its stylesheet: its DOM is there (so
    # the test's own waits pass) but laid out without CSS, e.g. a table not yet in its
    # scrolling box, which measured 527 px wide on a 390 px phone once in a clean-clone run.
    page.wait_for_load_state("load")
    problems = accessibility_problems(page)
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise AssertionError(f"{page.url}: {len(problems)} accessibility problem(s):\n{listing}")


_START_AT_TOP_JS = """
() => {
  // Blurring leaves Chromium's tab starting point where focus was; focusing an element that
  // is not in the tab order, first in <body>, makes the next Tab go to the page's first stop.
  const marker = document.createElement('span');
  marker.tabIndex = -1;
  marker.dataset.tpFocusStart = '';
  document.body.prepend(marker);
  marker.focus();
}
"""

_REMOVE_MARKER_JS = "document.querySelectorAll('[data-tp-focus-start]').forEach(e => e.remove())"

_ACTIVE_JS = """
(selector) => {
  const el = document.activeElement;
  if (!el || el === document.body) return {matches: false, visible: false, tag: '<body>'};
  const html = el.outerHTML;
  const end = html.indexOf('>');
  const start = end < 0 ? html : html.slice(0, end + 1);
  return {
    matches: el.matches(selector),
    visible: el.checkVisibility(),
    tag: start.length > 120 ? start.slice(0, 117) + '...' : start,
  };
}
"""


def assert_keyboard_reachable(
    page: Page, selector: str, *, max_tabs: int = 40, from_top: bool = True
) -> int:
    """Press Tab until the element matching ``selector`` has focus; return how many presses.

    Starts at the top of the page unless ``from_top`` is false (then from wherever focus is).
    Fails, listing the elements focused on the way, when ``max_tabs`` presses do not reach it
    or when it is reached but not visible.
    """
    if from_top:
        page.evaluate(_START_AT_TOP_JS)
    visited: list[str] = []
    try:
        for presses in range(1, max_tabs + 1):
            page.keyboard.press("Tab")
            active: dict[str, Any] = page.evaluate(_ACTIVE_JS, selector)
            if active["matches"]:
                if not active["visible"]:
                    raise AssertionError(
                        f"{selector!r} takes focus after {presses} Tab(s) but is not visible"
                    )
                return presses
            visited.append(active["tag"])
    finally:
        if from_top:
            page.evaluate(_REMOVE_MARKER_JS)
    path = "\n".join(f"  {n}. {tag}" for n, tag in enumerate(visited, start=1))
    raise AssertionError(
        f"{page.url}: {selector!r} not focused after {max_tabs} Tab(s); focus went to:\n{path}"
    )


AXE = Path(__file__).resolve().parents[2] / "tp_api/web/frontend/node_modules/axe-core/axe.min.js"


def axe_problems(page: Page) -> list[str]:
    """What axe-core (from npm, installed by ``make``) finds against WCAG 2 A and AA on the
    page as it is now: one line per rule broken, with the elements it names."""
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: run `make frontend` (npm installs axe-core)")
    # Evaluated through the DevTools protocol: the page's Content-Security-Policy (scripts
    # from the site only) is not weakened for the check.
    page.evaluate(AXE.read_text() + "\n;true")
    violations = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})
            .then((r) => r.violations.map((v) => ({id: v.id, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5)})))"""
    )
    return [f"{v['id']}: {v['help']} ({', '.join(v['nodes'])})" for v in violations]


def assert_axe_clean(page: Page) -> None:
    """Fail with every axe-core finding at once."""
    problems = axe_problems(page)
    assert not problems, "axe-core:\n" + "\n".join(problems)
