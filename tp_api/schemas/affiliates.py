"""Affiliates in the admin API: registering and changing them, their earnings and links."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from tp_api.schemas.base import (
    Cursor,
    Email,
    Id,
    Limit,
    Page,
    RequestModel,
    ResponseModel,
    text,
)


def _two_decimals(value: float) -> float:
    if (Decimal(str(value)) * 100) % 1 != 0:
        raise ValueError("must have at most two decimals, e.g. 12.5")
    return value


Rate = Annotated[
    float,
    Field(ge=0, le=100, description="Commission in per cent of the order's revenue, e.g. 12.5"),
    AfterValidator(_two_decimals),
]
Code = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$",
        description="3 to 40 letters, digits, hyphens or underscores; stored in lower case, "
        "unique per account. The coupon code in the shop and the `tp_affiliate` parameter",
    ),
]
LandingUrl = text(2000)


class AffiliateCreate(RequestModel):
    """A new affiliate; without ``code`` a random one is drawn."""

    name: text(200, min_length=1)  # type: ignore[valid-type]
    email: Email | None = None
    commission_rate: Rate
    code: Code | None = None


class AffiliateUpdate(RequestModel):
    """What to change; ``email: ""`` removes the address; ``enabled: false`` stops the
    affiliate earning (docs/affiliates.md)."""

    name: text(200, min_length=1) | None = None  # type: ignore[valid-type]
    email: Email | Literal[""] | None = None
    commission_rate: Rate | None = None
    enabled: bool | None = None


class AffiliateListQuery(RequestModel):
    limit: Limit = 20
    cursor: Cursor | None = None


class EarningsOut(ResponseModel):
    """One currency's figures: paid attributed orders, their revenue less refunds and the
    commission on it (cents)."""

    currency: str
    orders: int
    revenue: int = Field(description="Cents: paid less refunded")
    commission: int = Field(description="Cents: per order, revenue x rate, rounded half up")


class AffiliateOut(ResponseModel):
    id: int
    name: str
    email: str | None
    code: str
    commission_rate: float = Field(description="Per cent; orders keep the rate of their time")
    enabled: bool
    clicks: int = Field(description="Clicks on all of the affiliate's links")
    orders: int = Field(description="Paid attributed orders, every currency")
    earnings: list[EarningsOut]
    created_at: datetime
    updated_at: datetime


class AffiliateList(Page):
    items: list[AffiliateOut]
    unattributed_orders: int = Field(
        description="Orders that named an affiliate code no enabled affiliate has"
    )


class LinkCreate(RequestModel):
    """A link for one of the account's events; ``landingUrl`` sets where it leads (empty: the
    shop product mapped to the event's ticket types)."""

    event_id: Id
    landing_url: LandingUrl | None = None  # type: ignore[valid-type]


class LinkUpdate(RequestModel):
    """Where the link leads; empty: the shop product mapped to the event's ticket types."""

    landing_url: LandingUrl  # type: ignore[valid-type]


class LinkOut(ResponseModel):
    id: int
    event_id: int
    event_name: str
    code: str
    url: str = Field(description="The tracking link to share: counts a click, then the shop")
    landing_url: str | None = Field(description="Where it leads; null: the mapped product")
    clicks: int
    orders: int
    earnings: list[EarningsOut]
    created_at: datetime


class LinkList(ResponseModel):
    items: list[LinkOut]
