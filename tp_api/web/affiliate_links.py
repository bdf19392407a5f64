"""Affiliates' tracking links (``/r/<code>``): no key, one click counted per visit, then a
302 to the event's page in the shop with ``tp_affiliate=<affiliate code>`` in its query.

A code that names no link, or a link whose event has no shop page to go to, answers a
small 404 page in the visitor's language (English or Dutch), never an error of the API.
"""

from __future__ import annotations

from typing import cast

from flask import Blueprint, Response, redirect, render_template, request

from tp_api.services.affiliates import links
from tp_api.services.errors import NotFound
from tp_api.web import languages

bp = Blueprint("affiliate_links", __name__, url_prefix="/r", template_folder="templates")

CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

languages.serve_pages_in_language(bp, {"Content-Security-Policy": CSP, "X-Frame-Options": "DENY"})


@bp.get("/<code>")
def follow(code: str) -> Response | tuple[str, int]:
    """Count the click and go to the shop."""
    try:
        destination = links.follow(code, count=request.method == "GET")
    except NotFound:
        return _missing("no_link")
    if not destination:
        return _missing("no_page")
    return cast(Response, redirect(destination, code=302))


def _missing(problem: str) -> tuple[str, int]:
    here = languages.current()
    page = render_template(
        "links/missing.html",
        problem=problem,
        page_language=here,
        other_languages=[(c, name) for c, name in languages.LANGUAGES.items() if c != here],
        path=request.path,
    )
    return page, 404
