"""Migrations from 0030 on leave the release still serving working (docs/deploy/upgrades.md):
no column added NOT NULL with its default in Python only, which makes the old release's
inserts fail while the new one is not yet running. 0001-0029 predate the rule; upgrades.md
lists which of them need a stop."""

from __future__ import annotations

import ast
from pathlib import Path

import tp_api.migrations

FIRST_CHECKED = 30
FOLDER = Path(tp_api.migrations.__file__).parent


def unsafe_columns(source: str) -> list[str]:
    """The columns ``source`` adds with ``migrator.add_column(table, name, SomeField(...))``
    that are neither nullable nor given a database default in one statement: peewee does
    that with ``constraints=[SQL("DEFAULT ...")]`` and ``allow_not_null=True`` (without the
    latter it adds the column nullable, fills it and then sets NOT NULL, with no default in
    the database). Raw ``ALTER TABLE ... NOT NULL DEFAULT ...`` (0023, 0025) is not read."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_column"
            and len(node.args) >= 3
            and isinstance(node.args[2], ast.Call)
        ):
            continue
        keywords = {k.arg: k.value for k in node.args[2].keywords}
        nullable = _true(keywords.get("null"))
        in_one_statement = "constraints" in keywords and _true(
            {k.arg: k.value for k in node.keywords}.get("allow_not_null")
        )
        if not nullable and not in_one_statement:
            found.append(ast.literal_eval(node.args[1]))
    return found


def _true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def test_new_migrations_add_no_column_the_running_release_cannot_insert_without():
    checked = [p for p in sorted(FOLDER.glob("[0-9]*.py")) if int(p.name[:4]) >= FIRST_CHECKED]
    unsafe = {p.name: cols for p in checked if (cols := unsafe_columns(p.read_text()))}
    assert not unsafe, f"give these columns null=True or a database DEFAULT: {unsafe}"


def test_the_check_knows_a_python_only_default_from_a_database_one():
    # 0028 added event.send_reminders with a Python default: the kind of column refused.
    assert unsafe_columns((FOLDER / "0028_reminders.py").read_text()) == ["send_reminders"]
    safe = """
migrator.add_column("event", "a", pw.BooleanField(null=True))
migrator.add_column("event", "b", pw.BooleanField(constraints=[pw.SQL("DEFAULT TRUE")]),
                    allow_not_null=True)
"""
    assert unsafe_columns(safe) == []
    # The same constraint without allow_not_null: peewee fills and tightens it (unsafe).
    assert unsafe_columns(safe.replace(",\n                    allow_not_null=True", "")) == ["b"]
    assert unsafe_columns('migrator.add_column("t", "c", pw.IntegerField(default=0))') == ["c"]
