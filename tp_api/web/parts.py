"""What the composition root hands the Ticket Pulse blueprints: plain values and services.

``config.wsgi`` builds one :class:`WebParts` and installs it on the app; a view reads it
with :func:`parts`. Typed in one place, so no view reaches into ``app.config`` or
``app.extensions`` by a string key the type checker and the import contracts cannot see.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import Flask, current_app

from tp_api.services.credentials.authenticator import AuthThrottle
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.credentials.staff_links import PasswordLinkSigner
from tp_api.services.delivery.ticket_files import Render, TicketTools
from tp_api.services.queue.waiting_room import WaitingRooms
from tp_api.services.shops.shop_authorization import ApprovalSigner

_KEY = "tp_web_parts"


@dataclass(frozen=True)
class WebParts:
    """The services and settings the Ticket Pulse surfaces use, built from the settings."""

    auth_throttle: AuthThrottle
    ticket_tools: TicketTools
    render: Render  # builds the PDF renderer on first use: weasyprint loads in half a second
    secret_box: SecretBox
    scan_keys: Mapping[str, Ed25519PublicKey]  # key id -> public key of the signed QR codes
    unpaid_hold_seconds: int
    public_url: str
    webhook_allow_private: bool
    password_links: PasswordLinkSigner  # staff set-password links
    shop_approvals: ApprovalSigner  # WooCommerce's approval screen
    waiting_rooms: WaitingRooms  # the lines of events with a waiting room
    oauth_token_lifetime: timedelta  # how long an OAuth access token lives
    # What /readyz asks besides the database (name -> a call that raises when it is down).
    readiness: Mapping[str, Callable[[], object]] = field(default_factory=dict)


def install(app: Flask, web_parts: WebParts) -> None:
    """Hand ``web_parts`` to the app's views (the composition root does this once)."""
    app.extensions[_KEY] = web_parts


def parts_of(app: Flask) -> WebParts:
    """The parts installed on ``app``."""
    web_parts: WebParts = app.extensions[_KEY]
    return web_parts


def parts() -> WebParts:
    """The parts of the app handling the current request."""
    return parts_of(current_app)
