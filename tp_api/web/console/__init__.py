"""The seller's console (``/console``): server-rendered pages for an account's staff.

Sign-in is by e-mail and password (tp_api.services.credentials.staff_auth). The session is Flask's
signed cookie (HttpOnly, SameSite=Lax, Secure behind https); it holds the staff id, the
user's random session key (replaced when they sign out, change password or are disabled,
which ends every session of theirs) and a CSRF token. Every POST
must carry that token (synchronizer-token pattern) and, when the browser sends one, an
``Origin`` of this site: SameSite alone does not cover older browsers or same-site
subdomains. Pages set a strict Content-Security-Policy (scripts and styles from this site
only) and may not be framed.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import format_currency
from flask import (
    Blueprint,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from tp_api.models import StaffUser, TicketStatus
from tp_api.services.actors import ROLE_SCOPES, Actor
from tp_api.services.credentials import staff_auth
from tp_api.services.errors import TicketingError
from tp_api.web import languages
from tp_api.web.languages import N_, _

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="../templates",
    static_folder="../static",
    static_url_path="/static",
)

# Ids are 53-bit at most everywhere (the admin API's rule); larger ones cannot exist.
MAX_ID = 2**53
# A session lasts a working day from sign-in, whatever the activity.
SESSION_HOURS = 12
_PUBLIC_ENDPOINTS = frozenset(
    {
        "console.sign_in",
        "console.sign_in_code",
        "console.static",
        "console.set_password",
        "console.reset_password",
    }
)
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def current_staff() -> StaffUser:
    """The signed-in user of this request (only inside signed-in views)."""
    return g.staff


def account_id() -> int:
    """The signed-in user's account: every console query is scoped by it."""
    return int(current_staff().account_id)


def actor() -> Actor:
    """The signed-in user as the domain knows them: named by e-mail, limited by role."""
    staff = current_staff()
    return Actor.staff(staff.id, staff.email, staff.role)


# What each page needs, by its endpoint's name (the first prefix that matches). The domain
# checks again for every change it makes; this keeps people out of pages (and reads) their
# role does not cover.
_PAGE_SCOPES = (
    # First: "console.event_" below would claim it for events:write.
    ("console.event_attendees", "customers:read"),  # the list and its CSV
    ("console.door", "door:read"),
    ("console.scanner", "checkin:write"),
    ("console.event_", "events:write"),  # new, edit, publish, cancel, ...
    ("console.event", "events:read"),  # the list and one event's page
    ("console.ticket_type", "events:write"),
    ("console.order", "orders:read"),  # the list and one order's page
    ("console.refund", "orders:write"),
    ("console.cancel", "orders:write"),
    ("console.transfer_ticket", "orders:write"),
    ("console.fraud_queue", "orders:read"),
    ("console.fraud_", "orders:write"),  # approve, reject
    ("console.affiliate_create", "affiliates:write"),
    ("console.affiliate", "affiliates:read"),  # the list and one affiliate's page
    ("console.shop", "shops:write"),  # shops, shop_connect, shop_check, ...
    ("console.sync_now", "shops:write"),
    ("console.webhook", "webhooks:write"),
    ("console.resend", "webhooks:write"),
    ("console.keys", "keys:write"),
    ("console.partner_key", "keys:write"),
    ("console.api_key", "keys:write"),
    ("console.oauth_client", "keys:write"),  # create, rotate, revoke
    ("console.key_addresses", "keys:write"),
    ("console.test_mode", "keys:write"),  # the page, its keys and the wipe
    ("console.audit", "audit:read"),
    ("console.staff", "staff:write"),
)
# Pages every signed-in user may open.
_ANY_ROLE = frozenset({"console.home", "console.sign_out"})


def page_scope(endpoint: str) -> str | None:
    """The scope a console page needs (None for the pages every user may open)."""
    if endpoint in _ANY_ROLE or endpoint.startswith("console.account"):
        return None  # the pages every user may open (their own account too)
    for prefix, scope in _PAGE_SCOPES:
        if endpoint.startswith(prefix):
            return scope
    return "audit:read"  # a page not listed here is for owners until it is


def may_open(endpoint: str) -> bool:
    """Whether the signed-in user's role covers the page (for the navigation)."""
    needed = page_scope(endpoint)
    return needed is None or actor().may(needed)


def start_session(signed_in: staff_auth.StaffSession) -> None:
    """A fresh session for a user who just signed in (the old one, and its CSRF token, are
    dropped, so a session fixed before sign-in is worth nothing)."""
    session.clear()
    session["staff_id"] = signed_in.staff_id
    session["sk"] = signed_in.session_key
    session["since"] = int(datetime.now(UTC).timestamp())
    session["csrf"] = secrets.token_urlsafe(32)


