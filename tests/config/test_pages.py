"""Composition of the "my tickets" page: its settings, links signed from TP_SECRET_KEY (and the
old keys), their lifetime, and `tp-bridge my-tickets link`."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from bridge.page_links import MyTicketsLinks, PageClaims
from config.cli import main
from config.settings import Settings, SettingsError
from config.tickets import my_tickets_links, my_tickets_url
from config.wsgi import create_app
from tp_api.db import connect

SECRET = "a-production-secret-that-is-long-enough-0123456789"


@pytest.fixture
def run(db_url):
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None):
        base = {"TP_DATABASE_URL": db_url, "TP_PUBLIC_URL": "https://tickets.example"}
        return runner.invoke(main, list(args), env={**base, **(env or {})})

    yield invoke
    connect(db_url).close_all()


def test_the_cli_prints_a_link_that_opens_the_customers_page(run, factory, settings):
    seller = factory.seller("Festival BV")
    factory.order(seller, factory.ticket_type(factory.event(seller)), wp_user_id=7)
    result = run(
        "my-tickets",
        "link",
        "--account",
        "Festival BV",
        "--wp-user-id",
        "7",
        "--locale",
        "nl_NL",
        env={"TP_SECRET_KEY": SECRET},
    )
    assert result.exit_code == 0, result.output
    url = urlsplit(result.output.strip())
    assert (url.scheme, url.netloc) == ("https", "tickets.example")
    prefix, token = url.path.rsplit("/", 1)
    assert prefix == "/my-tickets"
    assert MyTicketsLinks([SECRET]).read(token) == PageClaims(seller.id, 7, "nl_NL")

    app = create_app(dataclasses.replace(settings, secret_key=SECRET))
    page = app.test_client().get(url.path)
    assert page.status_code == 200
    assert "Mijn tickets" in page.get_data(as_text=True)


def test_the_cli_refuses_what_cannot_make_a_working_link(run, factory):
    factory.seller("Festival BV")
    args = ["my-tickets", "link", "--account", "Festival BV", "--wp-user-id", "7"]
    no_secret = run(*args, env={"TP_SECRET_KEY": ""})
    assert no_secret.exit_code == 1 and "TP_SECRET_KEY is not set" in no_secret.output
    unknown = run(*args[:3], "Nobody", *args[4:], env={"TP_SECRET_KEY": SECRET})
    assert unknown.exit_code == 1 and "Account 'Nobody' not found" in unknown.output
    posix = run(*args, "--locale", "nl_NL.UTF-8", env={"TP_SECRET_KEY": SECRET})
    token = posix.output.strip().rsplit("/", 1)[1]
    assert MyTicketsLinks([SECRET]).read(token).locale == "nl_NL"
    negative = run(*args[:-2], "--wp-user-id=-1", env={"TP_SECRET_KEY": SECRET})
    assert negative.exit_code == 2 and "-1 is not in the range" in negative.output
    dev = run(*args, "--dev", env={"TP_SECRET_KEY": ""})
    assert dev.exit_code == 0 and "/my-tickets/" in dev.output


def test_links_follow_the_configured_lifetime(client, factory, settings, time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    seller = factory.seller()
    factory.order(seller, factory.ticket_type(factory.event(seller)), wp_user_id=7)
    short = dataclasses.replace(settings, my_tickets_link_days=2)
    app = create_app(short)
    path = urlsplit(my_tickets_url(short, seller.id, 7)).path
    time_machine.shift(2 * 86400)
    assert app.test_client().get(path).status_code == 200
    time_machine.shift(1)
    assert app.test_client().get(path).status_code == 410


def test_links_signed_before_a_key_rotation_keep_working(factory, settings):
    seller = factory.seller()
    factory.order(seller, factory.ticket_type(factory.event(seller)), wp_user_id=7)
    before = urlsplit(my_tickets_url(settings, seller.id, 7)).path
    rotated = dataclasses.replace(
        settings,
        secret_key="a-new-secret-key-that-is-long-enough-98765",
        old_secret_keys=(settings.secret_key,),
    )
    client = create_app(rotated).test_client()
    assert client.get(before).status_code == 200
    after = urlsplit(my_tickets_url(rotated, seller.id, 7)).path
    assert client.get(after).status_code == 200
    # New links are signed with the new key only.
    token = after.rsplit("/", 1)[1]
    assert MyTicketsLinks([rotated.secret_key]).read(token).account_id == seller.id
    without_old = dataclasses.replace(rotated, old_secret_keys=())
    assert create_app(without_old).test_client().get(before).status_code == 404
    assert my_tickets_links(without_old).max_age_s == 30 * 86400


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("", True),
        ("https://shop.example/css/tickets.css?v=2", True),
        ("http://localhost:8080/t.css", True),
        ("ftp://shop.example/t.css", False),
        ("shop.example/t.css", False),
        ("https://shop.example;script-src */t.css", False),
        ("https://shop.example/t.css' unsafe-inline", False),
        ("https://user@shop.example/t.css", False),
    ],
)
def test_the_stylesheet_setting_is_an_http_url_or_empty(value, ok):
    env = {"TP_MY_TICKETS_STYLESHEET": value}
    if ok:
        assert Settings.from_env(env).my_tickets_stylesheet == value
    else:
        with pytest.raises(SettingsError, match="TP_MY_TICKETS_STYLESHEET"):
            Settings.from_env(env)


def test_the_link_lifetime_setting():
    assert Settings.from_env({}).my_tickets_link_days == 30
    assert Settings.from_env({"TP_MY_TICKETS_LINK_DAYS": "7"}).my_tickets_link_days == 7
    for bad in ("0", "seven"):
        with pytest.raises(SettingsError, match="TP_MY_TICKETS_LINK_DAYS"):
            Settings.from_env({"TP_MY_TICKETS_LINK_DAYS": bad})
