"""Settings: read once from the environment (and an optional INI file), validated, frozen.

Only the composition root (``config.wsgi``, ``config.cli``) reads settings; everything else
receives plain values. The README has the table of variables.
"""

from __future__ import annotations

import configparser
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from limits import parse_many

DEFAULT_DATABASE_URL = "sqlite:///tp-bridge.db"
# Used only with the explicit development flag; `serve` refuses it otherwise.
DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"  # noqa: S105
MIN_SECRET_KEY_LENGTH = 32
# Whoever has the metrics token reads the service's figures: not a word one could guess.
MIN_METRICS_TOKEN_LENGTH = 16


# Per-key limits for shops and doors sit several times above the service's measured peak
# (docs/performance.md: 895 orders/s, 1,529 scans/s on 2 cores), so one shop in a big on-sale
# or one busy door never meets them; they stop a runaway client from taking more than a
# whole server. Per second, not per minute: a moving window keeps one entry per request, and
# a 300,000/minute window would copy a 2 MB list on every request.
RATE_LIMIT_DEFAULTS = {
    "admin": "120/minute",
    "scanner": "8000/second",
    "checkout": "5000/second",
    "partner": "10000/second",
    "public": "300/minute",
    # Console sign-in attempts per client address (each user also locks after 5 failures).
    "signin": "20/minute",
}


# A reminder further ahead than this is a typo (minutes or days meant), not a plan.
MAX_REMINDER_HOURS = 24 * 366


