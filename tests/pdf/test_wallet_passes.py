"""pdf/apple_pass.py and pdf/google_pass.py: a pass signed with a throwaway certificate whose
signature, manifest and barcode hold, and a Google save link whose JWT verifies."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from pdf import apple_pass, google_pass
from pdf.signing import derive_signing_key, key_id, sign_ticket_code, verify_ticket_code
from tests.wallet_support import (
    ISSUER_ID,
    PASS_TYPE_ID,
    SERVICE_ACCOUNT,
    TEAM_ID,
    decode_save_link,
    open_pkpass,
    pass_certificate,
    verify_signature,
    write_apple_files,
    write_google_key_file,
)

KEY = derive_signing_key("wallet-tests-secret")
CODE = sign_ticket_code(KEY, "k7m2p9q4r8s3t6v5", 42, 3)
START = datetime(2026, 8, 3, 18, 0, tzinfo=UTC)
LABELS = {
    "ticket": "Ticket",
    "event": "Event",
    "date": "Date",
    "venue": "Venue",
    "ticket_type": "Ticket type",
    "attendee": "Name",
    "order": "Order",
    "reference": "Ticket",
    "scan_note": "Show this code at the entrance.",
}


def _signer(tmp_path, **changes):
    files = write_apple_files(tmp_path / "apple")
    values = {
        "certificate": files.cert.read_bytes(),
        "private_key": files.key.read_bytes(),
        "wwdr": files.wwdr.read_bytes(),
        "pass_type_id": PASS_TYPE_ID,
        "team_id": TEAM_ID,
        **changes,
    }
    return apple_pass.load_signer(**values), files


def _event_pass(**changes):
    values = {
        "serial": "k7m2p9q4r8s3t6v5",
        "organization": "Festival BV",
        "event_name": "Summer Festival",
        "date_text": "Monday 3 August 2026 20:00",
        "venue": "Vondelpark, Amsterdam",
        "tier": "General Admission",
        "holder": "Jane Doe",
        "order_reference": "TP-482917365012",
        "ticket_reference": "k7m2p9q4r8s3t6v5",
        "scan_code": CODE,
        "labels": LABELS,
        "relevant_date": START,
        "location": (52.358, 4.868),
        **changes,
    }
    return apple_pass.EventPass(**values)


def test_the_pass_is_signed_its_manifest_holds_and_its_barcode_is_the_scan_code(tmp_path):
    signer, files = _signer(tmp_path)
    data = apple_pass.pkpass(_event_pass(), signer)
    body = open_pkpass(data, files.ca_pem, tmp_path / "unzipped")
    assert body["formatVersion"] == 1
    assert (body["passTypeIdentifier"], body["teamIdentifier"]) == (PASS_TYPE_ID, TEAM_ID)
    assert body["serialNumber"] == "k7m2p9q4r8s3t6v5"
    assert body["organizationName"] == "Festival BV"
    assert body["relevantDate"] == "2026-08-03T18:00:00+00:00"
    assert body["locations"] == [{"latitude": 52.358, "longitude": 4.868}]
    [barcode] = body["barcodes"]
    assert barcode["format"] == "PKBarcodeFormatQR" and barcode["message"] == CODE
    decoded = verify_ticket_code(barcode["message"], {key_id(KEY.public_key()): KEY.public_key()})
    assert (decoded.reference, decoded.event_id, decoded.version) == ("k7m2p9q4r8s3t6v5", 42, 3)
    ticket = body["eventTicket"]
    assert ticket["primaryFields"] == [
        {"key": "event", "label": "Event", "value": "Summer Festival"}
    ]
    assert [f["value"] for f in ticket["secondaryFields"]] == [
        "Monday 3 August 2026 20:00",
        "Vondelpark, Amsterdam",
    ]
    assert [f["value"] for f in ticket["auxiliaryFields"]] == ["General Admission", "Jane Doe"]
    assert "seats" not in str(body)  # seat-less entry


def test_the_signature_is_detached_der_pkcs7_with_the_wwdr_certificate_and_signing_time(
    tmp_path,
):
    signer, files = _signer(tmp_path)
    manifest = apple_pass.manifest({"pass.json": b"{}", "icon.png": b"png"})
    signature = apple_pass.sign_manifest(manifest, signer)
    certificates = pkcs7.load_der_pkcs7_certificates(signature)
    assert {c.subject for c in certificates} == {signer.certificate.subject, signer.wwdr.subject}
    (tmp_path / "manifest.json").write_bytes(manifest)
    (tmp_path / "signature").write_bytes(signature)
    verify_signature(tmp_path / "signature", tmp_path / "manifest.json", files.ca_pem)
    printed = subprocess.run(
        ["openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", "signature"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "signingTime" in printed and "messageDigest" in printed
    assert "eContent: <ABSENT>" in printed  # detached: the manifest is not inside
    # A manifest changed after signing no longer verifies.
    (tmp_path / "manifest.json").write_bytes(manifest.replace(b"}", b', "x": "y"}'))
    with pytest.raises(AssertionError):
        verify_signature(tmp_path / "signature", tmp_path / "manifest.json", files.ca_pem)


def test_a_pass_without_place_or_date_leaves_those_out(tmp_path):
    signer, _ = _signer(tmp_path)
    body = apple_pass.pass_json(
        _event_pass(venue="", relevant_date=None, location=None, holder=""), signer
    )
    assert "relevantDate" not in body and "locations" not in body
    assert [f["key"] for f in body["eventTicket"]["secondaryFields"]] == ["date"]
    assert [f["key"] for f in body["eventTicket"]["auxiliaryFields"]] == ["ticket_type"]


def test_a_key_of_another_certificate_is_refused(tmp_path):
    _, other_key = pass_certificate(key_name="another")
    pem = other_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(apple_pass.PassSignerError, match="does not belong"):
        _signer(tmp_path, private_key=pem)


def test_a_certificate_of_another_pass_type_id_is_refused(tmp_path):
    with pytest.raises(apple_pass.PassSignerError, match="pass.test.tpbridge"):
        _signer(tmp_path, pass_type_id="pass.com.example.other")


def test_unreadable_files_and_passwords_are_refused_with_a_reason(tmp_path):
    with pytest.raises(apple_pass.PassSignerError, match="not a PEM or DER certificate"):
        _signer(tmp_path, certificate=b"not a certificate")
    with pytest.raises(apple_pass.PassSignerError, match="WWDR"):
        _signer(tmp_path, wwdr=b"-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----\n")
    locked = write_apple_files(tmp_path / "locked", password=b"s3cret")
    with pytest.raises(apple_pass.PassSignerError, match="password"):
        _signer(tmp_path, private_key=locked.key.read_bytes())
    signer, _ = _signer(tmp_path, private_key=locked.key.read_bytes(), password=b"s3cret")
    assert signer.pass_type_id == PASS_TYPE_ID


def _issuer(tmp_path):
    return google_pass.load_issuer(write_google_key_file(tmp_path).read_bytes(), ISSUER_ID)


def test_the_google_link_is_a_signed_savetowallet_jwt_with_the_scan_code(tmp_path):
    ticket = google_pass.EventTicket(
        class_suffix="tickets.example.event-42",
        object_suffix="tickets.example.ticket-k7m2p9q4r8s3t6v5-v3",
        issuer_name="Festival BV",
        event_name="Zomerfestival",
        venue_name="Vondelpark",
        venue_address="Vondelpark, Amsterdam",
        start=START,
        end=None,
        holder="Jane Doe",
        tier="Dagkaart",
        order_reference="TP-482917365012",
        ticket_reference="k7m2p9q4r8s3t6v5",
        scan_code=CODE,
        language="nl",
    )
    url = google_pass.save_url(
        ticket, _issuer(tmp_path), origins=["https://tickets.example"], issued_at=START
    )
    claims = decode_save_link(url)
    assert claims["iss"] == SERVICE_ACCOUNT and claims["aud"] == "google"
    assert claims["origins"] == ["https://tickets.example"]
    assert claims["iat"] == int(START.timestamp())
    [event_class] = claims["payload"]["eventTicketClasses"]
    [event_object] = claims["payload"]["eventTicketObjects"]
    assert event_class["id"] == f"{ISSUER_ID}.tickets.example.event-42"
    assert event_class["eventName"]["defaultValue"] == {"language": "nl", "value": "Zomerfestival"}
    assert event_class["dateTime"] == {"start": "2026-08-03T18:00:00+00:00"}
    assert event_object["classId"] == event_class["id"]
    assert event_object["id"] == f"{ISSUER_ID}.tickets.example.ticket-k7m2p9q4r8s3t6v5-v3"
    assert event_object["state"] == "ACTIVE" and event_object["ticketHolderName"] == "Jane Doe"
    assert event_object["barcode"] == {
        "type": "QR_CODE",
        "value": CODE,
        "alternateText": "k7m2p9q4r8s3t6v5",
    }
    assert verify_ticket_code(
        event_object["barcode"]["value"], {key_id(KEY.public_key()): KEY.public_key()}
    )


def test_bad_google_key_files_and_issuers_are_refused_with_a_reason(tmp_path):
    good = write_google_key_file(tmp_path).read_bytes()
    with pytest.raises(google_pass.GoogleIssuerError, match="issuer id"):
        google_pass.load_issuer(good, "my-issuer")
    with pytest.raises(google_pass.GoogleIssuerError, match="not JSON"):
        google_pass.load_issuer(b"{not json", ISSUER_ID)
    with pytest.raises(google_pass.GoogleIssuerError, match="client_email"):
        google_pass.load_issuer(b'{"private_key": "x"}', ISSUER_ID)
    with pytest.raises(google_pass.GoogleIssuerError, match="PEM private key"):
        google_pass.load_issuer(
            b'{"client_email": "a@b.iam.gserviceaccount.com", "private_key": "x"}', ISSUER_ID
        )


def test_id_suffixes_keep_only_the_characters_google_accepts():
    assert google_pass.suffix("shop.example:8000/event 4") == "shop.example_8000_event_4"
