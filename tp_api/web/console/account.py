"""The signed-in user's own account: two-factor sign-in on and off."""

from __future__ import annotations

import base64

from flask import Response, flash, redirect, render_template, request, url_for

from pdf.qr import qr_png
from tp_api.services.credentials import two_factor
from tp_api.services.errors import TicketingError
from tp_api.web.console import bp, current_staff
from tp_api.web.console.staff_users import role_word
from tp_api.web.languages import _, translated
from tp_api.web.parts import parts


@bp.get("/account")
def account() -> str:
    """Who is signed in, and whether they sign in with two factors."""
    return _page()


@bp.post("/account/two-factor/start")
def account_two_factor_start() -> str:
    """A new secret to add to an authenticator app, as a QR code and as text."""
    return _setup_page(two_factor.new_secret(), error="")


@bp.post("/account/two-factor/enable")
def account_two_factor_enable() -> str | tuple[str, int]:
    """Turn two factors on with the first code from the app; recovery codes, shown once."""
    secret = request.form.get("secret", "")[:64]
    try:
        codes = two_factor.enable(
            parts().secret_box, current_staff(), secret, request.form.get("code", "")
        )
    except TicketingError as error:
        return _setup_page(secret, error=translated(error.message)), error.status
    return _page(recovery=codes)


@bp.post("/account/two-factor/disable")
def account_two_factor_disable() -> Response | tuple[str, int]:
    """Turn two factors off with a current code (or a recovery code)."""
    try:
        two_factor.disable(parts().secret_box, current_staff(), request.form.get("code", ""))
    except TicketingError as error:
        return _page(error=translated(error.message)), error.status
    flash(_("Two-factor sign-in is off: the password alone signs you in."))
    return redirect(url_for("console.account"))  # type: ignore[return-value]


def _page(*, recovery: list[str] | None = None, error: str = "") -> str:
    user = current_staff()
    return render_template(
        "console/account.html",
        user=user,
        role=role_word(user.role),
        on=bool(user.totp_secret_enc),
        left=two_factor.recovery_codes_left(user),
        recovery=recovery,
        error=error,
    )


def _setup_page(secret: str, *, error: str) -> str:
    uri = two_factor.provisioning_uri(secret, current_staff().email)
    qr = "data:image/png;base64," + base64.b64encode(qr_png(uri, box_size=5)).decode()
    return render_template("console/account_setup.html", secret=secret, qr=qr, error=error)
