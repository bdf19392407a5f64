"""The "my tickets" page: a customer's orders and tickets, attendee forms and downloads.

A shop links to it as ``my_tickets_url`` (or embeds it); the customer arrives with a signed,
expiring link (``bridge.page_links``) instead of a password. The page talks to the service only
through ``bridge.partner_client`` (``client_for(account_id)`` gives the client of the link's
account), so it runs inside our service (over an in-process transport) or inside a Python
shop's own server (over HTTP with the shop's key). It never imports ``tp_api``.

Routes (under ``url_prefix``, ``/my-tickets`` by default):

- ``GET /<token>``: the customer's events, each with its orders and tickets (status, order
  reference, attendee), one attendee form per event, QR and PDF download links.
- ``POST /<token>/events/<event_id>``: personalise that event's tickets. Success redirects
  (303) back to the page; refused input re-renders it with ``400``, the typed values kept and
  each message next to its field.
- ``GET /<token>/tickets/<ref>/qr`` and ``GET /<token>/orders/<ref>/pdf``: ask the partner API
  for a fresh signed URL and redirect (302) to it (those URLs expire within the hour, so the
  page never prints them).
- ``GET /<token>/tickets/<ref>/wallet/apple`` and ``.../wallet/google``: the same for the
  ticket's Apple Wallet pass (a fresh signed URL) and its "Save to Google Wallet" link; the
  page shows these links only for the wallets the service offers (``wallets()``).
- ``GET /<token>/events/<event_id>/calendar.ics``: the event (or date) as an iCalendar file.

Language: the link's locale (``nl``, ``nl_NL``, ``nl-BE`` -> Dutch; anything else English);
``?lang=en|nl`` overrides it and is kept on the page's own links.

Security decisions:

- The token in the URL is the credential, so every answer is ``Cache-Control: no-store`` and
  ``Referrer-Policy: no-referrer`` (the token must not leak to the file host or to links).
  Pages also say ``noindex``.
- Framing: shops may embed the page, so there is no ``X-Frame-Options``; the CSP's
  ``frame-ancestors`` is ``frame_ancestors`` (default ``*``). Clickjacking needs the victim's
  own token in the attacker's frame, which an attacker does not have; a host that knows its
  embedding sites can narrow it (e.g. ``'self' https://shop.example``).
- CSRF: the POST is authorised by the signed token in its URL, exactly like the GET: a forged
  request needs the token, and whoever holds the token may fill in the form anyway. There is
  no cookie, so there is no ambient authority for another site to ride on. ``Origin`` and
  ``Referer`` are NOT checked: with ``Referrer-Policy: no-referrer`` browsers send
  ``Origin: null`` on our own form posts, and in an embedding shop's frame the origin is the
  shop's, so such a check would refuse real customers and add nothing the token does not give.
- Everything the API returns is rendered by Jinja with autoescaping; the CSP allows scripts
  and styles from this origin only (plus the shop's stylesheet origin).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import urlsplit

from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from bridge.page_links import MyTicketsLinks, PageClaims, PageLinkExpired, PageLinkInvalid
from bridge.partner_client import (
    BadRequest,
    NotFound,
    PartnerClient,
    PartnerError,
    Unauthorized,
)
from bridge.web import my_tickets_texts as texts_module
from bridge.web.my_tickets_view import (
    FIELDS,
    MAX_LENGTHS,
    EventView,
    answer_choices,
    answer_name,
    answer_text,
    calendar_entry,
    load_events,
    place_server_error,
    read_form,
)
from pdf.calendar import MEDIA_TYPE, calendar_file, file_name

log = logging.getLogger(__name__)

ClientFor = Callable[[int], PartnerClient]
# Ticket and order references: what the partner API hands out (TP-00123, a3f9b...).
_REFERENCE = re.compile(r"[A-Za-z0-9-]{1,64}")
_PLAIN_HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?")
# Sources such as *, 'self', 'none', https:, https://shop.example, separated by spaces.
_FRAME_ANCESTORS = re.compile(r"[A-Za-z0-9*.:/'_ -]+")
_WALLETS = ("apple", "google")


@dataclass(frozen=True)
class _Visit:
    """One request's customer: who (from the token), in which language, with which client."""

    token: str
    claims: PageClaims
    lang: str
    lang_override: str | None
    client: PartnerClient


