"""Building the ticket tools (signing key, link signer, file store) from settings."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from bridge.page_links import MyTicketsLinks
from config.settings import Settings
from config.wallets import wallets
from pdf.signing import FileLinkSigner, derive_signing_key, key_id, public_key_b64
from tp_api.services.credentials.staff_links import PasswordLinkSigner
from tp_api.services.delivery.file_store import FileStore
from tp_api.services.delivery.ticket_files import TicketTools
from tp_api.services.shops.shop_authorization import ApprovalSigner


def ticket_tools(settings: Settings) -> TicketTools:
    """The one place that turns TP_SECRET_KEY into the scan-code key and link signer."""
    secret = settings.secret_key
    if not secret:
        raise ValueError("ticket tools need TP_SECRET_KEY (or development mode)")
    return TicketTools(
        signing_key=derive_signing_key(secret),
        links=FileLinkSigner(
            [secret, *settings.old_secret_keys], max_age_s=settings.link_max_age_s
        ),
        store=FileStore(Path(settings.files_dir)),
        public_url=settings.public_url,
        page_url=lambda account_id, wp_user_id, locale: my_tickets_url(
            settings, account_id, wp_user_id, locale
        ),
        wallets=wallets(settings),
    )


MY_TICKETS_PREFIX = "/my-tickets"


def my_tickets_links(settings: Settings) -> MyTicketsLinks:
    """The signer of page links: TP_SECRET_KEY signs, it and TP_OLD_SECRET_KEYS verify."""
    if not settings.secret_key:
        raise ValueError("the my tickets page needs TP_SECRET_KEY (or development mode)")
    return MyTicketsLinks(
        [settings.secret_key, *settings.old_secret_keys],
        max_age_s=settings.my_tickets_link_days * 86400,
    )


def my_tickets_url(settings: Settings, account_id: int, wp_user_id: int, locale: str = "") -> str:
    """The page's address for one customer of one account: ``<public URL>/my-tickets/<token>``."""
    token = my_tickets_links(settings).sign(account_id, wp_user_id, locale)
    return f"{settings.public_url}{MY_TICKETS_PREFIX}/{token}"


def scan_public_key(settings: Settings) -> dict[str, str]:
    """What a door scanner needs to verify codes offline: key id and raw public key."""
    public_key = derive_signing_key(settings.secret_key).public_key()
    return {
        "key_id": key_id(public_key),
        "algorithm": "Ed25519",
        "public_key": public_key_b64(public_key),
    }


def scan_public_keys(settings: Settings) -> dict[str, Ed25519PublicKey]:
    """Key id -> public key, for the current secret and the old ones still accepted."""
    keys = {}
    for secret in (settings.secret_key, *settings.old_secret_keys):
        public_key = derive_signing_key(secret).public_key()
        keys[key_id(public_key)] = public_key
    return keys


def password_links(settings: Settings) -> PasswordLinkSigner:
    """Signs staff set-password links with the current secret; old secrets still verify."""
    return PasswordLinkSigner([settings.secret_key, *settings.old_secret_keys])


def shop_approvals(settings: Settings) -> ApprovalSigner:
    """Signs the tokens of WooCommerce's shop approval screen; old secrets still verify."""
    return ApprovalSigner([settings.secret_key, *settings.old_secret_keys])