class SettingsError(ValueError):
    """A setting is missing or invalid; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = ""
    public_url: str = "http://127.0.0.1:8000"
    dev: bool = False
    log_level: str = "INFO"
    max_body_bytes: int = 1024 * 1024
    trusted_proxies: int = 0
    auth_max_failures: int = 10
    auth_window_seconds: int = 300
    auth_block_seconds: int = 900
    oauth_token_seconds: int = 900
    unpaid_hold_seconds: int = 3600
    db_pool_size: int = 32
    files_dir: str = "var/files"
    templates_dir: str = ""
    old_secret_keys: tuple[str, ...] = ()
    link_max_age_s: int = 3600
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_security: str = "none"
    mail_from: str = "tickets@localhost"
    # Rate limits per key (per client address for "public"), as flask-limiter strings;
    # "off" turns a class off. Counters live in Redis when redis_url is set, else in each
    # worker process's memory (so N workers let through up to N times the limit).
    redis_url: str = ""
    rate_limit_admin: str = RATE_LIMIT_DEFAULTS["admin"]
    rate_limit_scanner: str = RATE_LIMIT_DEFAULTS["scanner"]
    rate_limit_checkout: str = RATE_LIMIT_DEFAULTS["checkout"]
    rate_limit_partner: str = RATE_LIMIT_DEFAULTS["partner"]
    rate_limit_public: str = RATE_LIMIT_DEFAULTS["public"]
    rate_limit_signin: str = RATE_LIMIT_DEFAULTS["signin"]
    cors_origins: str = "*"
    webhook_timeout_s: int = 5
    # Webhook deliveries run in this many threads of the outbox worker, beside its own.
    webhook_workers: int = 4
    # How long an outbox job a worker claimed is its own: a worker killed mid-job leaves its
    # job to the others after this. Longer than the slowest job (a PDF e-mail, a webhook).
    outbox_lease_s: int = 300
    # Only for tests and closed networks: let webhooks reach private and loopback addresses.
    webhook_allow_private: bool = False
    # The "my tickets" page: a shop's stylesheet linked after ours (http(s) URL, or none), and
    # how long the signed links to it work.
    my_tickets_stylesheet: str = ""
    my_tickets_link_days: int = 30
    # Wallet passes (docs/tickets.md): Apple's Pass Type ID certificate, its key and Apple's
    # WWDR intermediate (file paths), and Google Wallet's issuer and service-account key file.
    # Empty: that wallet is not offered.
    apple_pass_cert: str = ""
    apple_pass_key: str = ""
    apple_pass_key_password: str = ""
    apple_wwdr_cert: str = ""
    apple_pass_type_id: str = ""
    apple_team_id: str = ""
    google_wallet_issuer_id: str = ""
    google_wallet_key_file: str = ""
    # The reminder e-mail this many hours before an event starts (sync daemon); 0 turns it off.
    reminder_hours: int = 48
    # Logs as plain lines ("text") or one JSON object a line ("json"); docs/operations.md.
    log_format: str = "text"
    # The Bearer token of GET /metrics on the public port; empty: /metrics answers 404 there.
    metrics_token: str = ""

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, ini_path: str | None = None
    ) -> Settings:
        """Build settings from ``TP_*`` variables; an INI file's ``[tp-bridge]`` section
        (``TP_CONFIG`` or ``ini_path``) gives defaults that the environment overrides."""
        env = dict(os.environ if environ is None else environ)
        values = _read_ini(ini_path or env.get("TP_CONFIG"))
        values.update({k: v for k, v in env.items() if k.startswith("TP_")})
        settings = cls(
            database_url=values.get("TP_DATABASE_URL") or DEFAULT_DATABASE_URL,
            secret_key=values.get("TP_SECRET_KEY", ""),
            public_url=(values.get("TP_PUBLIC_URL") or cls.public_url).rstrip("/"),
            dev=_bool(values, "TP_DEV", False),
            log_level=(values.get("TP_LOG_LEVEL") or "INFO").upper(),
            max_body_bytes=_int(values, "TP_MAX_BODY_BYTES", cls.max_body_bytes, 1024),
            trusted_proxies=_int(values, "TP_TRUSTED_PROXIES", 0, 0),
            auth_max_failures=_int(values, "TP_AUTH_MAX_FAILURES", 10, 1),
            auth_window_seconds=_int(values, "TP_AUTH_WINDOW_SECONDS", 300, 1),
            auth_block_seconds=_int(values, "TP_AUTH_BLOCK_SECONDS", 900, 1),
            oauth_token_seconds=_int(values, "TP_OAUTH_TOKEN_SECONDS", 900, 60),
            db_pool_size=_int(values, "TP_DB_POOL_SIZE", 32, 1),
            files_dir=values.get("TP_FILES_DIR") or "var/files",
            templates_dir=values.get("TP_TEMPLATES_DIR", ""),
            old_secret_keys=tuple(
                k.strip() for k in values.get("TP_OLD_SECRET_KEYS", "").split(",") if k.strip()
            ),
            link_max_age_s=_int(values, "TP_LINK_MAX_AGE_SECONDS", 3600, 60),
            smtp_host=values.get("TP_SMTP_HOST") or "localhost",
            smtp_port=_int(values, "TP_SMTP_PORT", 25, 1),
            smtp_user=values.get("TP_SMTP_USER", ""),
            smtp_password=values.get("TP_SMTP_PASSWORD", ""),
            smtp_security=(values.get("TP_SMTP_SECURITY") or "none").lower(),
            mail_from=values.get("TP_MAIL_FROM") or "tickets@localhost",
            redis_url=values.get("TP_REDIS_URL", ""),
            **{
                f"rate_limit_{name}": (values.get(f"TP_RATE_LIMIT_{name.upper()}") or default)
                for name, default in RATE_LIMIT_DEFAULTS.items()
            },
            cors_origins=values.get("TP_CORS_ORIGINS") or "*",
            webhook_timeout_s=_int(values, "TP_WEBHOOK_TIMEOUT_SECONDS", 5, 1),
            webhook_workers=_int(values, "TP_WEBHOOK_WORKERS", 4, 1),
            outbox_lease_s=_int(values, "TP_OUTBOX_LEASE_SECONDS", 300, 10),
            webhook_allow_private=_bool(values, "TP_WEBHOOK_ALLOW_PRIVATE", False),
            my_tickets_stylesheet=values.get("TP_MY_TICKETS_STYLESHEET", "").strip(),
            my_tickets_link_days=_int(values, "TP_MY_TICKETS_LINK_DAYS", 30, 1),
            unpaid_hold_seconds=_int(values, "TP_UNPAID_HOLD_SECONDS", 3600, 60),
            **_wallet_values(values),
            reminder_hours=_int(values, "TP_REMINDER_HOURS", 48, 0, maximum=MAX_REMINDER_HOURS),
            log_format=(values.get("TP_LOG_FORMAT") or "text").strip().lower(),
            metrics_token=values.get("TP_METRICS_TOKEN", "").strip(),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        """Raise SettingsError for values that cannot work."""
        url = urlsplit(self.public_url)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise SettingsError(f"TP_PUBLIC_URL must be an http(s) URL, got {self.public_url!r}")
        if self.smtp_security not in ("none", "starttls", "ssl"):
            raise SettingsError("TP_SMTP_SECURITY must be none, starttls or ssl")
        if "@" not in self.mail_from:
            raise SettingsError("TP_MAIL_FROM must be an e-mail address")
        if self.log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise SettingsError("TP_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        for name in RATE_LIMIT_DEFAULTS:
            value = getattr(self, f"rate_limit_{name}")
            if value != "off":
                try:
                    parse_many(value)
                except ValueError:
                    raise SettingsError(
                        f"TP_RATE_LIMIT_{name.upper()} must be like '120/minute' or 'off', "
                        f"got {value!r}"
                    ) from None
        if self.redis_url and urlsplit(self.redis_url).scheme not in ("redis", "rediss"):
            raise SettingsError("TP_REDIS_URL must be a redis:// or rediss:// URL")
        if self.my_tickets_stylesheet and not _plain_http_url(self.my_tickets_stylesheet):
            raise SettingsError(
                "TP_MY_TICKETS_STYLESHEET must be an http(s) URL or empty, "
                f"got {self.my_tickets_stylesheet!r}"
            )
        _check_wallets(self)
        _check_observability(self)

    def rate_limits(self) -> dict[str, str]:
        """Endpoint class -> limit string ("off" when turned off)."""
        return {name: getattr(self, f"rate_limit_{name}") for name in RATE_LIMIT_DEFAULTS}

    def for_development(self) -> Settings:
        """These settings with the development flag on and, if none was set, a dev secret."""
        return replace(self, dev=True, secret_key=self.secret_key or DEV_SECRET_KEY)

    def require_production_secret(self) -> None:
        """Refuse to serve with no secret, a short one or the development one."""
        if self.dev:
            return
        if not self.secret_key:
            raise SettingsError(
                "TP_SECRET_KEY is not set. Generate one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))' "
                "(or pass --dev for a local development server)"
            )
        if self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < MIN_SECRET_KEY_LENGTH:
            raise SettingsError(
                f"TP_SECRET_KEY must be a random value of at least {MIN_SECRET_KEY_LENGTH} "
                "characters (not the development key)"
            )


# A wallet is offered when all of its settings are given (the key password is optional).
_APPLE_SETTINGS = (
    "apple_pass_cert",
    "apple_pass_key",
    "apple_wwdr_cert",
    "apple_pass_type_id",
    "apple_team_id",
)
_GOOGLE_SETTINGS = ("google_wallet_issuer_id", "google_wallet_key_file")
_WALLET_FILES = ("apple_pass_cert", "apple_pass_key", "apple_wwdr_cert", "google_wallet_key_file")


def _wallet_values(values: Mapping[str, str]) -> dict[str, str]:
    """The wallet settings' fields from ``TP_APPLE_*`` and ``TP_GOOGLE_WALLET_*`` (paths and
    ids trimmed; the key's password as given)."""
    fields = {
        name: values.get(f"TP_{name.upper()}", "").strip()
        for name in (*_APPLE_SETTINGS, *_GOOGLE_SETTINGS)
    }
    fields["apple_pass_key_password"] = values.get("TP_APPLE_PASS_KEY_PASSWORD", "")
    return fields


