"""Staff users from the console: an owner invites a door user, the invitation arrives by
e-mail (a real SMTP server on loopback), the link sets a password once, the new user is
signed in and kept out of the event editor; password resets; the last owner stays."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlsplit

import pytest

from config.workers import outbox_worker
from tests.factories import STAFF_PASSWORD
from tests.tp_api.console.support import page_text, post_form, sign_in
from tests.webhooks.support import drain
from tp_api.models import AuditEntry, StaffUser
from tp_api.services.credentials import staff_auth
from tp_api.services.errors import TicketingError

NEW_PASSWORD = "a door password of some length"


@pytest.fixture
def mail(settings, smtp):
    controller, inbox = smtp
    configured = dataclasses.replace(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=controller.port,
        mail_from="console@festival.test",
    )
    worker = outbox_worker(configured)

    def delivered() -> list:
        drain(worker)
        return inbox.messages

    return delivered


def _link(message) -> str:
    body = message.get_payload(decode=True).decode()
    found = re.search(r"https?://\S+/console/set-password\?token=\S+", body)
    assert found, body
    parts = urlsplit(found.group(0))
    return f"{parts.path}?{parts.query}"


def _set_password(client, link: str, password: str = NEW_PASSWORD):
    return post_form(client, link, "/console/set-password", {
        "token": link.split("token=", 1)[1], "password": password, "again": password,
    })  # fmt: skip


def test_invite_a_door_user_who_sets_a_password_and_is_kept_to_the_door(app, client, seller, mail):
    invited = post_form(
        client,
        "/console/staff",
        "/console/staff",
        {"email": "Gate@Example.com", "name": "Gate", "role": "door"},
    )
    assert invited.status_code == 302, page_text(invited)
    user = StaffUser.get(StaffUser.email == "gate@example.com")
    with pytest.raises(TicketingError):
        staff_auth.sign_in("gate@example.com", "any password at all")  # none until the link

    [message] = mail()
    assert message["To"] == "gate@example.com" and "Console Seller" in message["Subject"]
    link = _link(message)
    newcomer = app.test_client()
    form = newcomer.get(link)
    assert form.status_code == 200 and "gate@example.com" in page_text(form)
    differ = post_form(
        newcomer,
        link,
        "/console/set-password",
        {
            "token": link.split("token=")[1],
            "password": NEW_PASSWORD,
            "again": "something else entirely",
        },
    )
    assert differ.status_code == 422 and "The two passwords differ." in page_text(differ)
    done = _set_password(newcomer, link)
    assert done.status_code == 302 and done.headers["Location"].endswith("/console/door")
    assert newcomer.get("/console/events/new").status_code == 403
    assert staff_auth.sign_in("gate@example.com", NEW_PASSWORD).staff_id == user.id

    assert newcomer.get(link).status_code == 400  # used: it works once
    assert AuditEntry.get(AuditEntry.action == "staff.invited").subject_label == "gate@example.com"


def test_a_reset_link_is_sent_only_to_users_and_the_answer_never_tells(app, factory, mail):
    owner = factory.seller("Reset BV")
    factory.staff(owner, email="ann@example.com")
    visitor = app.test_client()
    for address in ("ann@example.com", "nobody@example.com"):
        answer = post_form(
            visitor, "/console/reset-password", "/console/reset-password", {"email": address}
        )
        assert answer.status_code == 200
        assert "If that address belongs to a console user" in page_text(answer)
    [message] = mail()
    assert message["To"] == "ann@example.com"
    assert staff_auth.sign_in("ann@example.com", STAFF_PASSWORD).staff_id  # still, until set
    assert _set_password(visitor, _link(message)).status_code == 302
    with pytest.raises(TicketingError):
        staff_auth.sign_in("ann@example.com", STAFF_PASSWORD)
    assert staff_auth.sign_in("ann@example.com", NEW_PASSWORD).staff_id


def test_a_password_set_through_a_link_is_in_the_trail_by_the_user_themself(app, factory, mail):
    owner = factory.seller("Trail BV")
    ann = factory.staff(owner, email="ann@example.com", role="manager")
    visitor = app.test_client()
    post_form(visitor, "/console/reset-password", "/console/reset-password", {"email": ann.email})
    link = _link(mail()[0])
    assert _set_password(visitor, link).status_code == 302
    assert app.test_client().get(link).status_code == 400  # it works once
    [entry] = AuditEntry.select().where(AuditEntry.subject_type == "staff")
    assert (entry.action, entry.account_id) == ("staff.password_set_by_link", owner.id)
    assert (entry.actor_kind, entry.actor_id, entry.actor_label) == ("staff", ann.id, ann.email)
    assert (entry.subject_id, entry.subject_label, entry.changes) == (ann.id, ann.email, "{}")


def test_the_last_owner_can_neither_leave_nor_be_demoted(client, seller):
    me = StaffUser.get(StaffUser.account == seller.id)
    refused = post_form(
        client, "/console/staff", f"/console/staff/{me.id}/disabled", {"disabled": "on"}
    )
    assert "at least one enabled owner" in page_text(client.get(refused.headers["Location"]))
    post_form(client, "/console/staff", f"/console/staff/{me.id}/role", {"role": "manager"})
    assert StaffUser.get_by_id(me.id).role == "owner" and not StaffUser.get_by_id(me.id).disabled


def test_owners_change_roles_and_disable_others(client, seller, factory):
    other = factory.staff(seller, email="bo@example.com", role="manager")
    post_form(client, "/console/staff", f"/console/staff/{other.id}/role", {"role": "door"})
    assert StaffUser.get_by_id(other.id).role == "door"
    post_form(client, "/console/staff", f"/console/staff/{other.id}/disabled", {"disabled": "on"})
    assert StaffUser.get_by_id(other.id).disabled
    actions = [
        e.action
        for e in AuditEntry.select()
        .where(AuditEntry.subject_type == "staff")
        .order_by(AuditEntry.id)
    ]
    assert actions == ["staff.role_changed", "staff.disabled"]


def test_managers_may_not_manage_staff(app, factory):
    owner = factory.seller("Managed BV")
    manager = factory.staff(owner, email="m@example.com", role="manager")
    client = app.test_client()
    sign_in(client, manager.email)
    assert client.get("/console/staff").status_code == 403
    refused = post_form(
        client, "/console/events", f"/console/staff/{manager.id}/role", {"role": "owner"}
    )
    assert refused.status_code == 403
    assert StaffUser.get_by_id(manager.id).role == "manager"


def test_a_bad_invitation_is_refused_beside_the_field(client, seller):
    bad = post_form(
        client, "/console/staff", "/console/staff", {"email": "not an address", "role": "door"}
    )
    assert bad.status_code == 400
    assert re.search(r'id="email-error">[^<]*not an e-mail address', bad.get_data(as_text=True))
    assert StaffUser.select().count() == 1


def test_a_dutch_inviter_sends_a_dutch_invitation_and_a_dutch_reset(app, client, seller, mail):
    assert client.get("/console/staff?lang=nl").status_code == 200  # the console in Dutch
    invited = post_form(
        client, "/console/staff", "/console/staff", {"email": "kim@example.com", "role": "door"}
    )
    assert invited.status_code == 302, page_text(invited)
    [invitation] = mail()
    assert invitation["Subject"] == "Je bent uitgenodigd voor de console van Console Seller"
    body = invitation.get_payload(decode=True).decode()
    assert "Stel hier je wachtwoord in" in body and "&lang=nl" in body
    link = _link(invitation)
    form = app.test_client().get(link)
    assert '<html lang="nl">' in form.get_data(as_text=True)  # the page opens in Dutch too
    visitor = app.test_client()
    visitor.get("/console/reset-password?lang=nl")
    post_form(
        visitor, "/console/reset-password", "/console/reset-password", {"email": "kim@example.com"}
    )
    reset = mail()[-1]
    assert reset["Subject"].startswith("Stel een nieuw wachtwoord in")
