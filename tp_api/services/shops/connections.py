"""Shop connections and product mappings (what `tp-bridge shop ...` manages)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import peewee

from tp_api.db import write_transaction
from tp_api.models import Event, PartnerKey, ProductMapping, Shop, SyncRun, TicketType
from tp_api.services import audit_trail
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.audit_trail import created
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.errors import Conflict, InvalidInput, NotFound, Said
from tp_api.services.shops.sync_requests import request_sync_now

PLATFORMS = ("woocommerce",)
AUTH_MODES = ("basic", "query", "oauth1")


@dataclass(frozen=True)
class ShopConnection:
    """What an adapter needs to talk to a shop, decrypted. Never logged or printed."""

    shop_id: int
    account_id: int
    name: str
    platform: str
    base_url: str
    auth_mode: str
    consumer_key: str
    consumer_secret: str
    webhook_secret: str

    def __repr__(self) -> str:  # keep secrets out of logs and tracebacks
        return f"ShopConnection({self.shop_id}, {self.name!r}, {self.base_url!r})"


@dataclass(frozen=True)
class NewShop:
    shop: Shop
    webhook_secret: str


def add_shop(
    box: SecretBox,
    account_id: int,
    name: str,
    *,
    platform: str,
    base_url: str,
    consumer_key: str,
    consumer_secret: str,
    auth_mode: str = "basic",
    interval_s: int = 300,
    actor: Actor = SYSTEM,
) -> NewShop:
    """Connect a shop. A webhook secret is generated and returned once (for the shop's
    webhook settings); credentials are stored encrypted."""
    actor.require("shops:write")
    name = name.strip()
    check_shop(name, platform, base_url, auth_mode, interval_s)
    if not consumer_key or not consumer_secret:
        raise InvalidInput("Consumer key and secret are required")
    webhook_secret = secrets.token_urlsafe(32)
    try:
        with write_transaction():
            shop = Shop.create(
                account=account_id,
                name=name,
                platform=platform,
                base_url=base_url.rstrip("/"),
                auth_mode=auth_mode,
                consumer_key_enc=box.seal(consumer_key),
                consumer_secret_enc=box.seal(consumer_secret),
                webhook_secret_enc=box.seal(webhook_secret),
                interval_s=interval_s,
            )
            values = created({"name": name, "url": shop.base_url, "auth_mode": auth_mode})
            audit_trail.record(account_id, actor, "shop.connected", _subject(shop), values)
    except peewee.IntegrityError:
        refusal = Said("Shop {name!r} already exists", name=name)
        raise Conflict(refusal, code="shop_exists") from None
    return NewShop(shop, webhook_secret)


def set_partner_key(
    account_id: int, name: str, partner_key_id: int | None, *, actor: Actor = SYSTEM
) -> Shop:
    """Name the partner key the shop's plugin pushes orders with (None: no key), so pushes
    with it are bound to this shop's orders (orders.shop_bindings). A key serves one shop."""
    actor.require("shops:write")
    with write_transaction():
        shop = get_shop(account_id, name)
        if partner_key_id is not None:
            key = PartnerKey.get_or_none(
                (PartnerKey.id == partner_key_id) & (PartnerKey.account == account_id)
            )
            if key is None:
                raise NotFound(
                    Said("Key {key_id} not found", key_id=partner_key_id), code="key_not_found"
                )
            if key.revoked_at is not None:
                raise Conflict(
                    Said("Key {key_id} is revoked", key_id=partner_key_id), code="key_revoked"
                )
            other = Shop.get_or_none((Shop.partner_key == key.id) & (Shop.id != shop.id))
            if other is not None:
                raise Conflict(
                    Said(
                        "Key {key_id} already serves shop {shop!r}",
                        key_id=partner_key_id,
                        shop=other.name,
                    ),
                    code="key_serves_another_shop",
                )
        Shop.update(partner_key=partner_key_id).where(Shop.id == shop.id).execute()
        if shop.partner_key_id != partner_key_id:
            change = {"partnerKeyId": [shop.partner_key_id, partner_key_id]}
            audit_trail.record(account_id, actor, "shop.partner_key_set", _subject(shop), change)
    return Shop.get_by_id(shop.id)


