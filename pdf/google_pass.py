"""Google Wallet "Save to Google Wallet" links of tickets: a signed JWT in a pay.google.com URL.

Pure: the caller passes every value and the loaded issuer. As Google documents ("Add to
Google Wallet" links, the JWT reference): a JWT signed with the issuer's service-account key
(RS256) whose claims are ``iss`` (the account's e-mail), ``aud`` ``google``, ``typ``
``savetowallet``, ``iat``, ``origins`` (the sites that show the link) and ``payload`` with
the event-ticket class (the event) and the event-ticket object (the ticket, its QR barcode
being the ticket's signed scan code). Google creates the class and the object when the link
is opened; an existing one is not changed by a later link, so an object's id carries the
ticket's version: a re-issued ticket is a new object with its new code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SAVE_URL = "https://pay.google.com/gp/v/save/"
# Google's ids are "<issuer id>.<suffix>", the suffix of letters, digits, '.', '_' and '-'.
_SUFFIX_CHARACTER = re.compile(r"[^A-Za-z0-9._-]")


class GoogleIssuerError(ValueError):
    """The service-account key file or the issuer id cannot sign Google Wallet links."""


@dataclass(frozen=True)
class GoogleIssuer:
    """The Google Wallet issuer and the service account that signs its links."""

    issuer_id: str
    client_email: str
    private_key: rsa.RSAPrivateKey
    key_id: str = ""


@dataclass(frozen=True)
class EventTicket:
    """What one ticket's Google Wallet object shows; ``language`` is a BCP 47 tag."""

    class_suffix: str
    object_suffix: str
    issuer_name: str
    event_name: str
    venue_name: str
    venue_address: str
    start: datetime | None
    end: datetime | None
    holder: str
    tier: str
    order_reference: str
    ticket_reference: str
    scan_code: str
    language: str = "en"


def load_issuer(key_file: bytes, issuer_id: str) -> GoogleIssuer:
    """The issuer from a service-account key file (Google's JSON with ``client_email`` and
    ``private_key``). Raises GoogleIssuerError saying what is wrong."""
    if not issuer_id.isascii() or not issuer_id.isdigit():
        raise GoogleIssuerError(f"the issuer id must be Google's number, got {issuer_id!r}")
    try:
        data = json.loads(key_file)
    except (UnicodeDecodeError, ValueError):
        raise GoogleIssuerError("the key file is not JSON") from None
    if not isinstance(data, dict):
        raise GoogleIssuerError("the key file is not a service-account key (a JSON object)")
    email, pem = data.get("client_email"), data.get("private_key")
    if not isinstance(email, str) or "@" not in email:
        raise GoogleIssuerError("the key file has no client_email")
    if not isinstance(pem, str):
        raise GoogleIssuerError("the key file has no private_key")
    try:
        key = serialization.load_pem_private_key(pem.encode(), None)
    except (TypeError, ValueError):
        raise GoogleIssuerError("the key file's private_key is not a PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise GoogleIssuerError("the key file's private_key is not an RSA key")
    key_id = data.get("private_key_id")
    return GoogleIssuer(issuer_id, email, key, key_id if isinstance(key_id, str) else "")


def suffix(text: str) -> str:
    """``text`` as an id suffix (characters Google refuses become ``_``)."""
    return _SUFFIX_CHARACTER.sub("_", text)[:200]


def save_claims(
    ticket: EventTicket, issuer: GoogleIssuer, *, origins: list[str], issued_at: datetime
) -> dict[str, Any]:
    """The JWT claims of one ticket's save link."""
    class_id = f"{issuer.issuer_id}.{suffix(ticket.class_suffix)}"
    return {
        "iss": issuer.client_email,
        "aud": "google",
        "typ": "savetowallet",
        "iat": int(issued_at.timestamp()),
        "origins": origins,
        "payload": {
            "eventTicketClasses": [_event_class(ticket, class_id)],
            "eventTicketObjects": [
                {
                    "id": f"{issuer.issuer_id}.{suffix(ticket.object_suffix)}",
                    "classId": class_id,
                    "state": "ACTIVE",
                    "ticketHolderName": ticket.holder,
                    "ticketNumber": ticket.ticket_reference,
                    "ticketType": _text(ticket.tier, ticket.language),
                    "reservationInfo": {"confirmationCode": ticket.order_reference},
                    "barcode": {
                        "type": "QR_CODE",
                        "value": ticket.scan_code,
                        "alternateText": ticket.ticket_reference,
                    },
                }
            ],
        },
    }


def save_url(
    ticket: EventTicket, issuer: GoogleIssuer, *, origins: list[str], issued_at: datetime
) -> str:
    """The "Save to Google Wallet" link: ``https://pay.google.com/gp/v/save/<JWT>``."""
    claims = save_claims(ticket, issuer, origins=origins, issued_at=issued_at)
    headers = {"kid": issuer.key_id} if issuer.key_id else None
    token = jwt.encode(claims, issuer.private_key, algorithm="RS256", headers=headers)
    return SAVE_URL + token


def _event_class(ticket: EventTicket, class_id: str) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": class_id,
        "issuerName": ticket.issuer_name,
        "eventName": _text(ticket.event_name, ticket.language),
        # Classes made from a link are reviewed by Google like any other.
        "reviewStatus": "UNDER_REVIEW",
    }
    if ticket.venue_name or ticket.venue_address:
        event["venue"] = {
            "name": _text(ticket.venue_name or ticket.venue_address, ticket.language),
            "address": _text(ticket.venue_address or ticket.venue_name, ticket.language),
        }
    when = {
        key: _iso(value)
        for key, value in (("start", ticket.start), ("end", ticket.end))
        if value is not None
    }
    if when:
        event["dateTime"] = when
    return event


def _text(value: str, language: str) -> dict[str, Any]:
    return {"defaultValue": {"language": language, "value": value}}


def _iso(moment: datetime) -> str:
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.isoformat(timespec="seconds")
