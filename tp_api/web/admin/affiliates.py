"""Affiliates, their earnings and their tracking links: ``/api/v1/affiliates``."""

from __future__ import annotations

from flask import g

from tp_api.schemas.affiliates import (
    AffiliateCreate,
    AffiliateList,
    AffiliateListQuery,
    AffiliateOut,
    AffiliateUpdate,
    LinkCreate,
    LinkList,
    LinkOut,
    LinkUpdate,
)
from tp_api.services.affiliates import codes, earnings, links, registry, reports
from tp_api.services.cursors import decode_cursor, encode_cursor
from tp_api.web.admin import bp
from tp_api.web.api_routes import operation
from tp_api.web.parts import parts

READ, WRITE = ("affiliates:read",), ("affiliates:write",)
_ONE = "/affiliates/<int:affiliate_id>"


def _one(affiliate_id: int) -> AffiliateOut:
    affiliate = registry.get_affiliate(g.caller.account_id, affiliate_id)
    return reports.affiliates_out(g.caller.account_id, [affiliate])[0]


@operation(
    bp,
    "/affiliates",
    "GET",
    summary="List affiliates with their earnings",
    tag="Affiliates",
    scopes=READ,
    query=AffiliateListQuery,
    response=AffiliateList,
    errors=(400,),
)
def list_affiliates(query: AffiliateListQuery) -> AffiliateList:
    """In the order they were registered, each with its clicks and, per currency, its paid
    orders, revenue less refunds and commission; and how many orders named an unknown code."""
    after = decode_cursor(query.cursor, int)
    page = registry.list_affiliates(
        g.caller.account_id, after_id=after[0] if after else None, limit=query.limit
    )
    return AffiliateList(
        items=reports.affiliates_out(g.caller.account_id, page.affiliates),
        next_cursor=encode_cursor(page.next_after_id) if page.next_after_id else None,
        unattributed_orders=earnings.unattributed_orders(g.caller.account_id),
    )


@operation(
    bp,
    "/affiliates",
    "POST",
    summary="Register an affiliate",
    tag="Affiliates",
    scopes=WRITE,
    body=AffiliateCreate,
    response=AffiliateOut,
    status=201,
    errors=(400, 409),
)
def create_affiliate(body: AffiliateCreate) -> AffiliateOut:
    """With a link for each published event; recorded in the audit trail."""
    draft = registry.AffiliateDraft(
        name=body.name,
        rate_bps=codes.rate_bps(body.commission_rate),
        email=body.email or "",
        code=body.code or "",
    )
    affiliate = registry.create_affiliate(g.caller.account_id, draft, actor=g.caller.actor)
    return reports.affiliates_out(g.caller.account_id, [affiliate])[0]


@operation(
    bp,
    _ONE,
    "GET",
    summary="Get an affiliate with its earnings",
    tag="Affiliates",
    scopes=READ,
    response=AffiliateOut,
    errors=(404,),
)
def get_affiliate(affiliate_id: int) -> AffiliateOut:
    """One affiliate, its clicks and its earnings per currency."""
    return _one(affiliate_id)


@operation(
    bp,
    _ONE,
    "PATCH",
    summary="Change an affiliate",
    tag="Affiliates",
    scopes=WRITE,
    body=AffiliateUpdate,
    response=AffiliateOut,
    errors=(400, 404),
)
def update_affiliate(affiliate_id: int, body: AffiliateUpdate) -> AffiliateOut:
    """A new rate applies to orders from now on; ``enabled: false`` stops new earnings."""
    change = registry.AffiliateChange(
        name=body.name,
        email=body.email,
        rate_bps=codes.rate_bps(body.commission_rate) if body.commission_rate is not None else None,
        enabled=body.enabled,
    )
    registry.update_affiliate(g.caller.account_id, affiliate_id, change, actor=g.caller.actor)
    return _one(affiliate_id)


@operation(
    bp,
    _ONE + "/links",
    "GET",
    summary="Get an affiliate's tracking links",
    tag="Affiliates",
    scopes=READ,
    response=LinkList,
    errors=(404,),
)
def list_affiliate_links(affiliate_id: int) -> LinkList:
    """One per published event at least (made when missing), each with its clicks, paid
    orders, revenue and commission per currency."""
    affiliate = registry.get_affiliate(g.caller.account_id, affiliate_id)
    return LinkList(items=reports.links_out(affiliate, parts().public_url))


@operation(
    bp,
    _ONE + "/links",
    "POST",
    summary="Make an affiliate's link for an event",
    tag="Affiliates",
    scopes=WRITE,
    body=LinkCreate,
    response=LinkOut,
    status=201,
    errors=(400, 404, 409),
)
def create_affiliate_link(affiliate_id: int, body: LinkCreate) -> LinkOut:
    """For any event of the account (a draft too); ``409 link_exists`` when the affiliate
    has one for the event (``details.linkId``). Recorded in the audit trail."""
    affiliate = registry.get_affiliate(g.caller.account_id, affiliate_id)
    link = links.create_link(
        g.caller.account_id,
        affiliate,
        body.event_id,
        landing_url=body.landing_url or "",
        actor=g.caller.actor,
    )
    return reports.link_out(link, link.event.name, [], parts().public_url)


@operation(
    bp,
    _ONE + "/links/<int:link_id>",
    "PATCH",
    summary="Change where an affiliate's link leads",
    tag="Affiliates",
    scopes=WRITE,
    body=LinkUpdate,
    response=LinkOut,
    errors=(400, 404),
)
def update_affiliate_link(affiliate_id: int, link_id: int, body: LinkUpdate) -> LinkOut:
    """``landingUrl`` empty: the shop product mapped to the event. Recorded in the audit
    trail."""
    affiliate = registry.get_affiliate(g.caller.account_id, affiliate_id)
    link = links.change_link(
        g.caller.account_id,
        affiliate,
        link_id,
        landing_url=body.landing_url,
        actor=g.caller.actor,
    )
    figures = earnings.by_event(affiliate.id).get(link.event_id, [])
    return reports.link_out(link, link.event.name, figures, parts().public_url)
