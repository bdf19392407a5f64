"""Loading the wallet pass signers from settings, at start-up (docs/tickets.md, Wallet passes).

A certificate, key or key file that cannot sign is a SettingsError naming the variable, so
``tp-bridge serve`` and the outbox worker refuse to start rather than fail on the first pass.
"""

from __future__ import annotations

from pathlib import Path

from config.settings import Settings, SettingsError
from pdf import apple_pass, google_pass
from pdf.signing import FileLinkSigner
from tp_api.services.delivery.ticket_files import Wallets

# Links in e-mails to guests sign with their own salt: they live for days, the page's an hour.
MAIL_LINK_SALT = "tp-bridge.wallet-mail-link.v1"


def wallets(settings: Settings) -> Wallets:
    """The wallets the settings configure (none by default)."""
    apple = _apple(settings) if settings.apple_pass_cert else None
    google = _google(settings) if settings.google_wallet_key_file else None
    mail_links = None
    if apple is not None:
        mail_links = FileLinkSigner(
            [settings.secret_key, *settings.old_secret_keys],
            max_age_s=settings.my_tickets_link_days * 86400,
            salt=MAIL_LINK_SALT,
        )
    return Wallets(apple=apple, google=google, mail_links=mail_links)


def _apple(settings: Settings) -> apple_pass.PassSigner:
    password = settings.apple_pass_key_password.encode() or None
    try:
        return apple_pass.load_signer(
            certificate=_read(settings.apple_pass_cert, "TP_APPLE_PASS_CERT"),
            private_key=_read(settings.apple_pass_key, "TP_APPLE_PASS_KEY"),
            wwdr=_read(settings.apple_wwdr_cert, "TP_APPLE_WWDR_CERT"),
            pass_type_id=settings.apple_pass_type_id,
            team_id=settings.apple_team_id,
            password=password,
        )
    except apple_pass.PassSignerError as error:
        raise SettingsError(f"Apple Wallet (TP_APPLE_PASS_*): {error}") from None


def _google(settings: Settings) -> google_pass.GoogleIssuer:
    key_file = _read(settings.google_wallet_key_file, "TP_GOOGLE_WALLET_KEY_FILE")
    try:
        return google_pass.load_issuer(key_file, settings.google_wallet_issuer_id)
    except google_pass.GoogleIssuerError as error:
        raise SettingsError(f"Google Wallet (TP_GOOGLE_WALLET_*): {error}") from None


def _read(path: str, name: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise SettingsError(f"{name}: cannot read {path!r} ({error.strerror})") from None
