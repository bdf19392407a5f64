"""Throwaway wallet credentials for the tests, made here and never real: a fake Apple "WWDR"
CA with a Pass Type ID certificate it signed, and a Google service-account key file. Also the
checks every wallet test makes of a ``.pkpass`` and a "Save to Google Wallet" link."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from config.settings import Settings

PASS_TYPE_ID = "pass.test.tpbridge"
TEAM_ID = "ABCDE12345"
ISSUER_ID = "3388000000012345678"
SERVICE_ACCOUNT = "wallet@tp-bridge-test.iam.gserviceaccount.com"
SAVE_PREFIX = "https://pay.google.com/gp/v/save/"


@dataclass(frozen=True)
class AppleFiles:
    """Paths of the throwaway files: the pass certificate (PEM), its key (PEM, encrypted
    when a password is given), the WWDR certificate (DER, as Apple ships it) and the CA as
    PEM for ``openssl -CAfile``."""

    cert: Path
    key: Path
    wwdr: Path
    ca_pem: Path


@cache
def _rsa_key(name: str) -> rsa.RSAPrivateKey:
    # One key per role for the whole run: 2048-bit generation costs ~100 ms each.
    del name
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(*attributes: x509.NameAttribute[str]) -> x509.Name:
    return x509.Name(list(attributes))


def fake_wwdr() -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A self-signed CA standing in for Apple's WWDR intermediate."""
    key = _rsa_key("wwdr")
    name = _name(
        x509.NameAttribute(NameOID.COMMON_NAME, "Fake Apple WWDR CA (tests only)"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "tp-bridge tests"),
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return cert, key


def pass_certificate(
    pass_type_id: str = PASS_TYPE_ID, key_name: str = "pass"
) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A Pass Type ID certificate (subject UID = the Pass Type ID, as Apple's) signed by the
    fake WWDR CA."""
    wwdr, wwdr_key = fake_wwdr()
    key = _rsa_key(key_name)
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            _name(
                x509.NameAttribute(NameOID.USER_ID, pass_type_id),
                x509.NameAttribute(NameOID.COMMON_NAME, f"Pass Type ID: {pass_type_id}"),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TEAM_ID),
            )
        )
        .issuer_name(wwdr.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(wwdr_key, hashes.SHA256())
    )
    return cert, key


def write_apple_files(
    directory: Path, *, password: bytes | None = None, pass_type_id: str = PASS_TYPE_ID
) -> AppleFiles:
    """The throwaway Apple files in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    wwdr, _ = fake_wwdr()
    cert, key = pass_certificate(pass_type_id)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    files = AppleFiles(
        directory / "pass.pem", directory / "pass.key", directory / "wwdr.cer", directory / "ca.pem"
    )
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    files.wwdr.write_bytes(wwdr.public_bytes(serialization.Encoding.DER))
    files.ca_pem.write_bytes(wwdr.public_bytes(serialization.Encoding.PEM))
    return files


def google_key() -> rsa.RSAPrivateKey:
    return _rsa_key("google")


def write_google_key_file(directory: Path) -> Path:
    """A service-account key file shaped like Google's JSON."""
    directory.mkdir(parents=True, exist_ok=True)
    pem = google_key().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path = directory / "service-account.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "tp-bridge-test",
                "private_key_id": "test-key-1",
                "private_key": pem.decode(),
                "client_email": SERVICE_ACCOUNT,
                "client_id": "1234567890",
            }
        )
    )
    return path


def wallet_settings(settings: Settings, directory: Path) -> tuple[Settings, AppleFiles]:
    """``settings`` with both wallets configured with throwaway credentials."""
    apple = write_apple_files(directory / "apple")
    configured = dataclasses.replace(
        settings,
        apple_pass_cert=str(apple.cert),
        apple_pass_key=str(apple.key),
        apple_wwdr_cert=str(apple.wwdr),
        apple_pass_type_id=PASS_TYPE_ID,
        apple_team_id=TEAM_ID,
        google_wallet_issuer_id=ISSUER_ID,
        google_wallet_key_file=str(write_google_key_file(directory / "google")),
    )
    return configured, apple


# --- checks ----------------------------------------------------------------------------------


def open_pkpass(data: bytes, ca_pem: Path, work: Path) -> dict[str, Any]:
    """Unzip a pass, check every manifest hash and the signature (with openssl, against the
    fake WWDR CA), and return its pass.json."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    assert {"pass.json", "manifest.json", "signature", "icon.png", "icon@2x.png"} <= set(files)
    manifest = json.loads(files["manifest.json"])
    assert set(manifest) == set(files) - {"manifest.json", "signature"}
    for name, digest in manifest.items():
        assert hashlib.sha1(files[name]).hexdigest() == digest, name  # noqa: S324 - Apple's format
    work.mkdir(parents=True, exist_ok=True)
    (work / "manifest.json").write_bytes(files["manifest.json"])
    (work / "signature").write_bytes(files["signature"])
    verify_signature(work / "signature", work / "manifest.json", ca_pem)
    return dict(json.loads(files["pass.json"]))


def verify_signature(signature: Path, content: Path, ca_pem: Path) -> None:
    """``openssl smime -verify`` of a detached DER signature: raises if it does not hold."""
    result = subprocess.run(
        [
            "openssl",
            "smime",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            str(signature),
            "-content",
            str(content),
            "-CAfile",
            str(ca_pem),
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr


def decode_save_link(url: str) -> dict[str, Any]:
    """The claims of a "Save to Google Wallet" link, its RS256 signature verified with the
    service account's public key."""
    assert url.startswith(SAVE_PREFIX)
    token = url[len(SAVE_PREFIX) :]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256" and header["kid"] == "test-key-1"
    claims = jwt.decode(
        token,
        google_key().public_key(),
        algorithms=["RS256"],
        audience="google",
        issuer=SERVICE_ACCOUNT,
        options={"require": ["iat", "iss", "aud"]},
    )
    assert claims["typ"] == "savetowallet"
    return dict(claims)
