"""Counting the SQL statements a piece of code runs (for "no query per row" tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tp_api.db import database


@contextmanager
def count_queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Yields a list that collects every statement run on the bound database meanwhile
    (transaction control statements excluded)."""
    statements: list[str] = []
    real = database.obj.execute_sql

    def counting(sql: str, params: object = None, *args: object, **kwargs: object) -> object:
        if (
            not sql.lstrip()
            .upper()
            .startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))
        ):
            statements.append(sql)
        return real(sql, params, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(database.obj, "execute_sql", counting)
        yield statements
