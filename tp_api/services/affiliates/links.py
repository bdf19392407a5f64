"""Tracking links: one per affiliate and event, each with its own short code.

Every affiliate has a link for each published event: made when the affiliate is registered,
and for events published later when the affiliate's links are read (:func:`fill_links`).
A link for any other event of the account (a draft being prepared) is made on request,
optionally with its own landing address.

``/r/<code>`` (:func:`follow`) counts a click with one atomic UPDATE and leads to the
event's page in the shop with ``tp_affiliate=<affiliate code>`` added to its query: the
link's own ``landing_url`` when one was set, else the shop product mapped to one of the
event's ticket types (``<shop>/?post_type=product&p=<product id>``, which WordPress answers
with the product's page).
"""

from __future__ import annotations

from urllib.parse import unquote_plus, urlencode, urlsplit, urlunsplit

import peewee
from peewee import JOIN, fn

from tp_api.db import tuples, utcnow, write_transaction
from tp_api.models import (
    Affiliate,
    AffiliateLink,
    Event,
    EventLifecycle,
    ProductMapping,
    Shop,
    TicketType,
)
from tp_api.schemas.text_rules import text_problem
from tp_api.services import audit_trail
from tp_api.services.actors import Actor
from tp_api.services.affiliates import codes
from tp_api.services.errors import Conflict, InvalidInput, NotFound
from tp_api.services.events.event_catalogue import event_and_dates, find_event

AFFILIATE_PARAM = "tp_affiliate"
MAX_URL = 2000


def fill_links(account_id: int, affiliate_id: int) -> None:
    """Make the affiliate's missing links for the account's published events.

    One read when nothing is missing; the insert ignores a link another request made in
    the meantime (the unique (affiliate, event) index).
    """
    taken = AffiliateLink.select(AffiliateLink.id).where(
        AffiliateLink.affiliate == affiliate_id, AffiliateLink.event == Event.id
    )
    missing = [
        event_id
        for (event_id,) in tuples(
            Event.select(Event.id).where(
                Event.account == account_id,
                Event.parent.is_null(),
                Event.deleted_at.is_null(),
                Event.lifecycle.in_(EventLifecycle.ON_SALE),
                ~fn.EXISTS(taken),
            )
        )
    ]
    if not missing:
        return
    now = utcnow()
    rows = [
        {"affiliate": affiliate_id, "event": e, "code": codes.new_link_code(), "created_at": now}
        for e in missing
    ]
    with write_transaction():
        AffiliateLink.insert_many(rows).on_conflict_ignore().execute()


def create_link(
    account_id: int,
    affiliate: Affiliate,
    event_id: int,
    *,
    landing_url: str = "",
    actor: Actor,
) -> AffiliateLink:
    """A new link of the affiliate for one of the account's events (any lifecycle: a draft
    can be prepared), leading to ``landing_url`` (empty: the mapped shop product).

    Raises NotFound for an event that is not the account's, InvalidInput for a landing
    address that is not http(s), and Conflict (``link_exists``, with the link's id in
    ``details``) when the affiliate has a link for the event already.
    """
    actor.require("affiliates:write")
    url = _checked_url(landing_url)
    event = find_event(account_id, event_id)
    with write_transaction():
        _refuse_existing(affiliate.id, event.id)
        link = _insert_link(affiliate.id, event.id, url)
        link.event = event  # its name is shown with the link: no second read
        changes = audit_trail.created({"event": event.name, "landing_url": url})
        audit_trail.record(
            account_id, actor, "affiliate.link_created", _subject(affiliate, event.name), changes
        )
    return link


def change_link(
    account_id: int, affiliate: Affiliate, link_id: int, *, landing_url: str, actor: Actor
) -> AffiliateLink:
    """Set where the affiliate's link leads (empty: the mapped shop product)."""
    actor.require("affiliates:write")
    url = _checked_url(landing_url)
    with write_transaction():
        row = (
            AffiliateLink.select(AffiliateLink, Event.id, Event.name)
            .join(Event)
            .where(AffiliateLink.id == link_id, AffiliateLink.affiliate == affiliate.id)
            .first()
        )
        if row is None:
            raise NotFound("Link not found", code="link_not_found")
        if url != row.landing_url:
            changes = {"landing_url": [row.landing_url, url]}
            row.landing_url = url
            row.save(only=[AffiliateLink.landing_url])
            subject = _subject(affiliate, row.event.name)
            audit_trail.record(account_id, actor, "affiliate.link_changed", subject, changes)
    return row


