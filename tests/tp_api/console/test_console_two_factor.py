"""Two-factor sign-in in the console: turned on with a code from the app (recovery codes
shown once), then signing in needs the password and a code; a code works once, a recovery
code works once, wrong codes lock the address like wrong passwords, and turning it off
needs a code."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest

from tests.factories import STAFF_PASSWORD
from tests.tp_api.console.support import csrf_from, page_text, post_form, sign_in
from tp_api.db import utcnow
from tp_api.models import AuditEntry, StaffUser

EMAIL = "two@example.com"


@pytest.fixture
def user(factory):
    return factory.staff(factory.seller("Two Factor BV"), email=EMAIL)


def _turn_on(client, time_machine) -> tuple[pyotp.TOTP, list[str]]:
    assert sign_in(client, EMAIL).status_code == 302
    setup = post_form(client, "/console/account", "/console/account/two-factor/start", {})
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', setup.get_data(as_text=True)).group(1)
    totp = pyotp.TOTP(secret)
    wrong = post_form(
        client,
        "/console/account",
        "/console/account/two-factor/enable",
        {"secret": secret, "code": "000000"},
    )
    assert wrong.status_code == 400 and "does not match" in page_text(wrong)
    done = post_form(
        client,
        "/console/account",
        "/console/account/two-factor/enable",
        {"secret": secret, "code": totp.now()},
    )
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{10})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    client.post(
        "/console/sign-out", data={"csrf_token": csrf_from(client.get("/console/account").data)}
    )
    time_machine.shift(timedelta(seconds=31))  # the next code: the one used is spent
    return totp, codes


def _code_step(client, code: str):
    return post_form(client, "/console/sign-in/code", "/console/sign-in/code", {"code": code})


def test_signing_in_needs_the_code_after_the_password(client, user, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    totp, _ = _turn_on(client, time_machine)
    first = sign_in(client, EMAIL)
    assert first.headers["Location"].endswith("/console/sign-in/code")
    assert client.get("/console/events").status_code == 302  # not signed in yet
    wrong = _code_step(client, "123456")
    assert wrong.status_code == 401 and "The code is wrong" in page_text(wrong)
    right = _code_step(client, totp.now())
    assert right.status_code == 302 and right.headers["Location"].endswith("/console/events")
    assert client.get("/console/events").status_code == 200
    assert AuditEntry.get(AuditEntry.action == "staff.two_factor_on").actor_label == EMAIL


def test_a_code_works_once_and_a_recovery_code_once(client, user, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    totp, codes = _turn_on(client, time_machine)
    code = totp.now()
    sign_in(client, EMAIL)
    assert _code_step(client, code).status_code == 302
    client.post(
        "/console/sign-out", data={"csrf_token": csrf_from(client.get("/console/events").data)}
    )
    sign_in(client, EMAIL)
    assert _code_step(client, code).status_code == 401  # replayed
    assert _code_step(client, codes[0]).status_code == 302
    client.post(
        "/console/sign-out", data={"csrf_token": csrf_from(client.get("/console/events").data)}
    )
    sign_in(client, EMAIL)
    assert _code_step(client, codes[0]).status_code == 401  # spent


def test_wrong_codes_lock_and_the_password_does_not_unlock(client, user, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    totp, _ = _turn_on(client, time_machine)
    answers = []
    for _ in range(6):
        sign_in(client, EMAIL)  # a right password must not reset the count
        answers.append(_code_step(client, "000000").status_code)
    assert 429 in answers
    sign_in(client, EMAIL)
    assert _code_step(client, totp.now()).status_code in (302, 429)
    assert sign_in(client, EMAIL, STAFF_PASSWORD).status_code == 429  # the address is locked


def test_the_code_step_expires_and_turning_off_needs_a_code(client, user, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    totp, codes = _turn_on(client, time_machine)
    sign_in(client, EMAIL)
    time_machine.shift(timedelta(minutes=6))
    late = client.get("/console/sign-in/code")
    assert late.status_code == 302 and "/console/sign-in" in late.headers["Location"]
    sign_in(client, EMAIL)
    assert _code_step(client, codes[1]).status_code == 302
    refused = post_form(
        client, "/console/account", "/console/account/two-factor/disable", {"code": "000000"}
    )
    assert refused.status_code == 400
    off = post_form(
        client, "/console/account", "/console/account/two-factor/disable", {"code": codes[2]}
    )
    assert off.status_code == 302
    assert StaffUser.get_by_id(user.id).totp_secret_enc is None
