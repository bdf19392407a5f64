"""Set-password links for staff users, e-mailed through the outbox: an invitation, or a
password reset asked for on the sign-in page.

A link is signed with the installation's secret (``FileLinkSigner``'s scheme under its own
salt) and names the user and a fingerprint of their password and sessions, so it works
until it expires or the password is set, whichever comes first: once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from email.message import EmailMessage

from pdf.signing import FileLinkSigner, LinkError
from tp_api.db import write_transaction
from tp_api.models import StaffUser
from tp_api.services import audit_trail
from tp_api.services.actors import Actor
from tp_api.services.credentials import staff_auth, staff_mail_texts
from tp_api.services.delivery import outbox
from tp_api.services.errors import InvalidInput

# The outbox job: {"staff_id", "kind": "invite" | "reset", "version": the fingerprint when
# asked}; a mail whose user has set a password since is not sent.
STAFF_MAIL = "staff_mail"
LINK_HOURS = 48
LINK_PATH = "/console/set-password"


class PasswordLinkSigner(FileLinkSigner):
    """Signs set-password links: the user and their password's fingerprint, for 48 hours."""

    SALT = "tp-bridge.staff-password.v1"

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__(secrets, max_age_s=LINK_HOURS * 3600)


def fingerprint(user: StaffUser) -> str:
    """Changes when the password is set or the user's sessions end: older links stop."""
    return hashlib.sha256(f"{user.password_hash}|{user.session_key}".encode()).hexdigest()[:24]


def link(signer: PasswordLinkSigner, public_url: str, user: StaffUser) -> str:
    """The set-password link of ``user`` as it is now."""
    token = signer.sign(f"staff:{user.id}", fingerprint(user))
    return f"{public_url.rstrip('/')}{LINK_PATH}?token={token}"


def user_of(signer: PasswordLinkSigner, token: str | None) -> StaffUser:
    """The (enabled) user a genuine, unexpired, unused link is for; InvalidInput otherwise."""
    try:
        subject, version = signer.read(token)
    except LinkError:
        raise _invalid() from None
    user = None
    if subject.startswith("staff:") and subject[6:].isdigit():
        user = StaffUser.get_or_none(StaffUser.id == int(subject[6:]))
    if user is None or user.disabled or fingerprint(user) != version:
        raise _invalid()
    return user


def set_password(
    signer: PasswordLinkSigner, token: str | None, password: str
) -> staff_auth.StaffSession:
    """Set the password through a link (which then stops working) and sign the user in.

    The audit trail names the user themself: they chose it, holding the link."""
    user_of(signer, token)  # a dead link is refused before Argon2 is spent on it
    hashed = staff_auth.hash_password(password)
    with write_transaction():
        # Read again inside the transaction, so two uses of one link at once set it once.
        user = user_of(signer, token)
        updated = staff_auth.set_password(user.id, hashed)
        actor = Actor.staff(user.id, user.email, user.role)
        subject = ("staff", user.id, user.email)
        audit_trail.record(user.account_id, actor, "staff.password_set_by_link", subject)
    return staff_auth.StaffSession(updated.id, updated.session_key, updated.role)


def request_reset(email: str, *, language: str = "en") -> None:
    """Queue a reset link for the enabled user with this address, if there is one, in
    ``language``. The caller answers the same either way, so the form does not tell who has
    an account."""
    clean = staff_auth.normalise_email(email)
    user = StaffUser.get_or_none(StaffUser.email == clean[:254])
    if user is None or user.disabled:
        return
    with write_transaction():
        _queue(user, "reset", language)


def queue_invitation(user: StaffUser, *, language: str = "en") -> None:
    """Queue the invitation of a new user (in the caller's transaction), in ``language``."""
    _queue(user, "invite", language)


def _queue(user: StaffUser, kind: str, language: str) -> None:
    # One pending mail per password: asking again before it is sent adds nothing.
    version = fingerprint(user)
    outbox.enqueue(
        STAFF_MAIL,
        {"staff_id": user.id, "kind": kind, "version": version, "language": language},
        account_id=user.account_id,
        dedupe_key=f"staff-{kind}:{user.id}:{version}",
    )


def message(
    user: StaffUser,
    kind: str,
    url: str,
    *,
    sender: str,
    account_name: str,
    language: str = "en",
) -> EmailMessage:
    """The e-mail with a set-password link (``kind``: invite or reset) in ``language``."""
    words = staff_mail_texts.texts(language)
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = user.email
    mail["Subject"] = words[f"{kind}_subject"].format(account=account_name)
    first = words[f"{kind}_first"].format(account=account_name)
    mail.set_content(words["body"].format(first=first, hours=LINK_HOURS, url=url))
    return mail


def mail_to_send(
    signer: PasswordLinkSigner, public_url: str, data: dict[str, object], *, sender: str
) -> EmailMessage | None:
    """The e-mail an outbox job asks for, or None when it no longer should go out (the user
    is gone or disabled, or set a password since)."""
    user = StaffUser.get_or_none(StaffUser.id == data.get("staff_id"))
    if user is None or user.disabled or fingerprint(user) != data.get("version"):
        return None
    kind = "invite" if data.get("kind") == "invite" else "reset"
    asked = str(data.get("language") or "en")
    language = asked if asked in staff_mail_texts.TEXTS else "en"
    url = link(signer, public_url, user)
    if language != "en":
        url += f"&lang={language}"  # the set-password page opens in the mail's language
    return message(
        user, kind, url, sender=sender, account_name=user.account.name, language=language
    )


def _invalid() -> InvalidInput:
    return InvalidInput(
        "This link is not valid any more: it was used, has expired, or is mistyped. "
        "Ask for a new one on the sign-in page.",
        code="password_link_invalid",
    )
