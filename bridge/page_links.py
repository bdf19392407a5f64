"""Signed, expiring links to a customer's "my tickets" page (itsdangerous).

A link stands in for a password: whoever holds it sees the customer's tickets of one seller
account and may fill in their attendee details. So the token is signed (not encrypted: it
holds nothing secret, only ids and a language) and expires.

Pure: no database, no web framework, nothing of ours. Like ``pdf.signing.FileLinkSigner``,
``secrets`` lists keys newest first: the newest signs, all of them verify, so the service
secret can be rotated without breaking links already sent by e-mail.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "tp-my-tickets-v1"
DEFAULT_MAX_AGE_S = 30 * 86400
# BCP 47 / POSIX-ish tags such as "nl", "nl_NL" or "nl-BE"; anything else is not a locale.
_LOCALE = re.compile(r"[A-Za-z]{2,8}([_-][A-Za-z0-9]{1,8}){0,3}")
# The tag at the start of what shops send as a locale ("en_US.UTF-8" -> "en_US").
_LEADING_TAG = re.compile(r"[A-Za-z]{2,8}(?:[_-][A-Za-z0-9]{1,8}){0,3}(?![A-Za-z0-9])")
_MAX_ID = 2**53


class PageLinkError(ValueError):
    """Base of the two ways a page link is refused."""


class PageLinkInvalid(PageLinkError):
    """The token is missing, altered, signed with an unknown key or not one of ours."""


class PageLinkExpired(PageLinkError):
    """The token is genuine but older than the links' lifetime.

    Kept apart from PageLinkInvalid (and not a subclass of it): the page tells the customer
    to ask for a new link, in the language the expired link still names (``claims``).
    """

    def __init__(self, claims: PageClaims | None) -> None:
        super().__init__("page link expired")
        self.claims = claims


@dataclass(frozen=True)
class PageClaims:
    """What a valid page link says: whose tickets, of which account, in which language."""

    account_id: int
    wp_user_id: int
    locale: str


class MyTicketsLinks:
    """Signs and reads the tokens of ``/my-tickets/<token>`` links."""

    def __init__(self, secrets: Sequence[str], *, max_age_s: int = DEFAULT_MAX_AGE_S) -> None:
        if not secrets or not all(secrets):
            raise ValueError("MyTicketsLinks needs at least one non-empty secret")
        if max_age_s < 1:
            raise ValueError("max_age_s must be positive")
        self.max_age_s = max_age_s
        # itsdangerous signs with the *last* key of its list and verifies with all of them.
        self._serializer = URLSafeTimedSerializer(list(reversed(secrets)), salt=SALT)

    def sign(self, account_id: int, wp_user_id: int, locale: str = "") -> str:
        """A URL-safe token for the customer ``wp_user_id`` of ``account_id``.

        ``locale`` is the order's as the shop sent it (``nl``, ``nl_NL``, ``en_US.UTF-8``...).
        Only its leading language tag is signed (``en_US``), and nothing when it has none:
        it merely picks the page's language, and a shop's odd locale must not stop a ticket
        e-mail that carries the link. Raises ValueError for ids out of range.
        """
        claims = PageClaims(account_id, wp_user_id, normalise_locale(locale))
        if not _valid(claims):
            raise ValueError(f"cannot sign a page link for {claims!r}")
        return str(self._serializer.dumps([account_id, wp_user_id, claims.locale]))

    def read(self, token: str | None) -> PageClaims:
        """The claims of a genuine, unexpired token.

        Raises PageLinkExpired for a genuine token past its lifetime and PageLinkInvalid for
        anything else.
        """
        if not token or len(token) > 512:
            raise PageLinkInvalid("missing or oversized token")
        try:
            payload = self._serializer.loads(token, max_age=self.max_age_s)
        except SignatureExpired as expired:
            raise PageLinkExpired(self._expired_claims(expired)) from None
        except BadSignature:
            raise PageLinkInvalid("bad token") from None
        claims = _claims(payload)
        if claims is None:
            raise PageLinkInvalid("bad token")
        return claims

    def _expired_claims(self, expired: SignatureExpired) -> PageClaims | None:
        # The signature was checked before the age, so this payload is ours; read it only to
        # answer in the customer's language.
        try:
            return _claims(self._serializer.load_payload(expired.payload or b""))
        except BadSignature:
            return None


def normalise_locale(locale: str | None) -> str:
    """The language tag a locale starts with (``en_US.UTF-8`` -> ``en_US``), else ``""``."""
    match = _LEADING_TAG.match((locale or "").strip())
    return match.group(0) if match else ""


def _claims(payload: Any) -> PageClaims | None:
    if not (isinstance(payload, list) and len(payload) == 3):
        return None
    account_id, wp_user_id, locale = payload
    if not (_is_int(account_id) and _is_int(wp_user_id) and isinstance(locale, str)):
        return None
    claims = PageClaims(account_id, wp_user_id, locale)
    return claims if _valid(claims) else None


def _is_int(value: Any) -> bool:
    # JSON booleans are Python bools, which are ints: refuse them.
    return isinstance(value, int) and not isinstance(value, bool)


def _valid(claims: PageClaims) -> bool:
    return (
        _is_int(claims.account_id)
        and _is_int(claims.wp_user_id)
        and 1 <= claims.account_id < _MAX_ID
        # 0 is how WooCommerce marks a guest: one shared id for every guest of the shop,
        # so it must never open a page (it would show all guests' tickets).
        and 1 <= claims.wp_user_id < _MAX_ID
        and isinstance(claims.locale, str)
        and (claims.locale == "" or _LOCALE.fullmatch(claims.locale) is not None)
    )
