"""Test mode from the console (docs/sandbox.md): the sandbox's figures, its test-mode keys
(made, shown once, revoked) and the wipe of its test data."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from tp_api.services import sandbox
from tp_api.services.credentials import admin_keys, partner_keys
from tp_api.services.errors import TicketingError
from tp_api.web.console import account_id, actor, bp
from tp_api.web.languages import _, translated


@bp.get("/test-mode")
def test_mode() -> str:
    """What the sandbox holds and its test keys, with forms to make keys and wipe the data."""
    return _page()


@bp.post("/test-mode/keys/<kind>")
def test_mode_key_create(kind: str) -> str | tuple[str, int]:
    """A test-mode partner key or admin-API key (every scope); its secret on the answer only."""
    label = request.form.get("label", "").strip()
    try:
        if kind == "partner":
            made = sandbox.create_test_partner_key(account_id(), label=label, actor=actor())
            issued = {"kind": "partner", "label": made.label, "secret": made.secret}
        elif kind == "admin":
            key = sandbox.create_test_api_key(account_id(), label=label, actor=actor())
            issued = {"kind": "admin", "label": key.key.label, "secret": key.secret}
        else:
            return _page(), 404
    except TicketingError as error:
        return _page(errors={f"{kind}-label": translated(error.message)}), error.status
    return _page(issued=issued)


@bp.post("/test-mode/keys/<kind>/<int:key_id>/revoke")
def test_mode_key_revoke(kind: str, key_id: int) -> Response:
    """Revoke a test-mode key of the sandbox."""
    box = sandbox.sandbox_of(account_id(), actor=actor())
    if kind == "partner":
        key: Any = partner_keys.revoke_key(box.id, key_id, actor=actor())
    else:
        key = admin_keys.revoke_api_key(box.id, key_id, actor=actor())
    flash(_("Test key %(name)s revoked.", name=key.label or key.prefix))
    return redirect(url_for("console.test_mode"))  # type: ignore[return-value]


@bp.post("/test-mode/wipe")
def test_mode_wipe() -> Response:
    """Delete the sandbox's test orders and what hangs on them; keys and events stay."""
    deleted = sandbox.wipe(account_id(), actor=actor())
    flash(_("Test data wiped: %(count)s test orders deleted.", count=deleted))
    return redirect(url_for("console.test_mode"))  # type: ignore[return-value]


def _page(*, issued: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> str:
    held = sandbox.figures(account_id())
    box = held.account_id
    return render_template(
        "console/test_mode.html",
        held=held,
        partner=partner_keys.list_keys(box) if box else [],
        admin=admin_keys.list_api_keys(box) if box else [],
        issued=issued,
        errors=errors or {},
    )
