"""Registering affiliates and changing them (``/api/v1/affiliates``, the console), each
change in the audit trail in its own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import peewee

from tp_api.db import utcnow, write_transaction
from tp_api.models import Affiliate
from tp_api.schemas.text_rules import email_problem, text_problem
from tp_api.services import audit_trail
from tp_api.services.actors import Actor
from tp_api.services.affiliates import codes, links
from tp_api.services.errors import Conflict, InvalidInput, NotFound, Said

PAGE_SIZE = 50
MAX_NAME = 200
# Random codes are drawn again when one is taken (rare: 31^8 codes per account).
_CODE_ATTEMPTS = 5


@dataclass(frozen=True)
class AffiliateDraft:
    """A new affiliate: ``code`` empty draws a random one; the rate in basis points."""

    name: str
    rate_bps: int
    email: str = ""
    code: str = ""


@dataclass(frozen=True)
class AffiliateChange:
    """What to change; None leaves a value as it is (an empty ``email`` removes it)."""

    name: str | None = None
    email: str | None = None
    rate_bps: int | None = None
    enabled: bool | None = None


@dataclass(frozen=True)
class AffiliatePage:
    """Affiliates in the order they were registered, and the id to pass as ``after_id``."""

    affiliates: list[Affiliate]
    next_after_id: int | None


def create_affiliate(account_id: int, draft: AffiliateDraft, *, actor: Actor) -> Affiliate:
    """Register an affiliate, with a link for each of the account's published events.

    Raises InvalidInput for a bad name, e-mail address, code or rate, and Conflict
    (``affiliate_code_taken``) when the account has the code already.
    """
    actor.require("affiliates:write")
    name, email = _checked_name(draft.name), _checked_email(draft.email)
    _check_rate(draft.rate_bps)
    if draft.code:
        code = codes.checked_code(draft.code)
        try:
            return _insert(account_id, name, email, code, draft, actor)
        except peewee.IntegrityError:
            raise Conflict(
                Said("The code {code} is taken by another affiliate", code=code),
                code="affiliate_code_taken",
            ) from None
    for _attempt in range(_CODE_ATTEMPTS - 1):
        try:
            return _insert(account_id, name, email, codes.new_affiliate_code(), draft, actor)
        except peewee.IntegrityError:
            continue  # the random code was taken: draw another
    return _insert(account_id, name, email, codes.new_affiliate_code(), draft, actor)


def _insert(
    account_id: int, name: str, email: str, code: str, draft: AffiliateDraft, actor: Actor
) -> Affiliate:
    with write_transaction():
        now = utcnow()
        affiliate = Affiliate.create(
            account=account_id,
            name=name,
            email=email,
            code=code,
            rate_bps=draft.rate_bps,
            created_at=now,
            updated_at=now,
        )
        links.fill_links(account_id, affiliate.id)
        values = audit_trail.created(_values(affiliate))
        audit_trail.record(account_id, actor, "affiliate.created", _subject(affiliate), values)
    return affiliate


def update_affiliate(
    account_id: int, affiliate_id: int, change: AffiliateChange, *, actor: Actor
) -> Affiliate:
    """Change an affiliate's name, e-mail address, rate or whether it is enabled.

    A new rate applies to orders from now on; each earlier order keeps its own. A disabled
    affiliate earns nothing new: its links still lead to the shop, uncounted and without
    its code, and orders naming its code are recorded unattributed.
    """
    actor.require("affiliates:write")
    if change.rate_bps is not None:
        _check_rate(change.rate_bps)
    name = _checked_name(change.name) if change.name is not None else None
    email = _checked_email(change.email) if change.email is not None else None
    with write_transaction():
        affiliate = get_affiliate(account_id, affiliate_id)
        before = _values(affiliate)
        for field, value in (
            ("name", name),
            ("email", email),
            ("rate_bps", change.rate_bps),
            ("enabled", change.enabled),
        ):
            if value is not None:
                setattr(affiliate, field, value)
        diff = audit_trail.changed(before, _values(affiliate))
        if diff:
            affiliate.updated_at = utcnow()
            affiliate.save()
            audit_trail.record(account_id, actor, "affiliate.updated", _subject(affiliate), diff)
    return affiliate


def get_affiliate(account_id: int, affiliate_id: int) -> Affiliate:
    """The account's affiliate, or NotFound (another account's is not found)."""
    affiliate = Affiliate.get_or_none(
        (Affiliate.id == affiliate_id) & (Affiliate.account == account_id)
    )
    if affiliate is None:
        raise NotFound("Affiliate not found", code="affiliate_not_found")
    return affiliate


def list_affiliates(
    account_id: int, *, after_id: int | None = None, limit: int = PAGE_SIZE
) -> AffiliatePage:
    """One page of the account's affiliates, in the order they were registered."""
    query = Affiliate.select().where(Affiliate.account == account_id)
    if after_id is not None:
        query = query.where(Affiliate.id > after_id)
    rows = list(query.order_by(Affiliate.id).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return AffiliatePage(rows, rows[-1].id if more and rows else None)


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME or text_problem(name):
        raise InvalidInput(
            Said("An affiliate's name is 1 to {most} printable characters", most=MAX_NAME),
            code="affiliate_name_invalid",
        )
    return name


def _checked_email(email: str) -> str:
    email = email.strip()
    if email and email_problem(email):
        raise InvalidInput("Enter one e-mail address, or none", code="affiliate_email_invalid")
    return email


def _check_rate(rate_bps: int) -> None:
    if not 0 <= rate_bps <= codes.MAX_RATE_BPS:
        raise InvalidInput(
            "The commission rate is a percentage from 0 to 100, with at most two decimals",
            code="affiliate_rate_invalid",
        )


def _values(affiliate: Affiliate) -> dict[str, Any]:
    return {
        "name": affiliate.name,
        "email": affiliate.email,
        "code": affiliate.code,
        "commission_rate": codes.percent(affiliate.rate_bps),
        "enabled": affiliate.enabled,
    }


def _subject(affiliate: Affiliate) -> tuple[str, int, str]:
    return ("affiliate", affiliate.id, affiliate.name)
