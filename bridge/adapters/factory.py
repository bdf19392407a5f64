"""The adapter for a shop's platform."""

from __future__ import annotations

from bridge.adapters.base import ShopAdapter
from bridge.adapters.woocommerce import WooClient
from bridge.adapters.woocommerce_shop import WooCommerceShop
from tp_api.services.shops.connections import ShopConnection


def adapter_for(connection: ShopConnection) -> ShopAdapter:
    """The shop's adapter, credentials in hand. A second platform is a class implementing
    ShopAdapter (sync's tests run on an in-memory one) and a branch here."""
    if connection.platform == "woocommerce":
        return WooCommerceShop(
            WooClient(
                connection.base_url,
                connection.consumer_key,
                connection.consumer_secret,
                auth_mode=connection.auth_mode,
            )
        )
    raise ValueError(f"no adapter for platform {connection.platform!r}")