def _check_wallets(settings: Settings) -> None:
    """All or none of a wallet's settings, files that exist, ids of the right shape. Whether
    the files hold a usable certificate and keys is checked when they are loaded
    (config/wallets.py), also at start-up."""
    for wallet, names in (("Apple Wallet", _APPLE_SETTINGS), ("Google Wallet", _GOOGLE_SETTINGS)):
        missing = [f"TP_{name.upper()}" for name in names if not getattr(settings, name)]
        if missing and len(missing) < len(names):
            raise SettingsError(f"{wallet} passes need {', '.join(missing)} too")
    for name in _WALLET_FILES:
        path = getattr(settings, name)
        if path and not os.path.isfile(path):
            raise SettingsError(f"TP_{name.upper()}: no such file {path!r}")
    if settings.apple_pass_type_id and not settings.apple_pass_type_id.startswith("pass."):
        raise SettingsError("TP_APPLE_PASS_TYPE_ID must be a Pass Type ID like pass.com.example")
    if settings.apple_team_id and not re.fullmatch(r"[A-Z0-9]{10}", settings.apple_team_id):
        raise SettingsError("TP_APPLE_TEAM_ID must be Apple's 10-character team id")
    issuer = settings.google_wallet_issuer_id
    if issuer and not (issuer.isascii() and issuer.isdigit()):
        raise SettingsError("TP_GOOGLE_WALLET_ISSUER_ID must be Google's issuer number")


def _check_observability(settings: Settings) -> None:
    """The log format and the metrics token (docs/operations.md)."""
    if settings.log_format not in ("text", "json"):
        raise SettingsError(f"TP_LOG_FORMAT must be text or json, got {settings.log_format!r}")
    if settings.metrics_token and len(settings.metrics_token) < MIN_METRICS_TOKEN_LENGTH:
        raise SettingsError(
            f"TP_METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_LENGTH} characters"
        )


def _plain_http_url(url: str) -> bool:
    """An http(s) URL with a plain host (and port): its origin also goes into the "my tickets"
    page's Content-Security-Policy, where a quote, space or semicolon would add directives."""
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and re.fullmatch(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?", parts.netloc) is not None
        and not any(c.isspace() or c in "'\"<>;" for c in url)
    )


def _read_ini(path: str | None) -> dict[str, str]:
    if not path:
        return {}
    parser = configparser.ConfigParser()
    if not parser.read(path):
        raise SettingsError(f"config file {path!r} cannot be read")
    if not parser.has_section("tp-bridge"):
        raise SettingsError(f"config file {path!r} has no [tp-bridge] section")
    return {f"TP_{key.upper()}": value for key, value in parser.items("tp-bridge")}


def _int(
    values: Mapping[str, str],
    name: str,
    default: int,
    minimum: int,
    *,
    maximum: int | None = None,
) -> int:
    raw = values.get(name)
    if raw in (None, ""):
        return default
    try:
        number = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if number < minimum:
        raise SettingsError(f"{name} must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise SettingsError(f"{name} must be at most {maximum}, got {number}")
    return number


def _bool(values: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (values.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")