def check_shop(name: str, platform: str, base_url: str, auth_mode: str, interval_s: int) -> None:
    """Refuse (InvalidInput) a shop name, platform, URL, auth mode or interval we cannot use."""
    if not name or len(name) > 100:
        raise InvalidInput("Shop name must be 1 to 100 characters")
    if platform not in PLATFORMS:
        raise InvalidInput(
            Said(
                "Unknown platform {platform!r}; supported: {supported}",
                platform=platform,
                supported=", ".join(PLATFORMS),
            )
        )
    if auth_mode not in AUTH_MODES:
        raise InvalidInput(
            Said(
                "Unknown auth mode {auth_mode!r}; supported: {supported}",
                auth_mode=auth_mode,
                supported=", ".join(AUTH_MODES),
            )
        )
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput("Shop URL must be an http(s) URL, e.g. https://shop.example.com")
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme == "http" and auth_mode != "oauth1" and not loopback:
        # WooCommerce accepts Basic auth only over HTTPS; plain HTTP needs OAuth 1.0a.
        raise InvalidInput("A plain http shop URL needs --auth-mode oauth1 (or use https)")
    if not 30 <= interval_s <= 86400:
        raise InvalidInput("Interval must be between 30 and 86400 seconds")


def get_shop(account_id: int, name: str) -> Shop:
    shop = Shop.get_or_none((Shop.account == account_id) & (Shop.name == name))
    if shop is None:
        raise NotFound(Said("Shop {name!r} not found", name=name), code="shop_not_found")
    return shop


def list_shops(account_id: int | None = None) -> list[Shop]:
    """Every shop (of one account, if given), oldest first."""
    query = Shop.select().order_by(Shop.id)
    if account_id is not None:
        query = query.where(Shop.account == account_id)
    return list(query)


def shops_named(name: str) -> list[Shop]:
    """The shops of any account called ``name`` (names are unique per account only)."""
    return list(Shop.select().where(Shop.name == name).order_by(Shop.id))


def recent_runs(shop_id: int, limit: int) -> list[SyncRun]:
    """The shop's last ``limit`` sync runs, newest first."""
    query = SyncRun.select().where(SyncRun.shop == shop_id).order_by(SyncRun.id.desc())
    return list(query.limit(limit))


def remove_shop(account_id: int, name: str, *, actor: Actor = SYSTEM) -> None:
    """Disconnect a shop (its mappings and order bindings go; our orders stay)."""
    actor.require("shops:write")
    with write_transaction():
        shop = get_shop(account_id, name)
        audit_trail.record(account_id, actor, "shop.removed", _subject(shop))
        shop.delete_instance(recursive=False)


def set_enabled(account_id: int, shop_id: int, enabled: bool, *, actor: Actor = SYSTEM) -> Shop:
    """Pause a shop's sync (the daemon and its webhooks leave it alone) or resume it."""
    actor.require("shops:write")
    with write_transaction():
        shop = shop_of(account_id, shop_id)
        if shop.enabled != enabled:
            Shop.update(enabled=enabled).where(Shop.id == shop.id).execute()
            action = "shop.resumed" if enabled else "shop.paused"
            change = {"enabled": [shop.enabled, enabled]}
            audit_trail.record(account_id, actor, action, _subject(shop), change)
    return shop_of(account_id, shop_id)


def record_webhooks_restored(
    account_id: int,
    shop_id: int,
    *,
    registered: Sequence[str],
    reactivated: Sequence[int],
    actor: Actor = SYSTEM,
) -> None:
    """Write down that testing the shop's connection registered our missing webhooks in it
    (``registered``: their topics) or set disabled ones back to active (``reactivated``:
    the shop's webhook ids). The shop was changed over HTTP first, so this entry follows
    it; nothing is written when nothing changed."""
    actor.require("shops:write")
    if not registered and not reactivated:
        return
    change: dict[str, list[Any]] = {}
    if registered:
        change["registered"] = [None, ", ".join(registered)]
    if reactivated:
        change["reactivated"] = [None, ", ".join(str(hook) for hook in reactivated)]
    with write_transaction():
        shop = shop_of(account_id, shop_id)
        audit_trail.record(account_id, actor, "shop.webhooks_restored", _subject(shop), change)


