"""Connecting and running shops from the console: connect a WooCommerce shop with keys
pasted from its settings (tested at once, our webhooks registered in it), test the
connection again, set disabled webhooks back to active, pause and resume the sync, remove.

The connection test and the webhook set-up call the shop while the person waits: one
attempt with a short timeout (the daemon's calls retry patiently instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Response, flash, redirect, render_template, request, url_for

from bridge.adapters.base import ConnectionCheck, ShopError
from bridge.adapters.factory import adapter_for
from bridge.adapters.webhook_setup import WebhookSetup, ensure_webhooks
from tp_api.models import Shop
from tp_api.services.errors import TicketingError
from tp_api.services.shops import connections, shop_authorization
from tp_api.services.webhooks.url_guard import check_destination
from tp_api.web.console import account_id, actor, bp, queries
from tp_api.web.languages import _, translated
from tp_api.web.parts import parts

_LOOPBACK = ("127.0.0.1", "localhost", "::1")
# Which form field a refusal of add_shop is about, by the start of its message.
_FIELD_OF_MESSAGE = (("Shop name", "name"), ("Shop URL", "url"), ("A plain http", "url"))


@dataclass(frozen=True)
class ShopReport:
    """What talking to a shop just now found."""

    shop_name: str
    check: ConnectionCheck
    webhooks: WebhookSetup | None
    webhook_problem: str | None


@bp.post("/shops")
def shop_connect() -> str | tuple[str, int]:
    """Connect a shop with pasted keys, test it, and register our webhooks in it."""
    typed = {k: request.form.get(k, "").strip() for k in ("name", "url", "consumer_key")}
    secret = request.form.get("consumer_secret", "").strip()
    try:
        # A console user must not make the service probe private addresses; an operator
        # allows them (a shop on the LAN) with TP_WEBHOOK_ALLOW_PRIVATE, or uses the CLI.
        check_destination(typed["url"], allow_private=parts().webhook_allow_private)
    except TicketingError as error:
        return shops_page(errors={"url": translated(error.message)}, typed=typed), error.status
    refused = _refused_key(typed, secret)
    if refused is not None:
        return shops_page(errors={"consumer_key": refused}, typed=typed), 422
    try:
        new = connections.add_shop(
            parts().secret_box,
            account_id(),
            typed["name"],
            platform="woocommerce",
            base_url=typed["url"],
            consumer_key=typed["consumer_key"],
            consumer_secret=secret,
            auth_mode=_auth_mode(typed["url"]),
            actor=actor(),
        )
    except TicketingError as error:
        field = next((f for start, f in _FIELD_OF_MESSAGE if error.message.startswith(start)), "")
        errors = {field or "consumer_key": translated(error.message)}
        return shops_page(errors=errors, typed=typed), error.status
    return shops_page(report=_talk_to(new.shop, hook=True))


@bp.post("/shops/approve")
def shop_approve() -> str | tuple[str, int]:
    """Send the browser to the shop's own approval screen (WooCommerce's ``wc-auth``)."""
    typed = {k: request.form.get(k, "").strip() for k in ("name", "url")}
    if not _public_https():
        problem = _("WooCommerce's approval needs this service on a public https:// address")
        return shops_page(errors={"approve-url": problem}, typed=typed), 400
    try:
        check_destination(typed["url"], allow_private=parts().webhook_allow_private)
        target = shop_authorization.approval_url(
            parts().shop_approvals,
            actor(),
            account_id(),
            typed["name"],
            typed["url"],
            parts().public_url,
        )
    except TicketingError as error:
        field = (
            "approve-name"
            if error.code == "shop_exists" or "name" in error.message
            else "approve-url"
        )
        return shops_page(errors={field: translated(error.message)}, typed=typed), error.status
    # A page with a link, not a redirect: the console's CSP (form-action 'self') stops a
    # form's navigation from ending on another site, and the owner sees where they go.
    return render_template("console/shop_approve.html", target=target, name=typed["name"])


@bp.get("/shops/approved")
def shop_approved() -> Response | str:
    """Where WooCommerce sends the browser back: the shop, tested, or why not."""
    if request.args.get("success") != "1":
        flash(_("The shop did not approve the connection; nothing was connected."), "problem")
        return _to_shops()
    approval = shop_authorization.approval_of(parts().shop_approvals, request.args.get("user_id"))
    shop = Shop.get_or_none((Shop.account == account_id()) & (Shop.name == approval.name))
    if approval.account_id != account_id() or shop is None:
        flash(
            _("WooCommerce approved, but its key has not reached us: see the shop's logs."),
            "problem",
        )
        return _to_shops()
    return shops_page(report=_talk_to(shop, hook=True))


@bp.post("/shops/<int:shop_id>/check")
def shop_check(shop_id: int) -> str:
    """Test the shop's key again, and set our webhooks in it back to active (or register
    the ones that are missing)."""
    actor().require("shops:write")
    shop = connections.shop_of(account_id(), shop_id)
    report = _talk_to(shop, hook=True)
    if report.webhooks is not None:
        connections.record_webhooks_restored(
            account_id(),
            shop.id,
            registered=report.webhooks.created,
            reactivated=report.webhooks.reactivated,
            actor=actor(),
        )
    return shops_page(report=report)


@bp.post("/shops/<int:shop_id>/pause")
def shop_pause(shop_id: int) -> Response:
    """Stop syncing the shop (its webhooks are refused until it resumes)."""
    shop = connections.set_enabled(account_id(), shop_id, False, actor=actor())
    flash(
        _(
            "Sync of %(name)s paused. Orders the shop takes meanwhile come in on resuming.",
            name=shop.name,
        )
    )
    return _to_shops()


@bp.post("/shops/<int:shop_id>/resume")
def shop_resume(shop_id: int) -> Response:
    """Sync the shop again; the next run catches up from where it stopped."""
    shop = connections.set_enabled(account_id(), shop_id, True, actor=actor())
    flash(_("Sync of %(name)s resumed.", name=shop.name))
    return _to_shops()


@bp.post("/shops/<int:shop_id>/remove")
def shop_remove(shop_id: int) -> Response:
    """Disconnect the shop: its mappings go, our orders and tickets stay."""
    shop = connections.shop_of(account_id(), shop_id)
    connections.remove_shop(account_id(), shop.name, actor=actor())
    flash(_("%(name)s is disconnected; its orders and tickets stay here.", name=shop.name))
    return _to_shops()


def _refused_key(typed: dict[str, str], secret: str) -> str | None:
    """Why the shop refuses the pasted key (None when it may read): tested before anything
    is saved, so a mistyped key leaves no shop behind. A malformed URL is left to add_shop."""
    url = typed["url"]
    if not (typed["consumer_key"] and secret and urlsplit(url).scheme in ("http", "https")):
        return None
    trial = connections.ShopConnection(
        0, account_id(), typed["name"], "woocommerce", url.rstrip("/"), _auth_mode(url),
        typed["consumer_key"], secret, "",
    )  # fmt: skip
    check = adapter_for(trial, interactive=True).check_connection()
    if check.can_read:
        return None
    return _("The shop refused this key: %(problem)s", problem=check.problem)


def _auth_mode(url: str) -> str:
    """Basic over HTTPS (and on loopback); OAuth 1.0a where WooCommerce ignores Basic."""
    parts_ = urlsplit(url)
    return "basic" if parts_.scheme == "https" or parts_.hostname in _LOOPBACK else "oauth1"


def _talk_to(shop: Shop, *, hook: bool) -> ShopReport:
    connection = connections.connection(parts().secret_box, shop)
    adapter = adapter_for(connection, interactive=True)
    check = adapter.check_connection()
    setup, problem = None, None
    if hook and check.can_write:
        url = parts().public_url.rstrip("/") + connections.webhook_path(shop)
        try:
            setup = ensure_webhooks(adapter, url, connection.webhook_secret)
        except ShopError as error:
            problem = str(error)
    return ShopReport(shop.name, check, setup, problem)


def shops_page(
    *,
    report: ShopReport | None = None,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
) -> str:
    """The shops with their sync, the connect form, and what talking to a shop found."""
    return render_template(
        "console/shops.html",
        shops=queries.shops_with_status(account_id()),
        report=report,
        errors=errors or {},
        typed=typed or {"name": "", "url": "", "consumer_key": ""},
        public_https=_public_https(),
    )


def _public_https() -> bool:
    public = parts().public_url
    return public.startswith("https://") and urlsplit(public).hostname not in _LOOPBACK


def _to_shops() -> Response:
    return redirect(url_for("console.shops"))  # type: ignore[return-value]