def csrf_token() -> str:
    """This session's CSRF token (made on first use, also for the sign-in form)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def _session_user() -> StaffUser | None:
    staff_id, key, since = session.get("staff_id"), session.get("sk"), session.get("since")
    if not isinstance(staff_id, int) or not isinstance(key, str):
        return None
    if not isinstance(since, int):
        return None
    started = datetime.fromtimestamp(since, UTC)
    if datetime.now(UTC) - started > timedelta(hours=SESSION_HOURS):
        return None
    return staff_auth.signed_in_staff(staff_auth.StaffSession(staff_id, key))


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # older browsers send none; the CSRF token still decides
    return origin != "null" and urlsplit(origin).netloc == request.host


# The language first: a refusal or redirect of the guard is already in the page's language.
bp.before_request(languages.use_request_language)
bp.after_request(languages.remember_language)
bp.record_once(lambda state: languages.install(state.app))


@bp.before_request
def _guard() -> Response | None:
    if request.method == "POST":
        sent = request.form.get("csrf_token", "")
        expected = session.get("csrf", "")
        if not expected or not hmac.compare_digest(str(sent), str(expected)) or not _same_origin():
            abort(400, _("The form has expired or did not come from this site. Reload and retry."))
    if any(isinstance(v, int) and v > MAX_ID for v in (request.view_args or {}).values()):
        abort(404)
    if request.endpoint in _PUBLIC_ENDPOINTS:
        return None
    user = _session_user()
    if user is None:
        session.pop("staff_id", None)
        return cast(
            Response, redirect(url_for("console.sign_in", next=request.full_path.rstrip("?")))
        )
    g.staff = user
    needed = page_scope(request.endpoint or "")
    if needed is not None and not actor().may(needed):
        return cast(Response, error_page(403, _("Your role does not include this page.")))
    return None


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "console.static":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(TicketingError)
def _refused(error: TicketingError) -> tuple[str, int]:
    return error_page(error.status, languages.translated(error.message))


# What the service answers for a console address with no page, or a method it does not take.
_HTTP_WORDS = (N_("Not Found"), N_("Method Not Allowed"), N_("Internal server error"))


def error_page(status: int, message: str) -> tuple[str, int]:
    """An error as an HTML page of the console (signed in or not), in the page's language;
    also for addresses no console page answers, where the blueprint's hooks did not run."""
    if "page_language" not in g:
        languages.use_request_language()
    page = render_template(
        "console/error.html",
        status=status,
        message=languages.translated(message),
        **_template_globals(),
    )
    return page, status


@bp.app_template_filter("money")
def money(cents: int | None, currency: str = "EUR") -> str:
    """``123456`` -> ``EUR 1,234.56`` (in Dutch ``€ 1.234,56``: a Dutch reader takes the
    comma for the decimal sign)."""
    value = (cents or 0) / 100
    if languages.current() != languages.DEFAULT_LANGUAGE:
        return str(format_currency(value, currency, locale=languages.current()))
    return f"{currency} {value:,.2f}"


@bp.app_template_filter("when")
def when(value: datetime | None) -> str:
    """A timestamp as ``2026-12-02 14:05 UTC`` (blank for none)."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else ""


@bp.app_template_filter("local")
def local(value: datetime | None, zone: str) -> str:
    """A timestamp in an event's own time zone, as ``2027-07-03 19:30 Europe/Amsterdam``."""
    if value is None:
        return ""
    try:
        shown = value.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return when(value)
    return f"{shown:%Y-%m-%d %H:%M} {zone}"


_TICKET_STATUS = {
    TicketStatus.CREATED: N_("to personalise"),
    TicketStatus.ACTIVE: N_("valid"),
    TicketStatus.SCANNED_IN: N_("inside"),
    TicketStatus.SCANNED_OUT: N_("left"),
    TicketStatus.CANCELLED: N_("cancelled"),
}


@bp.app_template_filter("ticket_status")
def ticket_status(status: int) -> str:
    """A ticket's numeric status (the partner document's) in words."""
    return languages.translated(_TICKET_STATUS[status]) if status in _TICKET_STATUS else str(status)


@bp.context_processor
def _template_globals() -> dict[str, Any]:
    return {
        "csrf_token": csrf_token,
        "staff": g.get("staff"),
        "may_open": may_open,
        "page_language": languages.current(),
        "language_links": language_links,
    }


def language_links() -> list[tuple[str, str, str]]:
    """``(code, name, url)`` of each other language: this page again in it (its query kept
    as it came), or the home page after a form was posted."""
    rule = request.url_rule
    links = []
    for code, name in languages.LANGUAGES.items():
        if code == languages.current():
            continue
        if rule is not None and "GET" in (rule.methods or ()) and request.method == "GET":
            kept = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
            url = request.path + "?" + urlencode([*kept, ("lang", code)])
        else:
            url = url_for("console.home", lang=code)
        links.append((code, name, url))
    return links


def safe_next(target: str | None) -> str | None:
    """Where to go after sign-in: only a path inside the console (never another site);
    None when ``target`` is not one (the user's home page then)."""
    if target and target.startswith("/console") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return None


def home_endpoint(role: str) -> str:
    """The first page of a role: the events, or the door for door staff."""
    if "events:read" in ROLE_SCOPES.get(role, frozenset()):
        return "console.events"
    return "console.door_overview"


from tp_api.web.console import (  # noqa: E402,F401
    account,
    affiliates,
    attendees,
    audit,
    auth,
    door,
    event_actions,
    event_date_pages,
    event_editor,
    event_questions,
    events,
    fraud_review,
    key_addresses,
    keys,
    oauth_clients,
    orders,
    scanners,
    shop_admin,
    shop_products,
    shops,
    staff_users,
    test_mode,
    ticket_transfer,
    waiting_room,
    webhook_admin,
    webhooks,
)