def shop_of(account_id: int, shop_id: int) -> Shop:
    """The account's shop by id, or NotFound (another account's is not found)."""
    shop = Shop.get_or_none((Shop.id == shop_id) & (Shop.account == account_id))
    if shop is None:
        raise NotFound("Shop not found", code="shop_not_found")
    return shop


def webhook_path(shop: Shop) -> str:
    """Where on this service the shop's webhooks deliver (after ``TP_PUBLIC_URL``)."""
    return f"/shops/{shop.id}/woocommerce/webhook"


def _subject(shop: Shop) -> tuple[str, int, str]:
    return ("shop", shop.id, shop.name)


def connection(box: SecretBox, shop: Shop) -> ShopConnection:
    """The decrypted connection details of a shop."""
    return ShopConnection(
        shop_id=shop.id,
        account_id=shop.account_id,
        name=shop.name,
        platform=shop.platform,
        base_url=shop.base_url,
        auth_mode=shop.auth_mode,
        consumer_key=box.open(shop.consumer_key_enc),
        consumer_secret=box.open(shop.consumer_secret_enc),
        webhook_secret=box.open(shop.webhook_secret_enc),
    )


def map_product(
    shop: Shop,
    *,
    product_id: int,
    variation_id: int = 0,
    ticket_type_id: int,
    actor: Actor = SYSTEM,
    sync_now: bool = False,
) -> ProductMapping:
    """Map a shop product (or one variation) to a ticket type of the same account. With
    ``sync_now`` a "sync now" of the shop is queued in the same transaction, so the outbox
    worker sets the product's stock in the shop to ours without waiting for the next run."""
    actor.require("shops:write")
    with write_transaction():
        ticket_type = (
            TicketType.select()
            .join(Event)
            .where(TicketType.id == ticket_type_id, Event.account == shop.account_id)
            .first()
        )
        if ticket_type is None:
            raise NotFound(
                Said("Ticket type {ticket_type_id} not found", ticket_type_id=ticket_type_id),
                code="ticket_type_not_found",
            )
        existing = ProductMapping.get_or_none(
            (ProductMapping.shop == shop.id)
            & (ProductMapping.product_id == product_id)
            & (ProductMapping.variation_id == variation_id)
        )
        item = f"product {product_id}" + (f"/{variation_id}" if variation_id else "")
        before = existing.ticket_type_id if existing is not None else None
        change = {"ticket_type": [before, ticket_type.id], "item": [None, item]}
        audit_trail.record(shop.account_id, actor, "shop.product_mapped", _subject(shop), change)
        if sync_now:
            request_sync_now(shop.account_id, shop.id)  # one waiting request serves them all
        if existing is not None:
            existing.ticket_type = ticket_type.id
            existing.save()
            return existing
        return ProductMapping.create(
            shop=shop.id,
            product_id=product_id,
            variation_id=variation_id,
            ticket_type=ticket_type.id,
        )


def unmap_product(
    shop: Shop, *, product_id: int, variation_id: int = 0, actor: Actor = SYSTEM
) -> None:
    """Stop selling our tickets through a shop product: its stock is no longer pushed and
    its orders arrive as unmapped lines."""
    actor.require("shops:write")
    with write_transaction():
        mapping = ProductMapping.get_or_none(
            (ProductMapping.shop == shop.id)
            & (ProductMapping.product_id == product_id)
            & (ProductMapping.variation_id == variation_id)
        )
        if mapping is None:
            return
        item = f"product {product_id}" + (f"/{variation_id}" if variation_id else "")
        change: dict[str, list[Any]] = {
            "ticket_type": [mapping.ticket_type_id, None],
            "item": [item, None],
        }
        audit_trail.record(shop.account_id, actor, "shop.product_unmapped", _subject(shop), change)
        mapping.delete_instance()


def mappings(shop_id: int) -> dict[tuple[int, int], int]:
    """(product id, variation id) -> ticket type id."""
    rows = ProductMapping.select().where(ProductMapping.shop == shop_id)
    return {(m.product_id, m.variation_id): m.ticket_type_id for m in rows}
