"""Finding an account's orders by a piece of the buyer's e-mail address or name.

The words searched are ``billing_email billing_first_name billing_last_name``, lower-cased,
so "jan jansen" finds Jan Jansen and "@example.nl" finds every buyer of that domain. A
trigram index holds them (migration 0020):

- PostgreSQL: ``pg_trgm`` (GIN) on the words, used by ``LIKE '%…%'``. The account's newest
  orders are looked through first (text many orders hold is found there at once); only when
  they hold too few is the index asked for the older ones, without an ORDER BY ... LIMIT
  that would tempt the planner into reading every older order newest first instead.
- SQLite: an FTS5 table whose rows are order ids. Its matches come newest first, a batch at
  a time, and each batch is narrowed to the account's orders that pass the other filters, so
  a page costs a few lookups whether the text is rare, in every order, or only in old ones.
Text under three characters has no trigram, and would be matched by reading every order:
it is refused with a request for more (a number or an order reference is looked up by its
own index, whatever its length).
"""

from __future__ import annotations

from typing import Any

import peewee

from tp_api.db import database, is_postgres
from tp_api.models import Order

# Trigrams: shorter text has none to look up.
SHORTEST_INDEXED = 3
# PostgreSQL: the account's newest orders looked through before the index is asked.
RECENT = 2000
# Order ids asked of the SQLite index at a time (newest first), and how many such batches
# before the rest is read from the account's own orders instead: text common in other
# accounts' orders but rare in this one would otherwise walk the whole index.
BATCH = 2000
MOST_BATCHES = 5


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
    if is_postgres():
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return peewee.Expression(words(), "LIKE", peewee.fn.LOWER(f"%{escaped}%"))
    # Lower-cased by the database on both sides: SQLite's LOWER folds ASCII only, and a
    # Python-lowered "ö" would then never meet a stored "Ö".
    return peewee.fn.instr(words(), peewee.fn.LOWER(text)) > 0


def uses_index(text: str) -> bool:
    """Whether ``text`` is searched through the trigram index (:func:`newest_matching`)."""
    return len(text) >= SHORTEST_INDEXED


def newest_matching(
    text: str, query: peewee.ModelSelect[Order], count: int, before: int | None
) -> list[Order]:
    """Up to ``count`` orders of ``query`` (the account's, with its other filters) whose
    words hold ``text``, newest first and older than the row id ``before``."""
    if is_postgres():
        return _newest_matching_postgres(text, query, count)
    found: list[Order] = []
    below = before
    for _ in range(MOST_BATCHES):
        batch = _holders(text.lower(), below)
        narrowed = query.where(Order.id.in_(batch)).order_by(Order.id.desc())
        found += list(narrowed.limit(count - len(found))) if batch else []
        if len(found) >= count or len(batch) < BATCH:
            return found
        below = batch[-1]
    rest = query.where(text_match(text) & (Order.id < below)).order_by(Order.id.desc())
    return found + list(rest.limit(count - len(found)))


def _newest_matching_postgres(
    text: str, query: peewee.ModelSelect[Order], count: int
) -> list[Order]:
    # ``query`` already holds the account, the other filters and the cursor's ``id < before``.
    # Its newest RECENT orders are read first: text many orders hold is found there at once.
    # They lie between ``floor`` and ``top``, the account's newest id: reading down from
    # there skips the newer orders of other accounts.
    top = query.select(peewee.fn.MAX(Order.id)).scalar()
    if top is None:
        return []
    mine = query.where(Order.id <= top)
    floor = mine.select(Order.id).order_by(Order.id.desc()).offset(RECENT - 1).limit(1).scalar()
    if floor is None:  # fewer orders than RECENT: read them all
        return list(mine.where(_held(text)).order_by(Order.id.desc()).limit(count))
    recent = mine.where((Order.id >= floor) & _held(text)).order_by(Order.id.desc())
    found = list(recent.limit(count))
    if len(found) >= count:
        return found
    # LIKE, and no ORDER BY ... LIMIT: the planner takes the trigram index for the rest.
    older = query.select(Order.id).where(text_match(text) & (Order.id < floor))
    newest = sorted((row.id for row in older), reverse=True)[: count - len(found)]
    if not newest:
        return found
    return found + list(Order.select().where(Order.id.in_(newest)).order_by(Order.id.desc()))


def _held(text: str) -> Any:
    """The same test as :func:`text_match` in a form no index serves (``strpos``): for a
    range of ids already narrow, where the planner would otherwise prefer the trigram index
    over reading those few rows."""
    return peewee.fn.strpos(words(), peewee.fn.LOWER(text)) > 0


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
