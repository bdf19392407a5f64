"""Staff users in the console: owners invite people (an e-mailed set-password link), change
roles, disable and enable; anyone sets a password from a link, or asks for a reset link."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, flash, redirect, render_template, request, url_for

from tp_api.models import StaffUser
from tp_api.services.actors import ROLES
from tp_api.services.credentials import staff_accounts, staff_auth, staff_links
from tp_api.services.errors import TicketingError
from tp_api.web import languages
from tp_api.web.console import account_id, actor, bp, home_endpoint, start_session
from tp_api.web.languages import N_, _, translated
from tp_api.web.parts import parts

ROLE_NAMES = {
    "owner": N_("Owner: everything"),
    "manager": N_("Manager: events, orders, shops, the door"),
    "door": N_("Door: the door screens"),
}
# A role in a sentence ("... is now manager").
ROLE_WORDS = {"owner": N_("owner"), "manager": N_("manager"), "door": N_("door")}


def role_word(role: str) -> str:
    """A role's name in the page's language (an unknown one as it is)."""
    return translated(ROLE_WORDS.get(role, role))


@bp.get("/staff")
def staff() -> str:
    """The account's users, and the invitation form."""
    return _staff_page()


@bp.post("/staff")
def staff_invite() -> Response | tuple[str, int]:
    """Invite someone: a user without a password, and an e-mail with the link to set one."""
    typed = {k: request.form.get(k, "").strip() for k in ("email", "name", "role")}
    try:
        user = staff_accounts.invite(
            account_id(),
            typed["email"],
            name=typed["name"],
            role=typed["role"],
            actor=actor(),
            language=languages.current(),  # the invitation in the inviter's language
        )
    except TicketingError as error:
        field = "role" if error.code == "unknown_role" else "email"
        problem = translated(error.message)
        return _staff_page(errors={field: problem}, typed=typed), error.status
    flash(_("Invitation sent to %(email)s: the link in it works for 48 hours.", email=user.email))
    return redirect(url_for("console.staff"))  # type: ignore[return-value]


@bp.post("/staff/<int:staff_id>/role")
def staff_role(staff_id: int) -> Response:
    """Give a user another role."""
    return _change(
        lambda: staff_accounts.set_role(
            account_id(), staff_id, request.form.get("role", ""), actor=actor()
        ),
        lambda user: _(
            "Role changed: %(email)s is now %(role)s.", email=user.email, role=role_word(user.role)
        ),
    )


@bp.post("/staff/<int:staff_id>/disabled")
def staff_disabled(staff_id: int) -> Response:
    """Disable a user (their sessions end at once), or enable them again."""
    off = request.form.get("disabled") == "on"
    return _change(
        lambda: staff_accounts.set_disabled(account_id(), staff_id, off, actor=actor()),
        lambda user: (
            _("%(email)s is disabled.", email=user.email)
            if off
            else _("%(email)s may sign in again.", email=user.email)
        ),
    )


@bp.route("/set-password", methods=["GET", "POST"])
def set_password() -> Response | str | tuple[str, int]:
    """The page an invitation or reset link opens: choose a password, then be signed in."""
    token = request.values.get("token", "")
    signer = parts().password_links
    try:
        user = staff_links.user_of(signer, token)
    except TicketingError as error:
        message = translated(error.message)
        return render_template("console/error.html", status=400, message=message), 400
    if request.method == "GET":
        return render_template("console/set_password.html", user=user, token=token, error="")
    password = request.form.get("password", "")
    if password != request.form.get("again", ""):
        differ = _("The two passwords differ.")
        page = render_template("console/set_password.html", user=user, token=token, error=differ)
        return page, 422
    try:
        session_ = staff_links.set_password(signer, token, password)
    except TicketingError as error:
        page = render_template(
            "console/set_password.html", user=user, token=token, error=translated(error.message)
        )
        return page, error.status
    start_session(session_)
    flash(_("Your password is set; you are signed in."))
    return redirect(url_for(home_endpoint(session_.role)))  # type: ignore[return-value]


@bp.route("/reset-password", methods=["GET", "POST"])
def reset_password() -> str:
    """Ask for a set-password link by e-mail; the answer is the same for every address."""
    if request.method == "GET":
        return render_template("console/reset_password.html", sent=False)
    staff_links.request_reset(request.form.get("email", "")[:254], language=languages.current())
    return render_template("console/reset_password.html", sent=True)


def _change(change: Callable[[], StaffUser], done: Callable[[StaffUser], str]) -> Response:
    try:
        user = change()
    except TicketingError as error:
        if error.code == "staff_not_found":
            raise
        flash(translated(error.message), "problem")
    else:
        flash(done(user))
    return redirect(url_for("console.staff"))  # type: ignore[return-value]


def _staff_page(
    *, errors: dict[str, str] | None = None, typed: dict[str, str] | None = None
) -> str:
    return render_template(
        "console/staff.html",
        users=staff_auth.list_staff(account_id()),
        roles=[(role, translated(ROLE_NAMES[role])) for role in ROLES],
        errors=errors or {},
        typed=typed or {"email": "", "name": "", "role": "manager"},
    )
