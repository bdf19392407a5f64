"""The fraud signals: what each one measures, and the one query that reads them all.

Every signal is read from our own tables, inside the order's write transaction, before the
order's row is inserted (so "earlier orders" never include the order itself). The one
statement is a handful of bounded index reads (migration 0023's partial indexes): each
count stops at the number that makes its signal fire, so a buyer with a thousand orders
costs what one with five does.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, get_args

import peewee
from disposable_email_domains import blocklist as _DISPOSABLE_DOMAINS

from tp_api.db import database
from tp_api.models import Order
from tp_api.schemas.fraud import Signal

# The signals, in the order reports list them: the schema's Literal is the one list (it
# validates the settings' weights); this is its run-time form.
SIGNALS: tuple[str, ...] = get_args(Signal)

# How much of the 0-100 score each signal adds (an account may change them). One signal
# alone never holds an order with these; two strong ones do. A repeat buyer ordering fast
# from one address fires both velocity signals at once: together they stay medium (65).
DEFAULT_WEIGHTS: dict[str, int] = {
    "velocity_breach": 40,
    "first_time_bulk": 30,
    "email_velocity": 25,
    "disposable_email": 25,
    "unusual_country": 25,
    "refused_attempts": 30,
}

# velocity_breach: this order is at least the 5th from one IP address within 10 minutes.
IP_WINDOW = timedelta(minutes=10)
IP_ORDERS = 5
# email_velocity: this order is at least the 5th from one e-mail address within 10 minutes.
EMAIL_WINDOW = timedelta(minutes=10)
EMAIL_ORDERS = 5
# first_time_bulk: at least 10 tickets, from an address with no earlier order.
BULK_TICKETS = 10
# unusual_country: the billing country is on fewer than 2 % of the account's latest 200
# orders that name a country, and at least 50 of them do (fewer say nothing "usual").
COUNTRY_SAMPLE = 200
COUNTRY_MIN_SAMPLE = 50
COUNTRY_SHARE = 0.02
# refused_attempts: at least 3 refused attempts from the IP or e-mail within 30 minutes.
REFUSAL_WINDOW = timedelta(minutes=30)
REFUSALS = 3


@dataclass(frozen=True)
class Buyer:
    """What the signals know of the new order: all normalised (e-mail lower-cased)."""

    ip_address: str
    email: str
    country: str
    tickets: int


@dataclass(frozen=True)
class Facts:
    """What the one query read, and the account's settings row (None: the defaults)."""

    ip_recent: int
    email_recent: int
    email_before: bool
    refused: int  # refusals from the IP address or from the e-mail address, the more
    country_seen: int
    country_same: int
    medium_from: int | None
    high_from: int | None
    weights: str | None


def email_domain(email: str) -> str:
    """``Jane@Example.COM`` -> ``example.com`` ("" when there is no @)."""
    return email.rpartition("@")[2].strip().lower() if "@" in email else ""


def is_disposable(email: str) -> bool:
    """Whether the address is at a throwaway-mail domain (the ``disposable-email-domains``
    package's list; a subdomain of a listed domain counts too)."""
    domain = email_domain(email)
    while domain:
        if domain in _DISPOSABLE_DOMAINS:
            return True
        domain = domain.partition(".")[2] if "." in domain else ""
    return False


def fired(buyer: Buyer, facts: Facts) -> list[str]:
    """The signals that fire for this buyer, in :data:`SIGNALS` order."""
    country_share = facts.country_same / facts.country_seen if facts.country_seen else 1.0
    checks = {
        "velocity_breach": bool(buyer.ip_address) and facts.ip_recent + 1 >= IP_ORDERS,
        "first_time_bulk": bool(buyer.email)
        and not facts.email_before
        and buyer.tickets >= BULK_TICKETS,
        "email_velocity": bool(buyer.email) and facts.email_recent + 1 >= EMAIL_ORDERS,
        "disposable_email": is_disposable(buyer.email),
        "unusual_country": bool(buyer.country)
        and facts.country_seen >= COUNTRY_MIN_SAMPLE
        and country_share < COUNTRY_SHARE,
        "refused_attempts": facts.refused >= REFUSALS,
    }
    return [name for name in SIGNALS if checks[name]]


