"""The adapter for a shop's platform."""

from __future__ import annotations

from bridge.adapters.base import ShopAdapter
from bridge.adapters.woocommerce import WooClient
from tp_api.services.shops.connections import ShopConnection


def adapter_for(connection: ShopConnection) -> ShopAdapter:
    """A client for the shop; a second platform adds a branch and a module, nothing else."""
    if connection.platform == "woocommerce":
        return WooClient(
            connection.base_url,
            connection.consumer_key,
            connection.consumer_secret,
            auth_mode=connection.auth_mode,
        )
    raise ValueError(f"no adapter for platform {connection.platform!r}")
