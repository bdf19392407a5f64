"""`tp-bridge sync reconcile`: every difference between a shop and our store, and the fix.

It reads the shop's whole order list (not the cursor), so it also catches what the
incremental pull cannot see: partial refunds that did not touch the modified date, orders
missed while the shop's webhooks were disabled, and stock edited by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bridge.adapters.base import ShopAdapter
from sync.jobs import available, item_label, push_stock
from tp_api.models import ProductMapping, Shop, ShopOrder
from tp_api.services.orders.ingest import CLOSED_STATUSES, deleted_snapshot, ingest_shop_order
from tp_api.services.shops import connections


def _check_webhooks(
    client: ShopAdapter, webhook_url: str, report: ReconcileReport, *, fix: bool
) -> None:
    for hook in client.list_webhooks():
        if hook.get("delivery_url") == webhook_url and hook.get("status") != "active":
            report.webhooks_inactive.append(int(hook["id"]))
            if fix:
                client.activate_webhook(int(hook["id"]))


def _cancel_deleted(shop: Shop, report: ReconcileReport) -> None:
    for external_id in report.missing_in_shop:
        # Gone from the shop (deleted for good): cancelled like the trash.
        outcome = ingest_shop_order(shop.id, shop.account_id, deleted_snapshot(external_id))
        report.problems += [f"order {external_id}: {p}" for p in outcome.problems]


@dataclass
class ReconcileReport:
    missing_here: list[int] = field(default_factory=list)  # shop orders we never ingested
    out_of_date: list[int] = field(default_factory=list)  # ingested, but changed since
    missing_in_shop: list[int] = field(default_factory=list)  # bound, but gone from the shop
    stock: list[tuple[int, int, int | None, int]] = field(default_factory=list)
    # Our webhooks in the shop that are not active (WooCommerce disables them silently).
    webhooks_inactive: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    fixed: bool = False

    @property
    def clean(self) -> bool:
        return not (
            self.missing_here
            or self.out_of_date
            or self.missing_in_shop
            or self.stock
            or self.webhooks_inactive
        )


def reconcile(
    shop: Shop, client: ShopAdapter, *, fix: bool = False, webhook_url: str | None = None
) -> ReconcileReport:
    """Compare the shop with our store; with ``fix``, ingest what differs and push stock.

    With ``webhook_url``, our webhooks in the shop (those delivering there) are checked too,
    and with ``fix`` set back to active.
    """
    report = ReconcileReport()
    if webhook_url:
        _check_webhooks(client, webhook_url, report, fix=fix)
    bindings = {b.external_id: b for b in ShopOrder.select().where(ShopOrder.shop == shop.id)}
    seen = _compare_orders(shop, client, bindings, report, fix=fix)
    report.missing_in_shop = sorted(
        b.external_id
        for b in bindings.values()
        if b.external_id not in seen and b.order_id and b.status != "trash"
    )
    if fix:
        _cancel_deleted(shop, report)
    _compare_stock(shop, client, report)
    if fix:
        push_stock(shop, client)
        report.fixed = True
    return report


def _compare_orders(
    shop: Shop,
    client: ShopAdapter,
    bindings: dict[int, ShopOrder],
    report: ReconcileReport,
    *,
    fix: bool,
) -> set[int]:
    """Every shop order against its binding; returns the shop's order ids."""
    mappings = connections.mappings(shop.id)
    seen: set[int] = set()
    for snapshot in client.iter_order_snapshots(None, mappings):
        external_id = snapshot.external_id
        seen.add(external_id)
        binding = bindings.get(external_id)
        if binding is None:
            if snapshot.status not in CLOSED_STATUSES and snapshot.order.ticket_quantities():
                report.missing_here.append(external_id)
        elif binding.content_hash != snapshot.content_hash():
            report.out_of_date.append(external_id)
        else:
            continue
        if fix:
            outcome = ingest_shop_order(shop.id, shop.account_id, snapshot)
            report.problems += [f"order {external_id}: {p}" for p in outcome.problems]
    return seen


def _compare_stock(shop: Shop, client: ShopAdapter, report: ReconcileReport) -> None:
    maps = list(ProductMapping.select().where(ProductMapping.shop == shop.id))
    read = client.get_stock([(m.product_id, m.variation_id) for m in maps])
    for m in maps:
        key = (m.product_id, m.variation_id)
        wanted = available(m.ticket_type_id)
        if read.stock.get(key) != wanted:
            report.stock.append((m.product_id, m.variation_id, read.stock.get(key), wanted))
        if key in read.failed:
            report.problems.append(f"{item_label(*key)}: {read.failed[key]}")
