"""Shops: their last sync runs, errors and stock differences, and "sync now"."""

from __future__ import annotations

from flask import Response, flash, redirect, url_for

from tp_api.services.shops import sync_requests
from tp_api.web.console import account_id, bp
from tp_api.web.console.shop_admin import shops_page
from tp_api.web.languages import _


@bp.get("/shops")
def shops() -> str:
    """Every shop of the account with what its recent syncs did, and the connect form."""
    return shops_page()


@bp.post("/shops/<int:shop_id>/sync")
def sync_now(shop_id: int) -> Response:
    """Queue a sync of the shop for the outbox worker; the page shows it as waiting."""
    if sync_requests.request_sync_now(account_id(), shop_id):
        flash(_("Sync requested. This page shows its run once the worker has done it."))
    else:
        flash(_("A sync of this shop is already waiting."))
    return redirect(url_for("console.shops"))  # type: ignore[return-value]
