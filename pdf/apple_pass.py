"""Apple Wallet passes (``.pkpass``) of tickets: pass.json, manifest, PKCS#7 signature, zip.

Pure: the caller passes every value and the loaded certificate. What Apple documents
("Building a pass", "Creating the signature"), and what this module does:

- ``pass.json``: an ``eventTicket`` pass (seat-less entry) whose QR barcode is the ticket's
  signed scan code (``TP1.…``), exactly the text of the ticket's QR image, so the door app
  and the scan API accept it.
- ``manifest.json``: the SHA-1 digest (hex) of every other file of the pass.
- ``signature``: a DER PKCS#7 *detached* signature of ``manifest.json`` by the Pass Type ID
  certificate, with the Apple WWDR intermediate certificate included and the signed
  attributes (content type, signing time, message digest) that Wallet checks. Made with
  ``cryptography``'s ``PKCS7SignatureBuilder``; no ASN.1 is written here.
- The ``.pkpass`` is the zip of those files.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID
from PIL import Image, ImageDraw

MEDIA_TYPE = "application/vnd.apple.pkpass"
# Wallet refuses a pass without an icon; these are the sizes of its 1x, 2x and 3x screens.
_ICON_SIZES = {"icon.png": 29, "icon@2x.png": 58, "icon@3x.png": 87}

PassKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class PassSignerError(ValueError):
    """The Pass Type ID certificate, its key or the WWDR certificate cannot sign passes."""


@dataclass(frozen=True)
class PassSigner:
    """The seller's Pass Type ID certificate and key, and Apple's WWDR intermediate."""

    pass_type_id: str
    team_id: str
    certificate: x509.Certificate
    private_key: PassKey
    wwdr: x509.Certificate


@dataclass(frozen=True)
class EventPass:
    """What one ticket's pass shows; ``labels`` are the field labels in the order's language
    (``event``, ``date``, ``venue``, ``ticket_type``, ``attendee``, ``order``, ``reference``,
    ``scan_note``)."""

    serial: str
    organization: str
    event_name: str
    date_text: str
    venue: str
    tier: str
    holder: str
    order_reference: str
    ticket_reference: str
    scan_code: str
    labels: Mapping[str, str]
    relevant_date: datetime | None = None
    # (latitude, longitude) of the venue: Wallet then offers the pass on the lock screen there.
    location: tuple[float, float] | None = None


def load_signer(
    *,
    certificate: bytes,
    private_key: bytes,
    wwdr: bytes,
    pass_type_id: str,
    team_id: str,
    password: bytes | None = None,
) -> PassSigner:
    """A signer from the certificate, key and WWDR files' bytes (PEM or DER).

    Raises PassSignerError saying what is wrong: unreadable files, a key that is not the
    certificate's, or a certificate issued for another Pass Type ID.
    """
    cert = _certificate(certificate, "the Pass Type ID certificate")
    intermediate = _certificate(wwdr, "the WWDR certificate")
    key = _private_key(private_key, password)
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if cert.public_key().public_bytes(serialization.Encoding.DER, public) != (
        key.public_key().public_bytes(serialization.Encoding.DER, public)
    ):
        raise PassSignerError("the private key does not belong to the Pass Type ID certificate")
    # Apple's pass certificates name their Pass Type ID in the subject's UID.
    uids = cert.subject.get_attributes_for_oid(NameOID.USER_ID)
    if uids and uids[0].value != pass_type_id:
        raise PassSignerError(
            f"the certificate is for Pass Type ID {uids[0].value!r}, not {pass_type_id!r}"
        )
    return PassSigner(pass_type_id, team_id, cert, key, intermediate)


def pass_json(event_pass: EventPass, signer: PassSigner) -> dict[str, Any]:
    """The pass's ``pass.json`` as a dictionary."""
    p, label = event_pass, event_pass.labels
    data: dict[str, Any] = {
        "formatVersion": 1,
        "passTypeIdentifier": signer.pass_type_id,
        "teamIdentifier": signer.team_id,
        "serialNumber": p.serial,
        "organizationName": p.organization,
        "description": f"{label['ticket']}: {p.event_name}",
        "logoText": p.organization,
        "foregroundColor": "rgb(17, 17, 17)",
        "labelColor": "rgb(85, 85, 85)",
        "backgroundColor": "rgb(255, 255, 255)",
        "barcodes": [
            {
                "format": "PKBarcodeFormatQR",
                "message": p.scan_code,
                "messageEncoding": "iso-8859-1",
                "altText": p.ticket_reference,
            }
        ],
        "eventTicket": {
            "primaryFields": [_field("event", label["event"], p.event_name)],
            "secondaryFields": _fields(
                ("date", label["date"], p.date_text), ("venue", label["venue"], p.venue)
            ),
            "auxiliaryFields": _fields(
                ("ticket_type", label["ticket_type"], p.tier),
                ("attendee", label["attendee"], p.holder),
            ),
            "backFields": _fields(
                ("order", label["order"], p.order_reference),
                ("reference", label["reference"], p.ticket_reference),
                ("note", "", label["scan_note"]),
            ),
        },
    }
    if p.relevant_date is not None:
        data["relevantDate"] = _w3c(p.relevant_date)
    if p.location is not None:
        latitude, longitude = p.location
        data["locations"] = [{"latitude": latitude, "longitude": longitude}]
    return data


