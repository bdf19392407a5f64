"""Partner keys (for the shop's plugin) and admin-API keys (with scopes), from the console.

A new key's secret is shown once, on the page that answers the form: it is never stored,
and never put in the session cookie (which is signed, not encrypted) or a redirect.
"""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from tp_api.db import utcnow
from tp_api.services.credentials import admin_keys, oauth_clients, partner_keys
from tp_api.services.credentials.admin_keys import SCOPES
from tp_api.services.errors import TicketingError
from tp_api.web.console import account_id, actor, bp
from tp_api.web.languages import N_, _, translated

SCOPE_NAMES = {
    "events:read": N_("Read events"),
    "events:write": N_("Create and change events"),
    "orders:read": N_("Read orders"),
    "orders:write": N_("Refund and cancel orders"),
    "customers:read": N_("Read customers"),
    "affiliates:read": N_("Read affiliates and their earnings"),
    "affiliates:write": N_("Manage affiliates and their links"),
    "checkin:write": N_("Scan tickets"),
    "webhooks:write": N_("Manage webhooks"),
    "keys:write": N_("Manage keys and scanners"),
}


@bp.get("/keys")
def keys() -> str:
    """The account's partner keys, admin-API keys and OAuth clients, with forms to make new
    ones."""
    return page()


@bp.post("/keys/partner")
def partner_key_create() -> str | tuple[str, int]:
    """A new partner key; its secret is on the answer only."""
    label = request.form.get("label", "").strip()
    if len(label) > 200:
        return page(errors={"partner-label": _("At most 200 characters.")}), 422
    made = partner_keys.create_key(account_id(), label=label, actor=actor())
    return page(issued={"kind": "partner", "label": made.label, "secret": made.secret})


@bp.post("/keys/admin")
def api_key_create() -> str | tuple[str, int]:
    """A new admin-API key with the chosen scopes; its secret is on the answer only."""
    label = request.form.get("label", "").strip()
    scopes = [s for s in request.form.getlist("scopes") if s in SCOPES]
    if not scopes:
        return page(
            errors={"scopes": _("Choose what the key may do.")}, typed={"admin-label": label}
        ), 422
    try:
        made = admin_keys.create_api_key(account_id(), label=label, scopes=scopes, actor=actor())
    except TicketingError as error:
        refused = {"admin-label": translated(error.message)}
        return page(errors=refused, typed={"admin-label": label}), error.status
    issued = {"kind": "admin", "label": made.key.label, "secret": made.secret}
    return page(issued=issued)


@bp.post("/keys/partner/<int:key_id>/revoke")
def partner_key_revoke(key_id: int) -> Response:
    """Revoke a partner key: the shop's pushes with it are refused from now on."""
    key = partner_keys.revoke_key(account_id(), key_id, actor=actor())
    flash(_("Partner key %(name)s revoked.", name=key.label or key.prefix))
    return redirect(url_for("console.keys"))  # type: ignore[return-value]


@bp.post("/keys/admin/<int:key_id>/revoke")
def api_key_revoke(key_id: int) -> Response:
    """Revoke an admin-API key: it stops working at once."""
    key = admin_keys.revoke_api_key(account_id(), key_id, actor=actor())
    flash(_("API key %(name)s revoked.", name=key.label or key.prefix))
    return redirect(url_for("console.keys"))  # type: ignore[return-value]


def page(
    *,
    issued: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
) -> str:
    """The keys page; ``typed`` holds what a refused form had (by the form's field ids)."""
    context: dict[str, Any] = {
        "partner": partner_keys.list_keys(account_id()),
        "admin": admin_keys.list_api_keys(account_id()),
        "clients": oauth_clients.list_clients(account_id()),
        "scopes": [(scope, translated(SCOPE_NAMES.get(scope, scope))) for scope in SCOPES],
        "issued": issued,
        "errors": errors or {},
        "typed": typed or {},
        "now": utcnow(),
    }
    return render_template("console/keys.html", **context)
