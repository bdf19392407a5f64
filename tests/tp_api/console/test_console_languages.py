"""The console in English and Dutch: every sentence has its Dutch, and the page's language is
chosen by ``?lang=``, remembered, or taken from the browser."""

from __future__ import annotations

import re

import pytest

from tests.tp_api.console.support import sign_in
from tp_api.web import catalogue, languages

# Both kinds: a page's ``%(name)s`` and a refusal's ``{name}`` / ``{name!r}`` (errors.Said).
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdr]|\{(\w+(?:![rs])?)\}")


@pytest.fixture(scope="module")
def found():
    return catalogue.extract()


def test_every_sentence_of_the_console_has_its_dutch(found):
    template, untranslatable = found
    assert untranslatable == [], "use _('... %(name)s', name=...) instead of an f-string"
    dutch = languages.catalogue("nl")
    missing = [m.id for m in template if m.id and not isinstance(m.id, tuple)]
    missing = [english for english in missing if english not in dutch]
    assert missing == [], "run `make messages` and write their Dutch"


def test_the_dutch_catalogue_has_no_sentence_the_code_no_longer_says(found):
    template, _ = found
    said = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    stale = [english for english in languages.catalogue("nl") if english not in said]
    plural_forms = {m.id[1] for m in template if isinstance(m.id, tuple)}
    assert [s for s in stale if s not in plural_forms] == [], "run `make messages`"


def test_translations_keep_every_placeholder():
    for english, dutch in languages.catalogue("nl").items():
        assert sorted(PLACEHOLDER.findall(english)) == sorted(PLACEHOLDER.findall(dutch)), english


def test_a_language_asked_for_is_remembered(client):
    page = client.get("/console/sign-in?lang=nl")
    assert b'<html lang="nl">' in page.data
    assert b"Inloggen" in page.data
    assert "tp_lang=nl" in page.headers["Set-Cookie"]
    again = client.get("/console/sign-in")
    assert b'<html lang="nl">' in again.data
    assert b'hreflang="en"' in again.data  # the way back to English


def test_the_browser_language_is_used_when_none_was_asked_for(client):
    dutch = client.get("/console/sign-in", headers={"Accept-Language": "nl-BE,nl;q=0.9,en;q=0.5"})
    assert b'<html lang="nl">' in dutch.data
    other = client.get("/console/sign-in", headers={"Accept-Language": "fr-FR"})
    assert b'<html lang="en">' in other.data
    assert "Set-Cookie" not in other.headers


def test_an_unknown_language_is_ignored(client):
    page = client.get("/console/sign-in?lang=xx")
    assert page.status_code == 200
    assert b'<html lang="en">' in page.data


def test_domain_refusals_and_amounts_are_shown_in_dutch(client, factory):
    owner = factory.seller("Taal")
    user = factory.staff(owner)
    assert sign_in(client, user.email).status_code == 302
    page = client.get("/console/orders?lang=nl")
    assert page.status_code == 200
    assert b"Bestellingen" in page.data
    missing = client.get("/console/orders/999999?lang=nl")
    assert missing.status_code == 404
    assert languages.catalogue("nl")["Order not found"].encode() in missing.data


@pytest.mark.parametrize(
    "query", ["event_id=abc", "event_id=99999", "_method=PUT", "_anchor=x&_external=1"]
)
def test_the_language_link_keeps_the_page_whatever_its_query(client, factory, query):
    owner = factory.seller("Links")
    assert sign_in(client, factory.staff(owner).email).status_code == 302
    event = factory.event(owner)
    page = client.get(f"/console/events/{event.id}?{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" lang="nl"', html)
    assert link is not None
    assert link.group(1).startswith(f"/console/events/{event.id}?")
    assert link.group(1).endswith("lang=nl")


def test_a_refusal_with_values_is_said_in_dutch_with_the_same_values(client, factory):
    owner = factory.seller("Waarden")
    assert sign_in(client, factory.staff(owner).email).status_code == 302
    event = factory.event(owner, ticket_stock=10)
    ticket_type = factory.ticket_type(event)
    factory.order(owner, ticket_type, quantity=4)
    page = f"/console/events/{event.id}/edit?lang=nl"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).get_data(as_text=True))
    refused = client.post(
        f"/console/events/{event.id}/ticket-types/{ticket_type.id}",
        data={
            "csrf_token": token.group(1),
            "name": ticket_type.name,
            "price": "25",
            "quantity": "3",
            "minPerOrder": "1",
        },
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "aantal 3 is lager dan de 4 tickets die al verkocht of gereserveerd zijn" in html
    # The partner and admin APIs still say it in English, word for word.
    from tp_api.services.errors import Said

    said = Said("quantity {quantity} is below the {held} tickets", quantity=3, held=4)
    assert said == "quantity 3 is below the 4 tickets" and said.values == {"quantity": 3, "held": 4}
