"""Signing in and out of the console."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, redirect, render_template, request, session, url_for

from tp_api.services.credentials import staff_auth, two_factor
from tp_api.services.errors import TicketingError, TooManyAttempts
from tp_api.web.console import bp, current_staff, home_endpoint, safe_next, start_session
from tp_api.web.languages import N_, translated
from tp_api.web.parts import parts

# How long after the password the code may come.
CODE_SECONDS = 300
# The domain's refusal kept in a constant (staff_auth.WRONG_CREDENTIALS), which extraction
# does not find: marked here so the catalogue has it.
N_("The e-mail address or password is wrong.")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Response | tuple[str, int] | str:
    """The sign-in form; a wrong password is answered with the form again (401), a locked
    user with 429 and ``Retry-After``."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("console/sign_in.html", next=target or "", email="", error=None)
    email = request.form.get("email", "")[:254]
    try:
        signed_in = staff_auth.sign_in(email, request.form.get("password", ""))
    except TicketingError as error:
        page = render_template(
            "console/sign_in.html", next=target or "", email=email, error=_refusal(error)
        )
        response = Response(page, status=error.status, mimetype="text/html")
        if isinstance(error, TooManyAttempts):
            response.headers["Retry-After"] = str(error.retry_after_s)
        return response
    if signed_in.needs_code:
        # No session yet: only "who passed the password, and when", for the code page.
        session.clear()
        session["code_for"] = signed_in.staff_id
        session["code_since"] = int(datetime.now(UTC).timestamp())
        session["code_next"] = target or ""
        return redirect(url_for("console.sign_in_code"))  # type: ignore[return-value]
    start_session(signed_in)
    return redirect(target or url_for(home_endpoint(signed_in.role)))  # type: ignore[return-value]


@bp.route("/sign-in/code", methods=["GET", "POST"])
def sign_in_code() -> Response | tuple[str, int] | str:
    """The second step for users with two factors: the code from their app (or a recovery
    code), within 5 minutes of the password."""
    staff_id, since = session.get("code_for"), session.get("code_since")
    fresh = isinstance(since, int) and datetime.now(UTC).timestamp() - since < CODE_SECONDS
    if not isinstance(staff_id, int) or not fresh:
        session.clear()
        return redirect(url_for("console.sign_in"))  # type: ignore[return-value]
    if request.method == "GET":
        return render_template("console/sign_in_code.html", error=None)
    try:
        signed_in = two_factor.sign_in_with_code(
            parts().secret_box, staff_id, request.form.get("code", "")[:64]
        )
    except TicketingError as error:
        page = render_template("console/sign_in_code.html", error=_refusal(error))
        response = Response(page, status=error.status, mimetype="text/html")
        if isinstance(error, TooManyAttempts):
            response.headers["Retry-After"] = str(error.retry_after_s)
        return response
    target = safe_next(session.get("code_next"))
    start_session(signed_in)
    return redirect(target or url_for(home_endpoint(signed_in.role)))  # type: ignore[return-value]


@bp.post("/sign-out")
def sign_out() -> Response:
    """End the user's sessions, on every device: the cookie alone cannot be revoked, so its
    user's session key is replaced (a POST with the CSRF token: no other site can do this)."""
    staff_auth.end_sessions(current_staff().id)
    session.clear()
    return redirect(url_for("console.sign_in"))  # type: ignore[return-value]


@bp.get("/")
def home() -> Response:
    """The first page the user's role covers: events, or the door for door staff."""
    return redirect(url_for(home_endpoint(current_staff().role)))  # type: ignore[return-value]


def _refusal(error: TicketingError) -> str:
    """A refused sign-in in the page's language (the lock's minutes travel with its words)."""
    return translated(error.message)
