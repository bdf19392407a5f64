"""Rate limits per endpoint class with flask-limiter (we do not write a limiter).

Classes: ``admin`` (admin API, per key), ``scanner`` (door API, per scanner key),
``checkout`` (partner-API writes that create orders or personalise tickets, per key),
``partner`` (the other partner-API calls, per key), ``public`` (downloads, health, the
OpenAPI document, the "my tickets" page and affiliates' tracking links, per client address)
and ``signin`` (console sign-in attempts, per client address). Limited responses carry
``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset``; a 429 also
``Retry-After``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping

from flask import Blueprint, Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from tp_api.web.admin import presented_key

_PER_ADDRESS = ("public", "signin")
# A sale's own calls: a shop's server makes one per customer, so they share the checkout
# budget (per key) rather than the admin class's, meant for a seller's tools.
CHECKOUT_ENDPOINTS = frozenset(
    {"partner.create_order", "partner.personalize_tickets", "admin.join_queue"}
)


def credential_key() -> str:
    """Who to count: a hash of the presented key (any of our three ways of sending one), or
    the client address when there is none."""
    key = presented_key() or request.args.get("key", "")
    if key:
        return "key:" + hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:32]
    return client_address()


def client_address() -> str:
    return "ip:" + (get_remote_address() or "unknown")


def install_rate_limits(
    app: Flask,
    limits: Mapping[str, str],
    *,
    storage_uri: str,
    classes: Mapping[str, list[Blueprint]],
) -> Limiter:
    """Attach a limiter to ``app`` and give each blueprint its class's limit.

    ``classes`` maps a class name to its blueprints; the partner blueprint is split between
    ``checkout`` (its order-changing endpoints) and ``partner`` (the rest), the admin one
    between ``checkout`` (joining a waiting room) and ``admin``.
    """
    limiter = Limiter(
        key_func=credential_key,
        app=app,
        storage_uri=storage_uri,
        headers_enabled=True,
        strategy="moving-window",
        # Counting must never take the service down: if Redis is away, serve unlimited.
        swallow_errors=True,
    )

    @limiter.request_filter
    def _not_counted() -> bool:
        # A CORS preflight is not a call.
        return request.method == "OPTIONS"

    for name, blueprints in classes.items():
        if limits[name] == "off":
            continue
        for bp in blueprints:
            # Shared: one budget per key across every endpoint of the class.
            limiter.shared_limit(
                limits[name],
                key_func=client_address if name in _PER_ADDRESS else credential_key,
                scope=name,
                exempt_when=_exemption(name),
            )(bp)
    return limiter


def _exemption(name: str) -> Callable[[], bool] | None:
    if name == "checkout":
        return lambda: request.endpoint not in CHECKOUT_ENDPOINTS
    if name in ("partner", "admin"):
        return lambda: request.endpoint in CHECKOUT_ENDPOINTS
    if name == "signin":
        # Only sign-in attempts count; browsing the console is not limited.
        return lambda: not (request.endpoint == "console.sign_in" and request.method == "POST")
    return None