# Each count is of a LIMITed subquery: it reads at most as many index entries as its
# threshold. A NULL parameter (no IP, no e-mail) matches nothing, at the cost of one seek.
_SQL = """
SELECT
 (SELECT COUNT(*) FROM (SELECT 1 FROM "order" WHERE "account_id" = {p} AND "ip_address" <> ''
   AND "ip_address" = {p} AND "created_at" >= {p} LIMIT {p}) AS ip_recent),
 (SELECT COUNT(*) FROM (SELECT 1 FROM "order" WHERE "account_id" = {p} AND "billing_email" <> ''
   AND lower("billing_email") = {p} AND "created_at" >= {p} LIMIT {p}) AS email_recent),
 (SELECT COUNT(*) FROM (SELECT 1 FROM "order" WHERE "account_id" = {p} AND "billing_email" <> ''
   AND lower("billing_email") = {p} AND "created_at" <= {p} LIMIT 1) AS email_before),
 (SELECT COUNT(*) FROM (SELECT 1 FROM "fraud_refusal" WHERE "account_id" = {p}
   AND "ip_address" = {p} AND "at" >= {p} LIMIT {p}) AS refused_ip),
 (SELECT COUNT(*) FROM (SELECT 1 FROM "fraud_refusal" WHERE "account_id" = {p}
   AND "email" = {p} AND "at" >= {p} LIMIT {p}) AS refused_email),
 countries.seen, countries.same,
 s."medium_from", s."high_from", s."weights"
FROM {countries} AS countries
LEFT JOIN "fraud_settings" AS s ON s."account_id" = {p}
"""
# The latest orders that name a country, read once from the index order_fraud_country.
_COUNTRY_SQL = """(SELECT COUNT(*) AS seen,
   COALESCE(SUM(CASE WHEN "billing_country" = {p} THEN 1 ELSE 0 END), 0) AS same
 FROM (SELECT "billing_country" FROM "order" WHERE "account_id" = {p}
   AND "billing_country" <> '' ORDER BY "id" DESC LIMIT {p}) AS latest)"""
_NO_COUNTRY_SQL = "(SELECT 0 AS seen, 0 AS same)"
_SQL_TEXT: dict[tuple[str, bool], str] = {}


def _sql(param: str, with_country: bool) -> str:
    key = (param, with_country)
    text = _SQL_TEXT.get(key)
    if text is None:
        country = (_COUNTRY_SQL if with_country else _NO_COUNTRY_SQL).format(p=param)
        text = _SQL.format(p=param, countries=country)
        _SQL_TEXT[key] = text
    return text


# PostgreSQL plans this statement in about 1 ms, several times what running it costs
# (docs/performance.md): each connection prepares it once (per variant) and then executes it.
_PREPARED: dict[bool, weakref.WeakSet[object]] = {True: weakref.WeakSet(), False: weakref.WeakSet()}


def _run(db: peewee.Database, with_country: bool, params: list[object]) -> tuple[Any, ...]:
    if not isinstance(db, peewee.PostgresqlDatabase):
        return tuple(db.execute_sql(_sql(db.param, with_country), params).fetchone())
    name = "tp_fraud_facts_country" if with_country else "tp_fraud_facts"
    connection = db.connection()
    if connection not in _PREPARED[with_country]:
        text = _sql("%s", with_country)
        for number in range(1, len(params) + 1):
            text = text.replace("%s", f"${number}", 1)
        # A prepared statement belongs to the session, not to the transaction.
        db.execute_sql(f"PREPARE {name} AS {text}")
        _PREPARED[with_country].add(connection)
    placeholders = ", ".join(["%s"] * len(params))
    return tuple(db.execute_sql(f"EXECUTE {name} ({placeholders})", params).fetchone())


def read_facts(account_id: int, buyer: Buyer, now: datetime) -> Facts:
    """Everything the signals need, and the account's settings, in one statement."""
    db = database.obj
    assert isinstance(db, peewee.Database)
    ip = buyer.ip_address or None
    email = buyer.email or None
    stamp = Order.created_at.db_value
    params: list[object] = [
        *(account_id, ip, stamp(now - IP_WINDOW), IP_ORDERS),
        *(account_id, email, stamp(now - EMAIL_WINDOW), EMAIL_ORDERS),
        # "created_at <= now" is true of every earlier order; it makes SQLite's planner
        # take order_fraud_email rather than scan the account's (account, e-mail) index.
        *(account_id, email, stamp(now)),
        *(account_id, ip, stamp(now - REFUSAL_WINDOW), REFUSALS),
        *(account_id, email, stamp(now - REFUSAL_WINDOW), REFUSALS),
    ]
    # The FROM clause's placeholders come after the select list's, in the text's order.
    if buyer.country:
        params += [buyer.country, account_id, COUNTRY_SAMPLE]
    params.append(account_id)
    row = _run(db, bool(buyer.country), params)
    return Facts(
        ip_recent=row[0],
        email_recent=row[1],
        email_before=row[2] > 0,
        refused=max(row[3], row[4]),
        country_seen=row[5],
        country_same=row[6],
        medium_from=row[7],
        high_from=row[8],
        weights=row[9],
    )
