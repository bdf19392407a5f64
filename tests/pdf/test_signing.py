"""Scan codes verify offline with the public key alone; links expire and are bound to a file."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pdf.signing import (
    FileLinkSigner,
    InvalidTicketCode,
    LinkError,
    LinkExpired,
    derive_signing_key,
    key_id,
    public_key_b64,
    sign_ticket_code,
    verify_ticket_code,
)

KEY = derive_signing_key("a-secret")
PUBLIC = {key_id(KEY.public_key()): KEY.public_key()}


def test_a_scanner_with_only_the_public_key_verifies_a_code():
    code = sign_ticket_code(KEY, "k7m2q9xwe4tz8hbn", 12, 3)
    # The scanner gets the key as base64 text, the way `tp-bridge scan-key` prints it.
    raw = base64.b64decode(public_key_b64(KEY.public_key()))
    scanner_keys = {key_id(KEY.public_key()): Ed25519PublicKey.from_public_bytes(raw)}
    decoded = verify_ticket_code(code, scanner_keys)
    assert (decoded.reference, decoded.event_id, decoded.version) == ("k7m2q9xwe4tz8hbn", 12, 3)


def test_codes_use_only_qr_alphanumeric_characters():
    code = sign_ticket_code(KEY, "k7m2q9xwe4tz8hbn", 12, 1)
    assert set(code) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert len(code) < 170


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c[:-1] + ("A" if c[-1] != "A" else "B"),
        lambda c: c[:20] + ("A" if c[20] != "A" else "B") + c[21:],
        lambda c: c[4:],
        lambda c: "TP1.!!!",
        lambda c: "",
        lambda c: c + "AAAAAAAA",
    ],
)
def test_altered_codes_are_rejected(mutate):
    code = sign_ticket_code(KEY, "k7m2q9xwe4tz8hbn", 12, 1)
    with pytest.raises(InvalidTicketCode):
        verify_ticket_code(mutate(code), PUBLIC)


def test_a_code_of_another_key_is_rejected():
    forged = sign_ticket_code(derive_signing_key("another-secret"), "k7m2q9xwe4tz8hbn", 12, 1)
    with pytest.raises(InvalidTicketCode, match="unknown key"):
        verify_ticket_code(forged, PUBLIC)


def test_links_expire(time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    signer = FileLinkSigner(["s1"], max_age_s=3600)
    secret = signer.sign("ticket_abc.png", "1")
    time_machine.shift(3599)
    signer.verify(secret, "ticket_abc.png", "1")
    time_machine.shift(2)
    with pytest.raises(LinkExpired):
        signer.verify(secret, "ticket_abc.png", "1")


def test_links_are_bound_to_one_file_and_version():
    signer = FileLinkSigner(["s1"])
    secret = signer.sign("ticket_abc.png", "1")
    for name, version in (("ticket_abd.png", "1"), ("ticket_abc.png", "2")):
        with pytest.raises(LinkError):
            signer.verify(secret, name, version)
    with pytest.raises(LinkError):
        signer.verify(secret[:-2] + "xx", "ticket_abc.png", "1")
    with pytest.raises(LinkError):
        signer.verify(None, "ticket_abc.png", "1")


def test_rotated_secrets_keep_old_links_working():
    old = FileLinkSigner(["old"]).sign("f", "1")
    FileLinkSigner(["new", "old"]).verify(old, "f", "1")
    with pytest.raises(LinkError):
        FileLinkSigner(["new"]).verify(old, "f", "1")


def test_links_are_signed_with_the_newest_secret():
    rotating = FileLinkSigner(["new", "old"])
    secret = rotating.sign("f", "1")
    FileLinkSigner(["new"]).verify(secret, "f", "1")
    with pytest.raises(LinkError):
        FileLinkSigner(["old"]).verify(secret, "f", "1")
