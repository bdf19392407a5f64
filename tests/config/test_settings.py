"""Settings from the environment and an INI file."""

from __future__ import annotations

import pytest

from config.settings import DEV_SECRET_KEY, Settings, SettingsError


def test_defaults():
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///tp-bridge.db"
    assert settings.public_url == "http://127.0.0.1:8000"
    assert settings.dev is False
    assert settings.reminder_hours == 48


def test_reminders_can_be_turned_off_or_moved():
    assert Settings.from_env({"TP_REMINDER_HOURS": "0"}).reminder_hours == 0
    assert Settings.from_env({"TP_REMINDER_HOURS": "24"}).reminder_hours == 24


def test_the_outbox_lease_can_be_shortened():
    assert Settings.from_env({}).outbox_lease_s == 300
    assert Settings.from_env({"TP_OUTBOX_LEASE_SECONDS": "20"}).outbox_lease_s == 20


def test_environment_overrides_ini(tmp_path):
    ini = tmp_path / "tp.ini"
    ini.write_text(
        "[tp-bridge]\ndatabase_url = sqlite:///from-ini.db\npublic_url = https://a.test/\n"
    )
    settings = Settings.from_env({"TP_PUBLIC_URL": "https://b.test/"}, ini_path=str(ini))
    assert settings.database_url == "sqlite:///from-ini.db"
    assert settings.public_url == "https://b.test"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TP_PUBLIC_URL": "ftp://x"}, "TP_PUBLIC_URL"),
        ({"TP_MAX_BODY_BYTES": "lots"}, "TP_MAX_BODY_BYTES must be a whole number"),
        ({"TP_DEV": "maybe"}, "TP_DEV must be true or false"),
        ({"TP_LOG_LEVEL": "LOUD"}, "TP_LOG_LEVEL"),
        ({"TP_CONFIG": "/nonexistent/tp.ini"}, "cannot be read"),
        ({"TP_REMINDER_HOURS": "-1"}, "TP_REMINDER_HOURS must be at least 0"),
        ({"TP_REMINDER_HOURS": "2d"}, "TP_REMINDER_HOURS must be a whole number"),
        ({"TP_REMINDER_HOURS": "9000"}, "TP_REMINDER_HOURS must be at most 8784"),
        ({"TP_OUTBOX_LEASE_SECONDS": "5"}, "TP_OUTBOX_LEASE_SECONDS must be at least 10"),
    ],
)
def test_invalid_settings_are_named(env, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


@pytest.mark.parametrize("secret", ["", "short", DEV_SECRET_KEY])
def test_production_needs_a_real_secret(secret):
    with pytest.raises(SettingsError, match="TP_SECRET_KEY"):
        Settings.from_env({"TP_SECRET_KEY": secret}).require_production_secret()


def test_development_flag_allows_the_dev_secret():
    settings = Settings.from_env({}).for_development()
    settings.require_production_secret()
    assert settings.secret_key == DEV_SECRET_KEY
