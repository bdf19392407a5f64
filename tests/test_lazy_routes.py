"""The suite's lazily compiled URL builders build exactly what Werkzeug's own rules build."""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.routing import BuildError, IntegerConverter, Rule

from config.wsgi import create_app
from tests.lazy_routes import LazyBuilderRule


def _urls(app: Flask) -> dict[str, str]:
    urls = {}
    adapter = app.url_map.bind("tickets.test")
    for rule in app.url_map.iter_rules():
        values = {
            name: 7 if isinstance(converter, IntegerConverter) else "a b/é"
            for name, converter in rule._converters.items()
        }
        values["extra"] = "x&y"  # an unknown argument goes to the query string
        urls[rule.endpoint] = adapter.build(rule.endpoint, values, force_external=True)
    return urls


def test_every_route_builds_the_same_url_as_werkzeugs_rule(db, settings, monkeypatch):
    lazy = create_app(settings)
    monkeypatch.setattr(Flask, "url_rule_class", Rule)
    real = create_app(settings)
    assert all(type(r) is LazyBuilderRule for r in lazy.url_map.iter_rules())
    assert all(type(r) is Rule for r in real.url_map.iter_rules())
    assert len(_urls(real)) > 50
    assert _urls(lazy) == _urls(real)


def test_a_missing_argument_still_fails_to_build(app):
    rule = next(r for r in app.url_map.iter_rules() if r.arguments)
    with pytest.raises(BuildError):
        app.url_map.bind("tickets.test").build(rule.endpoint, {})