def _subject(affiliate: Affiliate, event_name: str) -> tuple[str, int, str]:
    return ("affiliate", affiliate.id, f"{affiliate.name}: {event_name}")


def _insert_link(affiliate_id: int, event_id: int, landing_url: str) -> AffiliateLink:
    for _attempt in range(4):
        try:
            with write_transaction():  # a savepoint: the refused INSERT alone is undone
                return AffiliateLink.create(
                    affiliate=affiliate_id,
                    event=event_id,
                    code=codes.new_link_code(),
                    landing_url=landing_url,
                    created_at=utcnow(),
                )
        except peewee.IntegrityError:
            # Another request made this pair's link first (PostgreSQL lets both get this far),
            # or, very rarely, the random code was taken: then another is drawn.
            _refuse_existing(affiliate_id, event_id)
    raise InvalidInput("No free link code was found; try again", code="link_code_exhausted")


def _refuse_existing(affiliate_id: int, event_id: int) -> None:
    existing = AffiliateLink.get_or_none(
        (AffiliateLink.affiliate == affiliate_id) & (AffiliateLink.event == event_id)
    )
    if existing is not None:
        raise Conflict(
            "The affiliate has a link for this event already",
            code="link_exists",
            details={"linkId": existing.id},
        )


def _checked_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if url and (
        len(url) > MAX_URL
        or text_problem(url)
        or parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
    ):
        raise InvalidInput(
            "landingUrl must be an http:// or https:// address", code="link_landing_url_invalid"
        )
    return url


def affiliate_links(affiliate_id: int) -> list[tuple[AffiliateLink, str]]:
    """The affiliate's links with their event's name, soonest event first."""
    query = (
        AffiliateLink.select(AffiliateLink, Event.id, Event.name)
        .join(Event)
        .where(AffiliateLink.affiliate == affiliate_id, Event.deleted_at.is_null())
        .order_by(Event.start_date.asc(nulls="LAST"), Event.id)
    )
    return [(link, link.event.name) for link in query]


def follow(code: str, *, count: bool = True) -> str:
    """Count a visit of ``/r/<code>`` (unless ``count`` is false: a HEAD request) and say
    where it leads ("": the event has no page to go to); NotFound for no such link.

    The click is one ``clicks = clicks + 1`` UPDATE: concurrent clicks never overwrite each
    other. A disabled affiliate's link still leads to the shop, uncounted and without its
    code; a deleted event's link is not found.
    """
    normal = codes.normalise(code)
    if not codes.LINK_CODE_PATTERN.fullmatch(normal):
        raise NotFound("Link not found", code="link_not_found")
    row = (
        AffiliateLink.select(
            AffiliateLink.id,
            AffiliateLink.event,
            AffiliateLink.landing_url,
            Affiliate.code,
            Affiliate.enabled,
            Event.account,
        )
        .join(Affiliate)
        .switch(AffiliateLink)
        .join(Event)
        .where(AffiliateLink.code == normal, Event.deleted_at.is_null())
        .first()
    )
    if row is None:
        raise NotFound("Link not found", code="link_not_found")
    page = row.landing_url or product_page(row.event.account_id, row.event_id)
    if not page or not row.affiliate.enabled:
        return page
    if count:
        with write_transaction():
            (
                AffiliateLink.update(clicks=AffiliateLink.clicks + 1)
                .where(AffiliateLink.id == row.id)
                .execute()
            )
    return with_affiliate(page, row.affiliate.code)


def product_page(account_id: int, event_id: int) -> str:
    """The page of the first shop product mapped to the event's (or its dates') ticket types,
    or "" when none is."""
    found = (
        ProductMapping.select(Shop.base_url, ProductMapping.product_id)
        .join(Shop)
        .switch(ProductMapping)
        .join(TicketType, JOIN.INNER)
        .where(Shop.account == account_id, TicketType.event.in_(event_and_dates(event_id)))
        .order_by(ProductMapping.id)
        .limit(1)
    )
    for base_url, product_id in tuples(found):
        return f"{str(base_url).rstrip('/')}/?post_type=product&p={int(product_id)}"
    return ""


def with_affiliate(url: str, code: str) -> str:
    """``url`` with ``tp_affiliate=<code>`` added to its query (replacing one already there);
    the rest of the query is kept exactly as it was written."""
    parts = urlsplit(url)
    kept = [
        piece
        for piece in parts.query.split("&")
        if piece and unquote_plus(piece.partition("=")[0]) != AFFILIATE_PARAM
    ]
    kept.append(urlencode({AFFILIATE_PARAM: code}))
    return urlunsplit(parts._replace(query="&".join(kept)))
