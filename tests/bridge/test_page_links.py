"""Links to the "my tickets" page: signed, expiring, rotatable, bound to their purpose."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeTimedSerializer

from bridge.page_links import (
    SALT,
    MyTicketsLinks,
    PageClaims,
    PageLinkExpired,
    PageLinkInvalid,
)
from pdf.signing import FileLinkSigner

T0 = "2026-06-01T10:00:00Z"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def test_a_link_reads_back_what_was_signed(clock):
    links = MyTicketsLinks(["current-secret"])
    token = links.sign(12, 7, "nl_NL")
    assert links.read(token) == PageClaims(account_id=12, wp_user_id=7, locale="nl_NL")
    # URL-safe: it goes into a path segment as it is.
    assert all(c.isalnum() or c in "-_." for c in token)


def test_a_link_expires_after_its_lifetime_and_says_so(clock):
    links = MyTicketsLinks(["current-secret"], max_age_s=3 * 86400)
    token = links.sign(12, 7, "nl")
    clock.shift(3 * 86400)
    assert links.read(token).wp_user_id == 7
    clock.shift(1)
    with pytest.raises(PageLinkExpired) as expired:
        links.read(token)
    # The expired link still names its language, so the page can answer in it.
    assert expired.value.claims == PageClaims(12, 7, "nl")
    # Expired and invalid are kept apart: one handler cannot swallow the other by accident.
    assert not isinstance(expired.value, PageLinkInvalid)


def test_the_default_lifetime_is_thirty_days(clock):
    links = MyTicketsLinks(["s"])
    token = links.sign(1, 2)
    clock.shift(30 * 86400)
    assert links.read(token) == PageClaims(1, 2, "")
    clock.shift(1)
    with pytest.raises(PageLinkExpired):
        links.read(token)


def test_rotation_newest_key_signs_and_all_keys_verify(clock):
    old = MyTicketsLinks(["old-secret"])
    rotated = MyTicketsLinks(["new-secret", "old-secret"])
    sent_before = old.sign(3, 4, "en")
    assert rotated.read(sent_before) == PageClaims(3, 4, "en")
    sent_after = rotated.sign(3, 4, "en")
    assert MyTicketsLinks(["new-secret"]).read(sent_after) == PageClaims(3, 4, "en")
    with pytest.raises(PageLinkInvalid):
        old.read(sent_after)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"),
        lambda t: t.replace(".", "x", 1),
        lambda t: t + "A",
        lambda t: t[: len(t) // 2],
        lambda t: "",
        lambda t: "A" * 600,
    ],
)
def test_altered_tokens_are_invalid(clock, mutate):
    links = MyTicketsLinks(["s"])
    with pytest.raises(PageLinkInvalid):
        links.read(mutate(links.sign(12, 7, "nl")))


def test_another_purpose_with_the_same_secret_is_refused(clock):
    # A download-link secret (same TP_SECRET_KEY, another salt) is not a page link.
    file_secret = FileLinkSigner(["s"]).sign("ticket_abc.png", "1")
    with pytest.raises(PageLinkInvalid):
        MyTicketsLinks(["s"]).read(file_secret)


@pytest.mark.parametrize(
    "payload",
    [
        [12, 7],
        [12, 7, "nl", "extra"],
        {"account_id": 12},
        [True, 7, "nl"],
        [12, False, "nl"],
        ["12", 7, "nl"],
        [0, 7, "nl"],
        [12, -1, "nl"],
        [12, 7, "nl<script>"],
        [12, 7, None],
        [2**53, 7, "nl"],
    ],
)
def test_genuinely_signed_but_malformed_payloads_are_invalid(clock, payload):
    token = URLSafeTimedSerializer("s", salt=SALT).dumps(payload)
    with pytest.raises(PageLinkInvalid):
        MyTicketsLinks(["s"]).read(token)


@pytest.mark.parametrize("locale", ["nl", "nl_NL", "nl-BE", "en", "", "zh-Hant-TW"])
def test_locales_that_can_be_signed(clock, locale):
    links = MyTicketsLinks(["s"])
    assert links.read(links.sign(1, 7, locale)).locale == locale


@pytest.mark.parametrize(
    ("sent", "signed"),
    [
        ("en_US.UTF-8", "en_US"),
        ("nl NL", "nl"),
        (" nl-BE ", "nl-BE"),
        ("n", ""),
        ("x" * 40, ""),
        ("<script>", ""),
        ("", ""),
    ],
)
def test_only_the_leading_language_tag_of_a_shops_locale_is_signed(clock, sent, signed):
    # An odd locale from a shop must not stop the ticket e-mail that carries the link.
    links = MyTicketsLinks(["s"])
    assert links.read(links.sign(12, 7, sent)).locale == signed


@pytest.mark.parametrize(("account_id", "wp_user_id"), [(0, 7), (12, -1), (2**53, 7), (True, 7)])
def test_ids_out_of_range_are_not_signed(account_id, wp_user_id):
    with pytest.raises(ValueError):
        MyTicketsLinks(["s"]).sign(account_id, wp_user_id, "nl")


@pytest.mark.parametrize("secrets", [[], [""], ["s", ""]])
def test_a_secret_is_required(secrets):
    with pytest.raises(ValueError):
        MyTicketsLinks(secrets)


def test_the_guest_user_id_0_can_neither_be_signed_nor_read():
    """WooCommerce gives every guest the user id 0: one shared identity, never a page."""
    links = MyTicketsLinks(["k" * 40])
    with pytest.raises(ValueError):
        links.sign(1, 0, "nl")
    forged = links._serializer.dumps([1, 0, "nl"])
    with pytest.raises(PageLinkInvalid):
        links.read(forged)
