"""Which shop order each of our orders is: the ``ShopOrder`` rows, recorded for every source.

A shop snapshot (webhook, poll, reconcile, outbox refresh) records its binding in
``ingest``. A partner push records one when it creates an order and the push can be traced
to a shop: the shop that names the key it came with (``Shop.partner_key``), or else the
account's only shop when that shop names no key. The binding of a push knows no shop status
and no content hash yet, so the next snapshot of that order is applied, not skipped.
"""

from __future__ import annotations

from datetime import datetime

from peewee import Case

from tp_api.db import lock_rows, tuples, utcnow
from tp_api.models import Shop, ShopOrder

# ShopOrder.external_id is a signed 64-bit column.
_MAX_EXTERNAL_ID = 2**63 - 1


def locked_binding(shop_id: int, external_id: int) -> ShopOrder | None:
    """The binding of the shop's order ``external_id``, locked for this transaction."""
    query = ShopOrder.select().where(
        ShopOrder.shop == shop_id, ShopOrder.external_id == external_id
    )
    return lock_rows(query).first()


def save_binding(
    shop_id: int,
    external_id: int,
    binding: ShopOrder | None,
    *,
    order_id: int | None,
    status: str,
    date_modified: datetime | None,
    content_hash: str,
    problem: str | None,
) -> None:
    """Create or rewrite the binding of the shop's order ``external_id`` (in the caller's
    transaction; ``binding`` is the row :func:`locked_binding` found, if any)."""
    values = {
        "order": order_id,
        "status": status[:30],
        "date_modified": date_modified,
        "content_hash": content_hash[:64],
        "problem": problem[:4000] if problem else None,
        "synced_at": utcnow(),
    }
    if binding is None:
        ShopOrder.create(shop=shop_id, external_id=external_id, **values)
    else:
        ShopOrder.update(**values).where(ShopOrder.id == binding.id).execute()


def bind_pushed_order(
    account_id: int, partner_key_id: int, order_id: int, wp_order_id: str | None
) -> None:
    """Record that the order a partner push just created is its shop's order ``wp_order_id``
    (in the push's transaction). Nothing is recorded when no shop can be named or the
    number is not a shop's order id."""
    external_id = _external_id(wp_order_id)
    shop_id = shop_of_push(account_id, partner_key_id) if external_id is not None else None
    if shop_id is None or external_id is None:
        return
    binding = locked_binding(shop_id, external_id)
    if binding is not None and binding.order_id is not None:
        return  # the shop's order is bound already (a snapshot came first)
    save_binding(
        shop_id,
        external_id,
        binding,
        order_id=order_id,
        status="",  # the shop's status is known when the sync first reads the order
        date_modified=None,
        content_hash="",
        problem=None,
    )


def shop_of_push(account_id: int, partner_key_id: int) -> int | None:
    """The shop a push with ``partner_key_id`` comes from: the one naming the key, or the
    account's only shop when it names none; None when that cannot be said."""
    named_first = Case(None, [(Shop.partner_key == partner_key_id, 0)], 1)
    rows = list(
        tuples(
            Shop.select(Shop.id, Shop.partner_key)
            .where(Shop.account == account_id)
            .order_by(named_first, Shop.id)
            .limit(2)
        )
    )
    if rows and rows[0][1] == partner_key_id:
        return int(rows[0][0])
    if len(rows) == 1 and rows[0][1] is None:
        return int(rows[0][0])
    return None


def _external_id(wp_order_id: str | None) -> int | None:
    if not wp_order_id or not (wp_order_id.isascii() and wp_order_id.isdigit()):
        return None
    number = int(wp_order_id)
    return number if 0 < number <= _MAX_EXTERNAL_ID else None
