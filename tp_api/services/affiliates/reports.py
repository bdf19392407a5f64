"""Affiliates and their links as the admin API shows them (the console reads the same
figures), each with its earnings read in one statement for the whole list."""

from __future__ import annotations

from tp_api.models import Affiliate, AffiliateLink
from tp_api.schemas.affiliates import AffiliateOut, EarningsOut, LinkOut
from tp_api.services.affiliates import codes, earnings, links
from tp_api.services.affiliates.earnings import Earnings


def earnings_out(figures: list[Earnings]) -> list[EarningsOut]:
    """Per-currency figures as the API names them."""
    return [
        EarningsOut(
            currency=e.currency,
            orders=e.orders,
            revenue=e.revenue_cents,
            commission=e.commission_cents,
        )
        for e in figures
    ]


def affiliates_out(account_id: int, affiliates: list[Affiliate]) -> list[AffiliateOut]:
    """The affiliates with their clicks and earnings (two statements for the whole list)."""
    ids = [a.id for a in affiliates]
    figures = earnings.by_affiliate(account_id, ids)
    clicks = earnings.clicks_by_affiliate(ids)
    return [
        AffiliateOut(
            id=a.id,
            name=a.name,
            email=a.email or None,
            code=a.code,
            commission_rate=codes.percent(a.rate_bps),
            enabled=a.enabled,
            clicks=clicks.get(a.id, 0),
            orders=earnings.orders_of(figures.get(a.id, [])),
            earnings=earnings_out(figures.get(a.id, [])),
            created_at=a.created_at,
            updated_at=a.updated_at,
        )
        for a in affiliates
    ]


def link_url(public_url: str, code: str) -> str:
    """The address to share: ``https://tickets.example.com/r/<code>``."""
    return f"{public_url.rstrip('/')}/r/{code}"


def links_out(affiliate: Affiliate, public_url: str) -> list[LinkOut]:
    """The affiliate's links (one per published event at least) with their figures."""
    links.fill_links(affiliate.account_id, affiliate.id)
    figures = earnings.by_event(affiliate.id)
    return [
        link_out(link, name, figures.get(link.event_id, []), public_url)
        for link, name in links.affiliate_links(affiliate.id)
    ]


def link_out(
    link: AffiliateLink, event_name: str, figures: list[Earnings], public_url: str
) -> LinkOut:
    """One link with its figures."""
    return LinkOut(
        id=link.id,
        event_id=link.event_id,
        event_name=event_name,
        code=link.code,
        url=link_url(public_url, link.code),
        landing_url=link.landing_url or None,
        clicks=link.clicks,
        orders=earnings.orders_of(figures),
        earnings=earnings_out(figures),
        created_at=link.created_at,
    )
