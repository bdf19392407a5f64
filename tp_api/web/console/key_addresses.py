"""The addresses a partner key, admin-API key or OAuth client may be used from, edited on
a page of their own: one address or CIDR range per line, empty for anywhere."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for

from tp_api.services.credentials import admin_keys, oauth_clients, partner_keys
from tp_api.services.errors import TicketingError
from tp_api.web.console import account_id, actor, bp
from tp_api.web.languages import _, translated

_KINDS = ("partner", "admin", "oauth")


def _credential(kind: str, credential_id: int) -> Any:
    if kind == "partner":
        return partner_keys.get_key(account_id(), credential_id)
    if kind == "admin":
        return admin_keys.get_api_key(account_id(), credential_id)
    if kind == "oauth":
        return oauth_clients.get_client(account_id(), credential_id)
    abort(404)


def _name(kind: str, credential: Any) -> str:
    if kind == "oauth":
        return _("OAuth client %(name)s", name=credential.label or credential.client_id)
    name = credential.label or credential.prefix
    return (
        _("partner key %(name)s", name=name)
        if kind == "partner"
        else _("API key %(name)s", name=name)
    )


@bp.route("/keys/<kind>/<int:credential_id>/addresses", methods=["GET", "POST"])
def key_addresses(kind: str, credential_id: int) -> str | tuple[str, int] | Response:
    """Show or replace a credential's allowlist."""
    if kind not in _KINDS:
        abort(404)
    credential = _credential(kind, credential_id)
    if request.method == "GET":
        return _form(kind, credential, "\n".join(credential.allowed_ips.split()))
    typed = request.form.get("addresses", "")
    setter = {
        "partner": partner_keys.set_allowlist,
        "admin": admin_keys.set_allowlist,
        "oauth": oauth_clients.set_allowlist,
    }[kind]
    try:
        setter(account_id(), credential_id, typed.split(), actor=actor())
    except TicketingError as error:
        return _form(kind, credential, typed, translated(error.message)), error.status
    flash(_("Addresses of the %(name)s saved.", name=_name(kind, credential)))
    return redirect(url_for("console.keys"))  # type: ignore[return-value]


def _form(kind: str, credential: Any, typed: str, error: str = "") -> str:
    return render_template(
        "console/key_addresses.html",
        kind=kind,
        credential_id=credential.id,
        name=_name(kind, credential),
        typed=typed,
        error=error,
    )