def create_my_tickets_blueprint(
    *,
    links: MyTicketsLinks,
    client_for: ClientFor,
    stylesheet_url: str | None = None,
    url_prefix: str = "/my-tickets",
    frame_ancestors: str = "*",
    timezone: str = "UTC",
    calendar_host: str | None = None,
) -> Blueprint:
    """The page as a blueprint named ``my_tickets``.

    ``links`` reads the tokens; ``client_for(account_id)`` returns the partner client acting
    for that account (or raises LookupError for an account this host does not serve: the
    link is then answered as unknown); ``stylesheet_url`` (http(s)) is linked after the page's
    own CSS so it can override it; ``frame_ancestors`` is the CSP source list of sites that
    may embed the page; ``timezone`` is the zone times are shown in (the API gives UTC);
    ``calendar_host`` names the service in the events' calendar UIDs (the service's public
    host, so a file from the page and one from a ticket e-mail are one calendar entry;
    default: the request's host).
    """
    bp = Blueprint(
        "my_tickets",
        __name__,
        url_prefix=url_prefix,
        template_folder="templates",
        static_folder="static",
        static_url_path="/static",
    )
    views = _Views(links, client_for, stylesheet_url, timezone, calendar_host)
    csp = _content_security_policy(stylesheet_url, frame_ancestors)
    bp.add_url_rule("/<token>", "page", views.page, methods=["GET"])
    bp.add_url_rule(
        "/<token>/events/<int:event_id>", "personalise", views.personalise, methods=["POST"]
    )
    bp.add_url_rule("/<token>/tickets/<ticket_ref>/qr", "ticket_qr", views.ticket_qr)
    bp.add_url_rule("/<token>/orders/<order_ref>/pdf", "order_pdf", views.order_pdf)
    bp.add_url_rule(
        "/<token>/tickets/<ticket_ref>/wallet/<wallet>",
        "ticket_wallet",
        views.ticket_wallet,
    )
    bp.add_url_rule(
        "/<token>/events/<int:event_id>/calendar.ics", "event_calendar", views.event_calendar
    )
    bp.register_error_handler(PageLinkInvalid, views.invalid_link)
    bp.register_error_handler(PageLinkExpired, views.expired_link)
    bp.register_error_handler(PartnerError, views.partner_failed)
    bp.register_error_handler(HTTPException, views.http_failed)

    @bp.after_request
    def _headers(response: Response) -> Response:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        if request.endpoint == f"{bp.name}.static":
            return response  # the stylesheet and script may be cached like any other
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers["Content-Security-Policy"] = csp
        return response

    return bp


