"""Finding an account's orders by a piece of the buyer's e-mail address or name.

The words searched are ``billing_email billing_first_name billing_last_name``, lower-cased,
so "jan jansen" finds Jan Jansen and "@example.nl" finds every buyer of that domain. A
trigram index holds them (migration 0020): ``pg_trgm`` on PostgreSQL, which the planner
weighs against reading the newest orders first; an FTS5 table on SQLite, which we ask
first, and whose answer decides the plan: a rare piece of text is looked up by its order
ids, a common one (or one under three characters, too short for a trigram) is matched
while reading the newest orders, which finds a page of matches within a few rows.
"""

from __future__ import annotations

from typing import Any

import peewee

from tp_api.db import database, is_postgres
from tp_api.models import Order

# Trigrams: shorter text has none to look up.
SHORTEST_INDEXED = 3
# More orders than this hold the text: reading the newest orders finds a page sooner than
# fetching every one of them by id would.
COMMON = 2000


def words() -> peewee.Node:
    """The searched words of an order, spelled as the index spells them."""
    space = peewee.SQL("|| ' ' ||")
    return peewee.fn.LOWER(
        peewee.NodeList(
            (Order.billing_email, space, Order.billing_first_name, space, Order.billing_last_name)
        )
    )


def text_match(text: str) -> Any:
    """A condition on orders: their words hold ``text`` (any case)."""
    wanted = text.lower()
    if is_postgres():
        escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return peewee.Expression(words(), "LIKE", f"%{escaped}%")
    if len(wanted) >= SHORTEST_INDEXED:
        holders = _sqlite_holders(wanted)
        if len(holders) <= COMMON:
            return Order.id.in_(holders) if holders else peewee.SQL("0 = 1")
    return peewee.fn.instr(words(), wanted) > 0


def _sqlite_holders(wanted: str) -> list[int]:
    """Up to ``COMMON + 1`` ids of orders (any account) whose words hold ``wanted``: a phrase
    of trigrams matches exactly the text that holds it."""
    phrase = '"' + wanted.replace('"', '""') + '"'
    cursor = database.execute_sql(
        'SELECT rowid FROM "order_search" WHERE "order_search" MATCH ? LIMIT ?',
        (phrase, COMMON + 1),
    )
    return [row_id for (row_id,) in cursor.fetchall()]
