"""Admin-API keys."""

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


class ApiKeyCreate(RequestModel):
    """A new key; every scope unless ``scopes`` narrows it."""

    label: text(200) = ""  # type: ignore[valid-type]
    scopes: list[Scope] | None = Field(None, min_length=1, max_length=10)


class ApiKeyOut(ResponseModel):
    id: int
    label: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    """The key with its secret: shown this once, never again."""

    secret: str


class ApiKeyList(ResponseModel):
    items: list[ApiKeyOut]


class ScannerCreate(RequestModel):
    """A door scanner allowed to scan the given events (and their dates)."""

    name: text(100, min_length=1)  # type: ignore[valid-type]
    event_ids: list[Id] = Field(min_length=1, max_length=200)


class ScannerOut(ResponseModel):
    id: int
    name: str
    event_ids: list[int]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ScannerCreated(ScannerOut):
    """The scanner with its key: shown this once, never again."""

    secret: str


class ScannerList(ResponseModel):
    items: list[ScannerOut]