class _Views:
    """The page's view functions and error handlers, sharing the blueprint's configuration."""

    def __init__(
        self,
        links: MyTicketsLinks,
        client_for: ClientFor,
        stylesheet_url: str | None,
        timezone: str,
        calendar_host: str | None = None,
    ) -> None:
        self.links = links
        self.client_for = client_for
        self.stylesheet_url = stylesheet_url
        self.timezone = timezone
        self.calendar_host = calendar_host

    # --- routes -------------------------------------------------------------------------------

    def page(self, token: str) -> Response:
        """The customer's events, orders and tickets."""
        v = self._visit(token)
        events = load_events(v.client, v.claims.wp_user_id)
        saved = request.args.get("saved", "")
        for event in events:
            event.saved = saved == str(event.id)
        wallets = _wallets(v, events)
        return self._render(v, "page.html", 200, events=events, summary=[], wallets=wallets)

    def personalise(self, token: str, event_id: int) -> Response:
        """Send one event's attendee form to the partner API."""
        v = self._visit(token)
        events = load_events(v.client, v.claims.wp_user_id)
        event = next((e for e in events if e.id == event_id), None)
        if event is None:
            return self._message(v, "missing", 404)
        if not event.editable:
            # Nothing awaits details (a second click, another tab): show the current state.
            return _see_page(self._page_url(v, event))
        t = texts_module.texts(v.lang)
        attendees = read_form(event, request.form, t)
        if attendees:
            try:
                v.client.personalize(event.id, v.claims.wp_user_id, attendees)
            except BadRequest as refused:
                place_server_error(event, refused.message, t)
            else:
                return _see_page(self._page_url(v, event, saved=event.id))
        return self._render(
            v, "page.html", 400, events=events, summary=event.errors(), wallets=_wallets(v, events)
        )

    def ticket_qr(self, token: str, ticket_ref: str) -> Response:
        """Redirect to a fresh signed URL of the ticket's QR image."""
        v = self._visit(token)
        return self._download(v, ticket_ref, v.client.ticket_download_url)

    def order_pdf(self, token: str, order_ref: str) -> Response:
        """Redirect to a fresh signed URL of the order's PDF."""
        v = self._visit(token)
        return self._download(v, order_ref, v.client.order_download_url)

    def ticket_wallet(self, token: str, ticket_ref: str, wallet: str) -> Response:
        """Redirect to a fresh signed URL of the ticket's Apple Wallet pass, or to its "Save
        to Google Wallet" link (404 when the service offers no such wallet)."""
        v = self._visit(token)
        if wallet not in _WALLETS:
            return self._message(v, "missing", 404)
        return self._download(
            v, ticket_ref, lambda user, ref: v.client.wallet_pass_url(user, ref, wallet)
        )

    def event_calendar(self, token: str, event_id: int) -> Response:
        """The event as an .ics file for the customer's calendar (RFC 5545)."""
        v = self._visit(token)
        host = self.calendar_host or request.host.split(":", 1)[0]
        entry = calendar_entry(v.client, v.claims.wp_user_id, event_id, host)
        if entry is None:
            return self._message(v, "missing", 404)
        body = calendar_file(entry, datetime.now(UTC))
        disposition = f'attachment; filename="{file_name(entry.title)}"'
        return Response(body, mimetype=MEDIA_TYPE, headers={"Content-Disposition": disposition})

    # --- error handlers -----------------------------------------------------------------------

    def invalid_link(self, _error: PageLinkInvalid) -> Response:
        """A token that is not ours, or altered: 404, telling nothing more."""
        return self._message(None, "invalid", 404)

    def expired_link(self, error: PageLinkExpired) -> Response:
        """A genuine but expired token: 410, in the link's language (unless ``?lang=``)."""
        if error.claims and request.args.get("lang") not in texts_module.TEXTS:
            g.my_tickets_lang = texts_module.language(error.claims.locale)
        return self._message(None, "expired", 410)

    def partner_failed(self, error: PartnerError) -> Response:
        """The partner API is down, slow or refused us (a wrong key): 503, try again later."""
        # The message is the API's text; neither the token nor the key is in it.
        log.warning("my tickets: partner API failed (%s %s)", error.status, error.message)
        return self._message(None, "unavailable", 503)

    def http_failed(self, error: HTTPException) -> Response:
        """Too many requests from this visitor (429), a wrong method, a body too large: the
        page's own message page rather than the host's error format."""
        status = error.code or 500
        return self._message(None, "missing" if status in (404, 405) else "unavailable", status)

    # --- helpers ------------------------------------------------------------------------------

    def _visit(self, token: str) -> _Visit:
        claims = self.links.read(token)
        override = request.args.get("lang")
        if override not in texts_module.TEXTS:
            override = None
        lang = override or texts_module.language(claims.locale)
        # For the error handlers, which have no visit to read it from.
        g.my_tickets_lang = lang
        try:
            client = self.client_for(claims.account_id)
        except LookupError:
            # A host serving some accounts only (a shop with its own key) refuses the others.
            raise PageLinkInvalid("account not served here") from None
        return _Visit(token, claims, lang, override, client)

    def _download(
        self, v: _Visit, reference: str, signed_url: Callable[[int, str], str]
    ) -> Response:
        if not _REFERENCE.fullmatch(reference):
            return self._message(v, "missing", 404)
        try:
            url = signed_url(v.claims.wp_user_id, reference)
        except (Unauthorized, NotFound, BadRequest):
            # Not this customer's, or not personalised yet: the API's 401/404/400.
            return self._message(v, "missing", 404)
        # 302 to the signed, expiring URL; Referrer-Policy (set for every answer) keeps the
        # page's token out of the file host's logs.
        # flask.redirect builds the app's own response class (its stubs say werkzeug's).
        return cast(Response, redirect(url, code=302))

    def _page_url(self, v: _Visit, event: EventView, **values: Any) -> str:
        if v.lang_override:
            values["lang"] = v.lang_override
        return url_for(".page", token=v.token, **values) + f"#event-{event.id}"

    def _message(self, v: _Visit | None, kind: str, status: int) -> Response:
        return self._render(v, "message.html", status, kind=kind)

    def _render(self, v: _Visit | None, template: str, status: int, **context: Any) -> Response:
        lang = v.lang if v else _fallback_language()

        def page_url(endpoint: str, **values: Any) -> str:
            if v is not None:
                values.setdefault("token", v.token)
                if v.lang_override:
                    values.setdefault("lang", v.lang_override)
            return url_for(endpoint, **values)

        html = render_template(
            f"my_tickets/{template}",
            t=texts_module.texts(lang),
            lang=lang,
            stylesheet_url=self.stylesheet_url,
            page_url=page_url,
            visit=v,
            format_when=lambda value: texts_module.format_when(value, lang, self.timezone),
            fields=FIELDS,
            max_lengths=MAX_LENGTHS,
            answer_name=answer_name,
            answer_text=answer_text,
            answer_choices=answer_choices,
            **context,
        )
        return Response(html, status=status, mimetype="text/html")


