"""Cheaper app construction for the suite: URL builders compiled on first use.

``create_app`` runs for most tests, and ~90 % of its cost is Werkzeug compiling two URL
builder functions (through ``ast`` and ``compile``) for each of the ~80 routes, although a
test builds URLs for a handful of them. This rule class defers that compilation to the first
``url_for`` of each route; matching, and the built URLs, are unchanged. It is installed for
the test process only (``tests/conftest.py``): the service, and the suite's subprocess
servers, use Werkzeug's own rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    """A :class:`werkzeug.routing.Rule` whose URL builders compile when first called."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compile_real = super()._compile_builder
        compiled: list[Callable[..., tuple[str, str]]] = []

        def build(rule: Rule, *args: Any, **kwargs: Any) -> tuple[str, str]:
            if not compiled:
                compiled.append(compile_real(append_unknown).__get__(rule, None))
            return compiled[0](*args, **kwargs)

        return build
