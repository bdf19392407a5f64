"""Staff sign-in for the seller's console: Argon2id password hashes and lock-out.

A user is locked for ``LOCK_MINUTES`` after ``MAX_FAILED_LOGINS`` wrong passwords in a row,
so guessing a password online costs days; the web layer also rate-limits sign-in per client
address. Unknown e-mail addresses cost the same hashing time as known ones and get the same
answer, so the sign-in form does not tell which addresses have accounts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import peewee
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from tp_api.db import utcnow, write_transaction
from tp_api.models import Account, StaffUser
from tp_api.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    Unauthenticated,
)

log = logging.getLogger(__name__)

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 12
# Argon2 hashes whatever it is given; a cap keeps a megabyte "password" from costing CPU.
MAX_PASSWORD_LENGTH = 1024

# argon2-cffi's defaults are RFC 9106's second recommended (low-memory) profile: Argon2id,
# t=3, m=64 MiB, p=4.
_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so that answer takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")

WRONG_CREDENTIALS = "The e-mail address or password is wrong."


class SignInRefused(Unauthenticated):
    """Wrong e-mail or password (deliberately not saying which)."""

    status = 401
    default_code = "sign_in_refused"


@dataclass(frozen=True)
class StaffSession:
    """What a console session remembers about who is signed in."""

    staff_id: int
    session_version: int


def normalise_email(email: str) -> str:
    """Staff e-mail addresses compare case-insensitively; stored lower-cased."""
    return email.strip().lower()


def _check_email(email: str) -> str:
    clean = normalise_email(email)
    local, _, domain = clean.partition("@")
    if not local or "." not in domain or len(clean) > 254 or any(c.isspace() for c in clean):
        raise InvalidInput(f"{email!r} is not an e-mail address", code="invalid_email")
    return clean


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters",
            code="password_too_short",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"A password has at most {MAX_PASSWORD_LENGTH} characters", code="password_too_long"
        )


def create_staff(account_id: int, email: str, password: str, *, name: str = "") -> StaffUser:
    """Add a staff user to an account. 409 when the e-mail address is taken."""
    clean = _check_email(email)
    _check_password(password)
    if Account.get_or_none(Account.id == account_id) is None:
        raise NotFound("Account not found")
    password_hash = _hasher.hash(password)
    try:
        with write_transaction():
            return StaffUser.create(
                account=account_id,
                email=clean,
                name=name.strip()[:200],
                password_hash=password_hash,
            )
    except peewee.IntegrityError:
        raise Conflict(f"{clean} already has a staff user", code="email_taken") from None


def set_password(staff_id: int, password: str) -> StaffUser:
    """Set a new password, lift any lock, and end every existing session of the user."""
    _check_password(password)
    password_hash = _hasher.hash(password)
    with write_transaction():
        updated = (
            StaffUser.update(
                password_hash=password_hash,
                failed_logins=0,
                locked_until=None,
                session_version=StaffUser.session_version + 1,
            )
            .where(StaffUser.id == staff_id)
            .execute()
        )
    if not updated:
        raise NotFound("Staff user not found")
    return StaffUser.get_by_id(staff_id)


def sign_in(email: str, password: str, *, now: datetime | None = None) -> StaffSession:
    """Check e-mail and password; count failures and lock after too many.

    Raises SignInRefused for a wrong pair and TooManyAttempts while the user is locked (a
    locked user is refused even with the right password, so the lock cannot be probed).
    """
    now = now or utcnow()
    user = StaffUser.get_or_none(StaffUser.email == normalise_email(email))
    if user is None or user.disabled:
        _verify(_DUMMY_HASH, password)
        raise SignInRefused(WRONG_CREDENTIALS)
    if user.locked_until is not None and user.locked_until > now:
        raise _locked(user.locked_until, now)
    if not _verify(user.password_hash, password):
        locked_until = _count_failure(user.id, now)
        if locked_until is not None:
            log.warning(
                "console: %s locked until %s after failed sign-ins", user.email, locked_until
            )
            raise _locked(locked_until, now)
        raise SignInRefused(WRONG_CREDENTIALS)
    changes: dict[str, object] = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    if _hasher.check_needs_rehash(user.password_hash):
        changes["password_hash"] = _hasher.hash(password)
    with write_transaction():
        StaffUser.update(**changes).where(StaffUser.id == user.id).execute()
    return StaffSession(staff_id=user.id, session_version=user.session_version)


def _verify(password_hash: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _count_failure(staff_id: int, now: datetime) -> datetime | None:
    """Add one failure in one statement (two sign-ins at once both count); lock at the limit."""
    with write_transaction():
        StaffUser.update(failed_logins=StaffUser.failed_logins + 1).where(
            StaffUser.id == staff_id
        ).execute()
        failures = StaffUser.get_by_id(staff_id).failed_logins
        if failures < MAX_FAILED_LOGINS:
            return None
        locked_until = now + timedelta(minutes=LOCK_MINUTES)
        StaffUser.update(failed_logins=0, locked_until=locked_until).where(
            StaffUser.id == staff_id
        ).execute()
        return locked_until


def _locked(until: datetime, now: datetime) -> TooManyAttempts:
    seconds = max(1, int((until - now).total_seconds()))
    minutes = (seconds + 59) // 60
    return TooManyAttempts(
        f"Too many wrong passwords. Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
        retry_after_s=seconds,
        code="locked",
    )


def signed_in_staff(session: StaffSession) -> StaffUser | None:
    """The user a session belongs to, or None when it no longer counts (password changed,
    user disabled or removed)."""
    user = StaffUser.get_or_none(StaffUser.id == session.staff_id)
    if user is None or user.disabled or user.session_version != session.session_version:
        return None
    return user


def list_staff(account_id: int) -> list[StaffUser]:
    """The staff users of an account, by e-mail address."""
    return list(StaffUser.select().where(StaffUser.account == account_id).order_by(StaffUser.email))


def find_staff(email: str) -> StaffUser:
    """The staff user with this e-mail address (any account)."""
    user = StaffUser.get_or_none(StaffUser.email == normalise_email(email))
    if user is None:
        raise NotFound(f"No staff user {normalise_email(email)}")
    return user


def set_disabled(staff_id: int, disabled: bool) -> None:
    """Disable (or enable again) a user; disabling ends their sessions at once."""
    with write_transaction():
        StaffUser.update(disabled=disabled, session_version=StaffUser.session_version + 1).where(
            StaffUser.id == staff_id
        ).execute()