def _wallets(v: _Visit, events: list[EventView]) -> tuple[str, ...]:
    """The wallets to offer: asked of the service only when a ticket on the page can be
    downloaded, so a page of tickets awaiting details costs no extra call."""
    downloadable = any(
        t.ticket.downloadable for event in events for order in event.orders for t in order.tickets
    )
    return v.client.wallets() if downloadable else ()


def _see_page(location: str) -> Response:
    # 303: the browser follows with a GET, so reloading the page does not post again.
    return cast(Response, redirect(location, code=303))


def _fallback_language() -> str:
    """The language of an answer without a visit: the one chosen for this request so far,
    else ``?lang=``, else English."""
    chosen = g.get("my_tickets_lang")
    return str(chosen) if chosen else texts_module.language(request.args.get("lang"))


def _content_security_policy(stylesheet_url: str | None, frame_ancestors: str) -> str:
    shop = ""
    if stylesheet_url:
        parts = urlsplit(stylesheet_url)
        # The origin goes into a header: a plain host only, so it cannot add directives.
        if parts.scheme not in ("http", "https") or not _PLAIN_HOST.fullmatch(parts.netloc):
            raise ValueError(f"stylesheet_url must be an http(s) URL, got {stylesheet_url!r}")
        shop = f" {parts.scheme}://{parts.netloc}"
    if not _FRAME_ANCESTORS.fullmatch(frame_ancestors):
        raise ValueError(f"frame_ancestors is not a CSP source list: {frame_ancestors!r}")
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            f"style-src 'self'{shop}",
            # A shop's stylesheet may bring its fonts and background images along.
            f"img-src 'self' data:{shop}",
            f"font-src 'self'{shop}",
            "form-action 'self'",
            "base-uri 'none'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )
