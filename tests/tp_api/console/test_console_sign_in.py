"""Signing in to the console: passwords, lock-out, sessions and CSRF."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from tests.factories import STAFF_PASSWORD
from tests.tp_api.console.support import csrf_from, post_form, sign_in
from tp_api.models import SignInThrottle, StaffUser
from tp_api.services.credentials import staff_auth
from tp_api.services.errors import Conflict, InvalidInput, TooManyAttempts

EMAIL = "door.manager@example.com"


@pytest.fixture
def staff(factory):
    seller = factory.seller()
    return seller, factory.staff(seller, email=EMAIL)


def test_pages_need_a_signed_in_user(client, staff):
    response = client.get("/console/orders?q=smith")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/sign-in?next=")
    assert response.headers["Location"].endswith("next=/console/orders?q%3Dsmith")


def test_sign_in_then_back_to_the_page_asked_for(client, staff):
    response = sign_in(client, EMAIL, next="/console/orders?q=smith")
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/orders?q=smith"
    page = client.get("/console/orders?q=smith")
    assert page.status_code == 200
    assert EMAIL.encode() in page.data  # shown in the bar, with the sign-out button


@pytest.mark.real_password_hashing
def test_password_is_stored_as_argon2id_and_email_case_does_not_matter(client, factory):
    user = factory.staff(factory.seller(), email=EMAIL)
    # RFC 9106's second recommended profile: 64 MiB, three passes, four lanes.
    assert StaffUser.get_by_id(user.id).password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert STAFF_PASSWORD not in StaffUser.get_by_id(user.id).password_hash
    assert sign_in(client, "  Door.Manager@EXAMPLE.com ").status_code == 302


@pytest.mark.parametrize("next_url", ["https://evil.test/", "//evil.test/x", "/tp-api/events"])
def test_next_never_leaves_the_console(client, staff, next_url):
    response = sign_in(client, EMAIL, next=next_url)
    assert response.headers["Location"] == "/console/events"


def test_wrong_password_and_unknown_email_get_the_same_answer(client, staff):
    wrong = sign_in(client, EMAIL, "not the password at all")
    unknown = sign_in(client, "nobody@example.com", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    message = b"The e-mail address or password is wrong."
    assert message in wrong.data and message in unknown.data
    # The typed address is kept in the form, the password is not.
    assert b'value="door.manager@example.com"' in wrong.data
    assert b"not the password at all" not in wrong.data


def test_locked_after_five_wrong_passwords_even_for_the_right_one(client, staff, time_machine):
    time_machine.move_to("2026-12-01T10:00:00Z", tick=False)
    for _ in range(staff_auth.MAX_FAILED_LOGINS - 1):
        assert sign_in(client, EMAIL, "wrong password!!").status_code == 401
    locked = sign_in(client, EMAIL, "wrong password!!")
    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == str(staff_auth.LOCK_MINUTES * 60)
    assert b"Try again in 15 minutes" in locked.data
    assert sign_in(client, EMAIL).status_code == 429  # the right password does not probe it
    time_machine.shift(timedelta(minutes=staff_auth.LOCK_MINUTES, seconds=1))
    assert sign_in(client, EMAIL).status_code == 302
    assert SignInThrottle.get().failures == 0


def test_a_good_sign_in_resets_the_failure_count(client, staff):
    for _ in range(staff_auth.MAX_FAILED_LOGINS - 1):
        sign_in(client, EMAIL, "wrong password!!")
    assert sign_in(client, EMAIL).status_code == 302
    assert SignInThrottle.get().failures == 0


def test_sign_in_without_the_forms_token_is_refused(client, staff):
    client.get("/console/sign-in")
    response = client.post("/console/sign-in", data={"email": EMAIL, "password": STAFF_PASSWORD})
    assert response.status_code == 400
    assert b"did not come from this site" in response.data
    assert response.mimetype == "text/html"


def test_post_from_another_origin_is_refused_even_with_the_token(client, staff):
    sign_in(client, EMAIL)
    token = csrf_from(client.get("/console/shops").data)
    response = client.post(
        "/console/sign-out", data={"csrf_token": token}, headers={"Origin": "https://evil.test"}
    )
    assert response.status_code == 400
    assert client.get("/console/events").status_code == 200  # still signed in


def test_sign_out_ends_the_session(client, staff):
    sign_in(client, EMAIL)
    response = post_form(client, "/console/events", "/console/sign-out", {})
    assert response.status_code == 302
    assert client.get("/console/events").status_code == 302


def test_the_session_token_changes_at_sign_in(client, staff):
    before = csrf_from(client.get("/console/sign-in").data)
    sign_in(client, EMAIL)
    after = csrf_from(client.get("/console/events").data)
    assert before != after


def test_a_password_change_ends_other_sessions(app, client, staff):
    _, user = staff
    sign_in(client, EMAIL)
    assert client.get("/console/events").status_code == 200
    staff_auth.set_password(user.id, "a brand new password")
    assert client.get("/console/events").status_code == 302
    assert sign_in(client, EMAIL, "a brand new password").status_code == 302


def test_a_disabled_user_is_signed_out_and_cannot_sign_in(client, staff):
    _, user = staff
    sign_in(client, EMAIL)
    staff_auth.set_disabled(user.id, True)
    assert client.get("/console/events").status_code == 302
    assert sign_in(client, EMAIL).status_code == 401


def test_sessions_end_after_a_working_day(client, staff, time_machine):
    time_machine.move_to("2026-12-01T08:00:00Z", tick=False)
    sign_in(client, EMAIL)
    time_machine.shift(timedelta(hours=11))
    assert client.get("/console/events").status_code == 200
    time_machine.shift(timedelta(hours=2))
    assert client.get("/console/events").status_code == 302


def test_session_cookie_and_security_headers(app, client, staff):
    response = sign_in(client, EMAIL)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("tp_console=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/console/events")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"


def test_unknown_pages_and_huge_ids_are_html_404s(client, staff):
    sign_in(client, EMAIL)
    for path in ("/console/nothing-here", f"/console/orders/{2**63}", "/console/orders/999999"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "text/html"


def test_staff_rules(factory):
    seller = factory.seller()
    with pytest.raises(InvalidInput, match="at least 12"):
        staff_auth.create_staff(seller.id, "short@example.com", "short")
    with pytest.raises(InvalidInput, match="not an e-mail"):
        staff_auth.create_staff(seller.id, "no-at-sign", STAFF_PASSWORD)
    staff_auth.create_staff(seller.id, "Same@Example.com", STAFF_PASSWORD)
    with pytest.raises(Conflict):
        staff_auth.create_staff(seller.id, "same@example.com", STAFF_PASSWORD)
    # A megabyte password is refused cheaply, not hashed.
    with pytest.raises(staff_auth.SignInRefused):
        staff_auth.sign_in("same@example.com", "x" * 1_000_000)


def test_sign_in_attempts_are_rate_limited_per_address(db, settings, factory):
    from dataclasses import replace

    from config.wsgi import create_app

    app = create_app(replace(settings, rate_limit_signin="3/minute"))
    client = app.test_client()
    seller = factory.seller()
    factory.staff(seller, email=EMAIL)
    codes = [
        sign_in(client, "nobody@example.com", "wrong password!!").status_code for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    # Browsing (GET) is not counted.
    assert client.get("/console/sign-in").status_code == 200


def test_an_unknown_address_locks_exactly_like_a_known_one(client, staff):
    """Otherwise the lock-out would tell which addresses have accounts."""
    answers = {}
    for email in (EMAIL, "nobody@example.com"):
        codes = [sign_in(client, email, "wrong password!!") for _ in range(5)]
        answers[email] = [
            (r.status_code, r.get_data(as_text=True).count("Try again")) for r in codes
        ]
    assert answers[EMAIL] == answers["nobody@example.com"]
    assert [code for code, _ in answers[EMAIL]] == [401, 401, 401, 401, 429]


def test_guesses_sent_at_once_get_no_more_password_checks_than_the_limit(db, staff, monkeypatch):
    from tp_api.db import database

    checks = []
    real_verify = staff_auth._verify

    def counting_verify(password_hash, password):
        checks.append(password)
        return real_verify(password_hash, password)

    monkeypatch.setattr(staff_auth, "_verify", counting_verify)
    start = threading.Barrier(16)
    outcomes = []

    def attempt(password):
        with database.connection_context():
            start.wait(timeout=30)
            try:
                staff_auth.sign_in(EMAIL, password)
                outcomes.append("signed in")
            except staff_auth.SignInRefused:
                outcomes.append("refused")
            except TooManyAttempts:
                outcomes.append("locked")

    # All wrong: a right password would sign in and, rightly, reset the count.
    threads = [threading.Thread(target=attempt, args=(f"guess {n:04d}",)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 16
    assert len(checks) <= staff_auth.MAX_FAILED_LOGINS
    assert outcomes.count("locked") >= 16 - staff_auth.MAX_FAILED_LOGINS
    assert "signed in" not in outcomes
    with pytest.raises(TooManyAttempts):
        staff_auth.sign_in(EMAIL, STAFF_PASSWORD)


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app, client, staff):
    sign_in(client, EMAIL)
    cookie = client.get_cookie("tp_console").value
    thief = app.test_client()
    thief.set_cookie("tp_console", cookie)
    assert thief.get("/console/events").status_code == 200
    post_form(client, "/console/events", "/console/sign-out", {})
    assert thief.get("/console/events").status_code == 302


def test_a_session_does_not_pass_to_a_new_user_with_a_reused_id(app, client, factory, staff):
    _, user = staff
    sign_in(client, EMAIL)
    StaffUser.delete().where(StaffUser.id == user.id).execute()
    other = factory.seller("Another BV")
    factory.staff(other, email="new.person@example.com")  # SQLite hands out the same id
    assert client.get("/console/events").status_code == 302


def test_control_characters_are_refused_not_a_server_error(client, staff):
    response = sign_in(client, "a\x00@example.com", "whatever password")
    assert response.status_code == 401
