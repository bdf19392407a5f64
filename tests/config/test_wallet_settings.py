"""The wallet settings: all or none per wallet, files that exist and can sign, and a clear
SettingsError (or a refused start) otherwise."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from config.cli import main
from config.settings import Settings, SettingsError
from config.wallets import wallets
from tests.wallet_support import (
    ISSUER_ID,
    PASS_TYPE_ID,
    TEAM_ID,
    write_apple_files,
    write_google_key_file,
)

SECRET = "x" * 40


def _apple_env(tmp_path, **changes):
    files = write_apple_files(tmp_path / "apple")
    return {
        "TP_SECRET_KEY": SECRET,
        "TP_APPLE_PASS_CERT": str(files.cert),
        "TP_APPLE_PASS_KEY": str(files.key),
        "TP_APPLE_WWDR_CERT": str(files.wwdr),
        "TP_APPLE_PASS_TYPE_ID": PASS_TYPE_ID,
        "TP_APPLE_TEAM_ID": TEAM_ID,
        **changes,
    }


def _google_env(tmp_path, **changes):
    return {
        "TP_SECRET_KEY": SECRET,
        "TP_GOOGLE_WALLET_ISSUER_ID": ISSUER_ID,
        "TP_GOOGLE_WALLET_KEY_FILE": str(write_google_key_file(tmp_path / "google")),
        **changes,
    }


def test_no_wallet_by_default():
    assert wallets(Settings.from_env({"TP_SECRET_KEY": SECRET})).names() == ()


def test_both_wallets_load_from_the_environment_and_an_ini_file(tmp_path):
    env = {**_apple_env(tmp_path), **_google_env(tmp_path)}
    loaded = wallets(Settings.from_env(env))
    assert loaded.names() == ("apple", "google")
    assert loaded.apple is not None and loaded.apple.team_id == TEAM_ID
    assert loaded.google is not None and loaded.google.issuer_id == ISSUER_ID
    ini = tmp_path / "tp.ini"
    ini.write_text(
        "[tp-bridge]\n" + "".join(f"{name[3:].lower()} = {value}\n" for name, value in env.items())
    )
    assert wallets(Settings.from_env({}, ini_path=str(ini))).names() == ("apple", "google")


def test_an_encrypted_key_needs_its_password(tmp_path):
    locked = write_apple_files(tmp_path / "locked", password=b"s3cret")
    env = _apple_env(tmp_path, TP_APPLE_PASS_KEY=str(locked.key))
    with pytest.raises(SettingsError, match="TP_APPLE_PASS_KEY_PASSWORD"):
        wallets(Settings.from_env(env))
    with_password = {**env, "TP_APPLE_PASS_KEY_PASSWORD": "s3cret"}
    assert wallets(Settings.from_env(with_password)).names() == ("apple",)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"TP_APPLE_WWDR_CERT": ""}, "Apple Wallet passes need TP_APPLE_WWDR_CERT too"),
        (
            {"TP_APPLE_PASS_TYPE_ID": "", "TP_APPLE_TEAM_ID": ""},
            "need TP_APPLE_PASS_TYPE_ID, TP_APPLE_TEAM_ID too",
        ),
        ({"TP_APPLE_PASS_CERT": "/nonexistent/pass.pem"}, "TP_APPLE_PASS_CERT: no such file"),
        ({"TP_APPLE_PASS_TYPE_ID": "com.example"}, "TP_APPLE_PASS_TYPE_ID must be"),
        ({"TP_APPLE_TEAM_ID": "team"}, "TP_APPLE_TEAM_ID must be"),
    ],
)
def test_incomplete_apple_settings_are_named(tmp_path, changes, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(_apple_env(tmp_path, **changes))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"TP_GOOGLE_WALLET_ISSUER_ID": ""}, "need TP_GOOGLE_WALLET_ISSUER_ID too"),
        ({"TP_GOOGLE_WALLET_ISSUER_ID": "abc"}, "TP_GOOGLE_WALLET_ISSUER_ID must be"),
        ({"TP_GOOGLE_WALLET_KEY_FILE": "/nonexistent.json"}, "no such file"),
    ],
)
def test_incomplete_google_settings_are_named(tmp_path, changes, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(_google_env(tmp_path, **changes))


def test_files_that_cannot_sign_are_refused_when_loaded(tmp_path):
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(SettingsError, match="Apple Wallet .*not a PEM or DER certificate"):
        wallets(Settings.from_env(_apple_env(tmp_path, TP_APPLE_PASS_CERT=str(garbage))))
    other = write_apple_files(tmp_path / "other", pass_type_id="pass.com.example.other")
    with pytest.raises(SettingsError, match="is for Pass Type ID 'pass.com.example.other'"):
        wallets(Settings.from_env(_apple_env(tmp_path, TP_APPLE_PASS_CERT=str(other.cert))))
    with pytest.raises(SettingsError, match="Google Wallet .*not JSON"):
        wallets(Settings.from_env(_google_env(tmp_path, TP_GOOGLE_WALLET_KEY_FILE=str(garbage))))


def test_serve_refuses_to_start_with_a_certificate_that_cannot_sign(tmp_path):
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    env = _apple_env(tmp_path, TP_APPLE_PASS_CERT=str(garbage))
    env["TP_DATABASE_URL"] = f"sqlite:///{tmp_path}/tp.db"
    result = CliRunner().invoke(main, ["serve"], env=env)
    assert result.exit_code == 1
    assert "Apple Wallet (TP_APPLE_PASS_*): the Pass Type ID certificate is not a PEM" in (
        result.output
    )
