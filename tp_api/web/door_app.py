"""The door app (``/door``): the web app door staff open on a phone to scan tickets.

One server-rendered page in the browser's language (English or Dutch, as the console) whose
script (``static/door/door.js``) pairs the device with a code from the console, reads QR
codes with the camera, asks the door API (``/api/v1``, tp_api.web.scanner) for each
decision and shows it full screen. The page holds no secret: the scanner key a pairing
gives is kept by the browser of that device alone. Its browser libraries come from npm at
install time (``make``), served from ``static/door/vendor``; nothing is fetched elsewhere.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from tp_api.web import languages
from tp_api.web.languages import N_, translated

bp = Blueprint(
    "door_app",
    __name__,
    url_prefix="/door",
    template_folder="templates",
    static_folder="static/door",
    static_url_path="/static",
)

# Scripts and styles from this site only; the camera's frames are drawn into a canvas.
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; "
    "style-src 'self'; script-src 'self'; connect-src 'self'; worker-src 'self'; "
    "manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

# What the script writes on screen, in the page's language (it has no catalogue of its own).
SCRIPT_TEXTS = {
    "admitted": N_("Admitted"),
    "leftVenue": N_("Let out"),
    "alreadyIn": N_("Already in since %(time)s"),
    "alreadyInAt": N_("Already in since %(time)s at %(gate)s"),
    "refused": N_("Refused"),
    "already_checked_in": N_("Already in"),
    "invalid_signature": N_("Not one of our tickets"),
    "unknown_ticket": N_("Unknown ticket"),
    "wrong_event": N_("Not valid for this event"),
    "superseded": N_("Replaced by a newer ticket"),
    "cancelled": N_("Cancelled"),
    "not_personalised": N_("No name filled in yet"),
    "not_yet_valid": N_("Not yet valid"),
    "notYetValidAt": N_("Not yet valid: the doors open at %(time)s"),
    "not_checked_in": N_("Not inside: cannot be let out"),
    "scanner_forbidden": N_("This device may not scan this event"),
    "unauthenticated": N_("This device is no longer paired: pair it again"),
    "noConnection": N_("No connection: the scan was not checked. Try again."),
    "paired": N_("Paired as %(name)s."),
    "pairFailed": N_("That code did not work: it is wrong, used or expired."),
    "noCamera": N_("The camera could not be opened: type or paste the code instead."),
    "notPairingCode": N_("That is not a pairing code."),
    "noList": N_("No connection, and no offline list of this event on this device."),
    "listReady": N_("Offline list: %(count)s tickets, from %(time)s."),
    "offlineWaiting": N_("Offline: %(count)s scans waiting"),
    "waiting": N_("%(count)s scans waiting to be sent"),
    "noAnswerWaiting": N_("No answer from the service: deciding here, %(count)s scans waiting"),
    "conflictsSent": N_(
        "Sent. %(count)s let in offline here were admitted elsewhere first: see Conflicts."
    ),
    "conflictItem": N_("%(ticket)s at %(gate)s, %(time)s: %(reason)s"),
    "q_too_short": N_("Type at least 2 characters of a name or a reference"),
    "noGuests": N_("Nobody found."),
    "admitGuest": N_("Admit %(name)s"),
    "letOutGuest": N_("Let %(name)s out"),
    "status_1": N_("no name yet"),
    "status_2": N_("not in yet"),
    "status_3": N_("inside"),
    "status_4": N_("went out"),
    "status_5": N_("cancelled"),
}


languages.serve_pages_in_language(
    bp,
    {
        "Content-Security-Policy": CSP,
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        # The camera for this page only; nothing else the browser offers.
        "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
    },
)


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker that keeps the app on the device for offline use. Served from
    ``/door/`` rather than ``/door/static/`` so that it may look after ``/door``."""
    response = bp.send_static_file("sw.js")
    response.headers["Service-Worker-Allowed"] = "/door"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """What a phone needs to install the app on its home screen."""
    body = {
        "name": translated(N_("tp-bridge door")),
        "short_name": translated(N_("Door")),
        "start_url": "/door",
        "scope": "/door",
        "display": "standalone",
        "background_color": "#f5f7fa",
        "theme_color": "#1d2733",
        "lang": languages.current(),
        "icons": [
            {"src": "/door/static/icon.svg", "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("")
def door() -> str:
    """The app: pairing, scanning, results and the event's figures."""
    here = languages.current()
    return render_template(
        "door/door.html",
        texts={key: translated(text) for key, text in SCRIPT_TEXTS.items()},
        page_language=here,
        other_languages=[(c, name) for c, name in languages.LANGUAGES.items() if c != here],
        path=request.path,
    )