def manifest(files: Mapping[str, bytes]) -> bytes:
    """``manifest.json``: file name -> SHA-1 digest (hex) of each file."""
    digests = {name: hashlib.sha1(content).hexdigest() for name, content in files.items()}  # noqa: S324 - Apple's manifest format is SHA-1
    return json.dumps(digests, sort_keys=True, indent=1).encode()


def sign_manifest(manifest_json: bytes, signer: PassSigner) -> bytes:
    """The ``signature`` file: a DER PKCS#7 detached signature of ``manifest_json`` with the
    WWDR certificate included. ``cryptography`` adds the signed attributes (content type,
    signing time, message digest) unless told not to."""
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(manifest_json)
        .add_signer(signer.certificate, signer.private_key, hashes.SHA256())
        .add_certificate(signer.wwdr)
        .sign(
            serialization.Encoding.DER,
            [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
        )
    )


def pkpass(event_pass: EventPass, signer: PassSigner) -> bytes:
    """The signed ``.pkpass`` (a zip) of one ticket."""
    files = {"pass.json": json.dumps(pass_json(event_pass, signer), indent=1).encode()}
    files.update(_icons())
    manifest_json = manifest(files)
    files["manifest.json"] = manifest_json
    files["signature"] = sign_manifest(manifest_json, signer)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def _field(key: str, label: str, value: str) -> dict[str, str]:
    return {"key": key, "label": label, "value": value} if label else {"key": key, "value": value}


def _fields(*triples: tuple[str, str, str]) -> list[dict[str, str]]:
    # Wallet shows an empty field as a blank box: leave out what the ticket does not have.
    return [_field(key, label, value) for key, label, value in triples if value]


def _w3c(moment: datetime) -> str:
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S+00:00")


@lru_cache(maxsize=1)
def _icons() -> dict[str, bytes]:
    """A plain ticket-shaped icon in the three sizes (the same bytes every time)."""
    icons = {}
    for name, size in _ICON_SIZES.items():
        image = Image.new("RGB", (size, size), (17, 17, 17))
        margin = max(2, size // 6)
        ImageDraw.Draw(image).rectangle(
            (margin, margin * 2, size - margin - 1, size - margin * 2 - 1), fill=(255, 255, 255)
        )
        out = io.BytesIO()
        image.save(out, format="PNG")
        icons[name] = out.getvalue()
    return icons


def _certificate(data: bytes, what: str) -> x509.Certificate:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise PassSignerError(f"{what} is not a PEM or DER certificate") from None


def _private_key(data: bytes, password: bytes | None) -> PassKey:
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_private_key(data, password)
        else:
            key = serialization.load_der_private_key(data, password)
    except TypeError:
        # cryptography: a password for an unencrypted key, or none for an encrypted one.
        raise PassSignerError(
            "the private key's password is missing or not needed (TP_APPLE_PASS_KEY_PASSWORD)"
        ) from None
    except ValueError:
        raise PassSignerError(
            "the private key cannot be read (not PEM or DER, or a wrong password)"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise PassSignerError("the private key must be RSA or EC")
    return key
