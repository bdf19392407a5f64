"""Finding an account's orders by a piece of the buyer's e-mail address or name.

The words searched are ``billing_email billing_first_name billing_last_name``, lower-cased,
so "jan jansen" finds Jan Jansen and "@example.nl" finds every buyer of that domain. A
trigram index holds them (migration 0020):

- PostgreSQL: ``pg_trgm`` (GIN) on the words; ``LIKE '%…%'`` uses it, and the planner weighs
  it against reading the newest orders first.
- SQLite: an FTS5 table whose rows are order ids. Its matches come newest first, a batch at
  a time, and each batch is narrowed to the account's orders that pass the other filters, so
  a page costs a few lookups whether the text is rare, in every order, or only in old ones.
  Text under three characters has no trigram: it is matched while reading the newest orders.
"""

from __future__ import annotations

from typing import Any

import peewee

from tp_api.db import database, is_postgres
from tp_api.models import Order

# Trigrams: shorter text has none to look up.
SHORTEST_INDEXED = 3
# Order ids asked of the SQLite index at a time (newest first).
BATCH = 2000


def words() -> peewee.Node:
    """The searched words of an order, spelled as the index spells them."""
    space = peewee.SQL("|| ' ' ||")
    return peewee.fn.LOWER(
        peewee.NodeList(
            (Order.billing_email, space, Order.billing_first_name, space, Order.billing_last_name)
        )
    )


def text_match(text: str) -> Any:
    """A condition on orders: their words hold ``text`` (any case). On PostgreSQL the
    trigram index serves it; on SQLite it reads the orders (see :func:`uses_index`)."""
    wanted = text.lower()
    if is_postgres():
        escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return peewee.Expression(words(), "LIKE", f"%{escaped}%")
    return peewee.fn.instr(words(), wanted) > 0


def uses_index(text: str) -> bool:
    """Whether ``text`` is searched through SQLite's FTS5 index (:func:`newest_matching`)."""
    return not is_postgres() and len(text) >= SHORTEST_INDEXED


def newest_matching(
    text: str, query: peewee.ModelSelect[Order], count: int, before: int | None
) -> list[Order]:
    """Up to ``count`` orders of ``query`` (the account's, with its other filters) whose
    words hold ``text``, newest first and older than the row id ``before``."""
    found: list[Order] = []
    below = before
    while len(found) < count:
        batch = _holders(text.lower(), below)
        if not batch:
            break
        narrowed = query.where(Order.id.in_(batch)).order_by(Order.id.desc())
        found += list(narrowed.limit(count - len(found)))
        if len(batch) < BATCH:
            break
        below = batch[-1]
    return found


def _holders(wanted: str, below: int | None) -> list[int]:
    """The ids of the newest ``BATCH`` orders (any account) under ``below`` whose words hold
    ``wanted``: a phrase of trigrams matches exactly the text that holds it."""
    phrase = '"' + wanted.replace('"', '""') + '"'
    cursor = database.execute_sql(
        'SELECT rowid FROM "order_search" WHERE "order_search" MATCH ? AND rowid < ? '
        "ORDER BY rowid DESC LIMIT ?",
        (phrase, below if below is not None else 2**63 - 1, BATCH),
    )
    return [row_id for (row_id,) in cursor.fetchall()]
