"""OAuth clients from the console: create (the secret on the answer only, as for keys),
rotate with a grace period, revoke. The page is the keys page (console.keys)."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, flash, redirect, render_template, request, url_for

from tp_api.services.credentials import oauth_clients, oauth_tokens
from tp_api.services.credentials.admin_keys import SCOPES
from tp_api.services.errors import TicketingError
from tp_api.web.console import account_id, actor, bp
from tp_api.web.console.keys import page
from tp_api.web.languages import _, translated

# Hours the old secret keeps working after a rotation, as the console offers them.
GRACE_CHOICES = (24, 1, 0)


@bp.post("/keys/oauth")
def oauth_client_create() -> str | tuple[str, int]:
    """A new OAuth client with the chosen scopes and addresses; its secret is on the answer."""
    label = request.form.get("label", "").strip()
    addresses = request.form.get("addresses", "")
    typed = {"oauth-label": label, "oauth-addresses": addresses}
    scopes = [s for s in request.form.getlist("scopes") if s in SCOPES]
    if not scopes:
        refused = {"oauth-scopes": _("Choose what the client may do.")}
        return page(errors=refused, typed=typed), 422
    try:
        made = oauth_clients.create_client(
            account_id(),
            label=label,
            scopes=scopes,
            allowed_ips=addresses.split(),
            actor=actor(),
        )
    except TicketingError as error:
        where = (
            "oauth-addresses"
            if error.code.endswith("ip_range") or "ip_ranges" in error.code
            else "oauth-label"
        )
        return page(errors={where: translated(error.message)}, typed=typed), error.status
    return page(issued=_issued(made, _("Your new OAuth client")))


@bp.route("/keys/oauth/<int:client_pk>/rotate", methods=["GET", "POST"])
def oauth_client_rotate(client_pk: int) -> str | tuple[str, int]:
    """Ask how long the old secret keeps working (24 hours, 1, or no longer), then make a
    new secret, shown on the keys page once."""
    if request.method == "GET":
        client = oauth_clients.get_client(account_id(), client_pk)
        return render_template("console/oauth_rotate.html", client=client, name=_name(client))
    try:
        hours = int(request.form.get("grace", "24"))
    except ValueError:
        hours = 24
    if hours not in GRACE_CHOICES:
        hours = 24
    made = oauth_clients.rotate_secret(
        account_id(), client_pk, grace=timedelta(hours=hours), actor=actor()
    )
    return page(
        issued=_issued(made, _("The new secret of OAuth client %(name)s", name=_name(made.client)))
    )


@bp.post("/keys/oauth/<int:client_pk>/revoke")
def oauth_client_revoke(client_pk: int) -> Response:
    """Revoke a client: it and its tokens stop working at once."""
    client = oauth_tokens.revoke_client(account_id(), client_pk, actor=actor())
    flash(_("OAuth client %(name)s revoked.", name=_name(client)))
    return redirect(url_for("console.keys"))  # type: ignore[return-value]


def _name(client: oauth_clients.OAuthClient) -> str:
    return str(client.label or client.client_id)


def _issued(made: oauth_clients.NewClientSecret, title: str) -> dict[str, str]:
    return {
        "kind": "oauth",
        "title": title,
        "label": made.client.label,
        "client_id": made.client.client_id,
        "secret": made.secret,
    }
