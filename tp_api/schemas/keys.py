"""Admin-API keys, OAuth clients and door scanners."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from tp_api.schemas.base import Id, RequestModel, ResponseModel, text

Scope = Literal[
    "events:read",
    "events:write",
    "orders:read",
    "orders:write",
    "customers:read",
    "affiliates:read",
    "affiliates:write",
    "checkin:write",
    "webhooks:write",
    "keys:write",
]


# Addresses and CIDR ranges, IPv4 or IPv6 ("203.0.113.7", "2001:db8::/32"); empty: anywhere.
AllowedIps = list[text(50, min_length=1)]  # type: ignore[valid-type,misc]


class ApiKeyCreate(RequestModel):
    """A new key; every scope unless ``scopes`` narrows it, usable from anywhere unless
    ``allowedIps`` lists addresses or CIDR ranges."""

    label: text(200) = ""  # type: ignore[valid-type]
    scopes: list[Scope] | None = Field(None, min_length=1, max_length=10)
    allowed_ips: AllowedIps | None = Field(None, max_length=50)  # type: ignore[valid-type]
    # A test-mode key (tpk_test_…), acting on the account's sandbox (docs/sandbox.md).
    test_mode: bool = False


class AllowlistUpdate(RequestModel):
    """The addresses and CIDR ranges a credential may be used from (``[]``: anywhere)."""

    allowed_ips: AllowedIps = Field(max_length=50)  # type: ignore[valid-type]


class ApiKeyOut(ResponseModel):
    id: int
    label: str
    prefix: str
    scopes: list[str]
    allowed_ips: list[str]
    test_mode: bool
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    """The key with its secret: shown this once, never again."""

    secret: str


class ApiKeyList(ResponseModel):
    items: list[ApiKeyOut]


class OAuthClientCreate(RequestModel):
    """A new OAuth client; its tokens may carry every scope unless ``scopes`` narrows it."""

    label: text(200) = ""  # type: ignore[valid-type]
    scopes: list[Scope] | None = Field(None, min_length=1, max_length=10)
    allowed_ips: AllowedIps | None = Field(None, max_length=50)  # type: ignore[valid-type]
    # A test-mode client (tpc_test_…), its tokens acting on the sandbox (docs/sandbox.md).
    test_mode: bool = False


class OAuthClientOut(ResponseModel):
    id: int
    client_id: str
    label: str
    scopes: list[str]
    allowed_ips: list[str]
    test_mode: bool
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    # During a rotation: until when the previous secret still works.
    previous_secret_expires_at: datetime | None


class OAuthClientCreated(OAuthClientOut):
    """The client with its secret: shown this once, never again."""

    client_secret: str


class OAuthClientList(ResponseModel):
    items: list[OAuthClientOut]


class TestDataOut(ResponseModel):
    """The account's test mode: its sandbox (None before the first test credential) and
    the test data it holds."""

    sandbox_account_id: int | None
    events: int
    orders: int


class TestDataWiped(ResponseModel):
    orders_deleted: int


class ScannerCreate(RequestModel):
    """A door scanner allowed to scan the given events (and their dates)."""

    name: text(100, min_length=1)  # type: ignore[valid-type]
    event_ids: list[Id] = Field(min_length=1, max_length=200)
    default_gate: text(100) = Field(  # type: ignore[valid-type]
        "", description="The gate a phone paired with this scanner starts with"
    )


class ScannerUpdate(RequestModel):
    """A scanner's settings that may change after it was made."""

    default_gate: text(100) = Field(  # type: ignore[valid-type]
        description="The gate phones paired from now on start with ('' for none); phones "
        "paired before keep theirs"
    )


class ScannerOut(ResponseModel):
    id: int
    name: str
    event_ids: list[int]
    default_gate: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ScannerCreated(ScannerOut):
    """The scanner with its key: shown this once, never again."""

    secret: str


class ScannerList(ResponseModel):
    items: list[ScannerOut]
