"""The language of the staff pages (the console, and the door app after it): English or Dutch.

The texts live in gettext catalogues keyed by the English sentence
(``tp_api/web/translations/<lang>/LC_MESSAGES/messages.po``), not in a dict per page as the
customer's "my tickets" page has them: the console has hundreds of sentences over dozens of
templates, and a catalogue lets the templates read as English, lets ``make messages`` find
every new sentence, and lets a translator use the usual .po tools. A test fails when a
sentence has no Dutch.

The language is chosen per request: ``?lang=`` (kept in a cookie for a year), else the
cookie, else the browser's ``Accept-Language``, else English.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from flask import Blueprint, Response, g, request
from flask.blueprints import BlueprintSetupState
from flask.sansio.app import App

from tp_api.services.errors import Said

DEFAULT_LANGUAGE = "en"
# Each language in its own words, for the switch on every page.
LANGUAGES = {"en": "English", "nl": "Nederlands"}
COOKIE = "tp_lang"
COOKIE_SECONDS = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).parent / "translations"


@cache
def catalogue(language: str) -> dict[str, str]:
    """The translated sentences of ``language`` by their English text (empty for English).

    Sentences a translator marked fuzzy or left blank are not used: English shows instead.
    """
    path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not path.exists():
        return {}
    with path.open("rb") as handle:
        messages = read_po(handle, locale=language)
    found: dict[str, str] = {}
    for message in messages:
        if not message.id or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english, words in zip(ids, strings, strict=False):  # singular, plural
            if isinstance(english, str) and isinstance(words, str) and words:
                found[english] = words
    return found


def current() -> str:
    """This request's language (English outside a request that chose one)."""
    return str(g.get("page_language", DEFAULT_LANGUAGE))


def translated(message: str) -> str:
    """``message`` in this request's language, as it is: the words of a refusal raised by
    the domain (which speaks English to every caller) pass through here on a page; one
    raised as a :class:`~tp_api.services.errors.Said` is looked up by its words and filled
    in with its values."""
    if isinstance(message, Said):
        words = catalogue(current()).get(message.template)
        return words.format(**message.values) if words else str(message)
    return catalogue(current()).get(message, message)


def _(message: str, **values: Any) -> str:
    """A sentence of a page in this request's language, with ``%(name)s`` filled from
    ``values``: ``_("Saved: %(name)s.", name=event.name)``."""
    text = translated(message)
    return text % values if values else text


def N_(message: str) -> str:
    """Marks a sentence for the catalogue where it is defined (a table of names); it is
    translated where it is shown, with :func:`translated`."""
    return message


def ngettext(singular: str, plural: str, count: int, **values: Any) -> str:
    """The singular or plural sentence for ``count`` (Dutch and English share the rule),
    with ``%(num)d`` set to ``count``."""
    text = translated(singular if count == 1 else plural)
    return text % {"num": count, **values}


def choose(args_language: str | None, cookie: str | None, accept: Any) -> str:
    """The language for a request: asked for, remembered, or what the browser prefers."""
    for wish in (args_language, cookie):
        if wish in LANGUAGES:
            return str(wish)
    return str(accept.best_match(list(LANGUAGES), default=DEFAULT_LANGUAGE))


def use_request_language() -> None:
    """Pick this request's language (a ``before_request`` of the staff blueprints)."""
    g.page_language = choose(
        request.args.get("lang"), request.cookies.get(COOKIE), request.accept_languages
    )


def remember_language(response: Response) -> Response:
    """Keep a language asked for with ``?lang=`` (an ``after_request``)."""
    asked = request.args.get("lang")
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(
            COOKIE,
            asked,
            max_age=COOKIE_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


def serve_pages_in_language(bp: Blueprint, headers: Mapping[str, str]) -> None:
    """Make ``bp`` a blueprint of pages in the request's language (the door app, the hosted
    waiting room): the language chosen per request and remembered, ``_()`` in its
    templates, and ``headers`` (its Content-Security-Policy...) on every response."""

    @bp.before_request
    def _language() -> None:
        use_request_language()

    @bp.after_request
    def _headers(response: Response) -> Response:
        response = remember_language(response)
        response.headers.update(headers)
        return response

    @bp.record_once
    def _install(state: BlueprintSetupState) -> None:
        install(state.app)


def install(app: App) -> None:
    """Give the app's templates ``_()``, ``ngettext()`` and ``{% trans %}`` in the page's
    language. Jinja fills ``%(name)s`` itself after escaping the values, so a literal per
    cent sign in a template's sentence is written ``%%``."""
    if "jinja2.ext.InternationalizationExtension" in app.jinja_env.extensions:
        return
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        translated,
        lambda singular, plural, count: translated(singular if count == 1 else plural),
        newstyle=True,
    )
