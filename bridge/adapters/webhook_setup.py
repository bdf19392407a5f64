"""Our webhooks in a shop: registered when a shop is connected, and set back to active when
the platform has disabled them (WooCommerce does after five failed deliveries)."""

from __future__ import annotations

from dataclasses import dataclass

from bridge.adapters.base import ShopAdapter

# What the sync needs to hear about at once; stock and products it reconciles by polling.
ORDER_TOPICS = ("order.created", "order.updated", "order.deleted")


@dataclass(frozen=True)
class WebhookSetup:
    """What :func:`ensure_webhooks` did: topics registered, webhooks set active again."""

    created: list[str]
    reactivated: list[int]


def ensure_webhooks(shop: ShopAdapter, delivery_url: str, secret: str) -> WebhookSetup:
    """Make sure the shop sends each order topic to ``delivery_url``, signed with ``secret``."""
    ours = [hook for hook in shop.list_webhooks() if hook.get("delivery_url") == delivery_url]
    created: list[str] = []
    reactivated: list[int] = []
    for topic in ORDER_TOPICS:
        found = [hook for hook in ours if hook.get("topic") == topic]
        if not found:
            shop.create_webhook(topic, delivery_url, secret)
            created.append(topic)
            continue
        for hook in found:
            if hook.get("status") != "active":
                shop.activate_webhook(int(hook["id"]))
                reactivated.append(int(hook["id"]))
    return WebhookSetup(created, reactivated)
