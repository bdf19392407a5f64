"""The service's health, for load balancers and dashboards."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from tp_api.schemas.base import ResponseModel


class ShopSync(ResponseModel):
    shop: str
    last_run_at: datetime | None
    last_status: str | None


class Health(ResponseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unreachable"]
    outbox_backlog: int | None
    outbox_failed: int | None
    shops: list[ShopSync] | None = None
