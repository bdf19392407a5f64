"""The adapter for a shop's platform."""

from __future__ import annotations

from bridge.adapters.base import ShopAdapter
from bridge.adapters.woocommerce import WooClient
from bridge.adapters.woocommerce_shop import WooCommerceShop
from tp_api.services.shops.connections import ShopConnection


def adapter_for(connection: ShopConnection, *, interactive: bool = False) -> ShopAdapter:
    """The shop's adapter, credentials in hand. A second platform is a class implementing
    ShopAdapter (sync's tests run on an in-memory one) and a branch here.

    ``interactive``: for a person waiting on a page (the console's connection test), one
    attempt with a short timeout instead of the daemon's patient retries."""
    if connection.platform == "woocommerce":
        client = WooClient(
            connection.base_url,
            connection.consumer_key,
            connection.consumer_secret,
            auth_mode=connection.auth_mode,
        )
        if interactive:
            client.max_attempts, client.timeout = 1, (5.0, 10.0)
        return WooCommerceShop(client)
    raise ValueError(f"no adapter for platform {connection.platform!r}")
