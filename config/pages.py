"""Pages the service hosts beside its APIs: the customers' "my tickets" page.

The page (``bridge.web.my_tickets``) talks to the partner API through ``PartnerClient``
only. Hosted here, that client's session reaches this very app in-process
(``bridge.partner_transport.WSGITransport``): no socket and no key; the account comes from
the signed link and travels in the WSGI environ key ``tp.page_account``, which the partner
blueprint accepts and no HTTP client can set.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from flask import Blueprint, Flask, request

from bridge.partner_client import PartnerClient
from bridge.partner_transport import WSGITransport
from bridge.web.my_tickets import create_my_tickets_blueprint
from config.settings import Settings
from config.tickets import MY_TICKETS_PREFIX, my_tickets_links
from tp_api.web.partner import PAGE_ACCOUNT_ENVIRON

# A name that resolves nowhere: the page's client has no other adapter, so a request that is
# not for the app itself fails instead of leaving the machine.
INTERNAL_BASE_URL = "http://tp.internal/"


def in_process_client(
    app: Flask, account_id: int, *, client_address: str = "127.0.0.1"
) -> PartnerClient:
    """A partner client acting for ``account_id`` against ``app`` itself, in-process."""
    session = requests.Session()
    session.adapters.clear()
    # The visitor's address, so the partner API's rate limits count each customer on their
    # own instead of every visitor of the page as one client at 127.0.0.1.
    environ = {PAGE_ACCOUNT_ENVIRON: account_id, "REMOTE_ADDR": client_address}
    session.mount(INTERNAL_BASE_URL, WSGITransport(app, environ))
    # No retries: in-process there is no network to recover from; a 5xx is a bug.
    return PartnerClient(INTERNAL_BASE_URL + "tp-api", "", session=session, retries=0)


def install_my_tickets(app: Flask, settings: Settings) -> Blueprint:
    """Register the "my tickets" page at /my-tickets, served from this app's partner API.
    Returns its blueprint (rate-limited per visitor like the other public pages)."""
    blueprint = create_my_tickets_blueprint(
        links=my_tickets_links(settings),
        client_for=lambda account_id: in_process_client(
            app, account_id, client_address=request.remote_addr or "127.0.0.1"
        ),
        stylesheet_url=settings.my_tickets_stylesheet or None,
        url_prefix=MY_TICKETS_PREFIX,
        calendar_host=urlsplit(settings.public_url).hostname,
    )
    app.register_blueprint(blueprint)
    return blueprint
