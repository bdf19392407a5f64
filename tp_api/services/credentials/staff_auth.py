"""Staff sign-in for the seller's console: Argon2id password hashes and lock-out.

Lock-out is per e-mail address, whether or not it belongs to a user: ``MAX_FAILED_LOGINS``
wrong passwords in a row (within a day) lock the address for ``LOCK_MINUTES``, and an
unknown address locks exactly like a known one, so neither the answers nor their timing
tell which addresses have accounts. Each attempt is counted *before* the slow password
check, in one conditional statement, so many guesses sent at once still get only
``MAX_FAILED_LOGINS`` checks. The web layer also rate-limits sign-in per client address.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import peewee
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from tp_api.db import utcnow, write_transaction
from tp_api.models import Account, SignInThrottle, StaffUser
from tp_api.services.actors import ROLES
from tp_api.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    Said,
    TicketingError,
    TooManyAttempts,
    Unauthenticated,
)

log = logging.getLogger(__name__)

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
# Failures further apart than this are forgotten (the throttle row is removed).
FORGET_AFTER = timedelta(days=1)
MIN_PASSWORD_LENGTH = 12
# Argon2 hashes whatever it is given; a cap keeps a megabyte "password" from costing CPU.
MAX_PASSWORD_LENGTH = 1024

# argon2-cffi's defaults are RFC 9106's second recommended (low-memory) profile: Argon2id,
# t=3, m=64 MiB, p=4.
_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so that answer takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")

WRONG_CREDENTIALS = "The e-mail address or password is wrong."
_LOCK = timedelta(minutes=LOCK_MINUTES)


class SignInRefused(Unauthenticated):
    """Wrong e-mail or password (deliberately not saying which)."""

    status = 401
    default_code = "sign_in_refused"


@dataclass(frozen=True)
class StaffSession:
    """What a console session remembers about who is signed in."""

    staff_id: int
    session_key: str
    role: str = "owner"  # at sign-in: where the user lands (the session re-reads it)
    # The password was right but the user signs in with a second factor too: no session
    # yet, and the failed-attempt count stands until the code is right (two_factor).
    needs_code: bool = False


def normalise_email(email: str) -> str:
    """Staff e-mail addresses compare case-insensitively; stored lower-cased."""
    return email.strip().lower()


def new_session_key() -> str:
    """A fresh random session key for a user (see StaffUser.session_key)."""
    return secrets.token_urlsafe(32)


def _has_control_characters(text: str) -> bool:
    # PostgreSQL refuses NUL in text, and no address or form field legitimately has these.
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def _check_email(email: str) -> str:
    clean = normalise_email(email)
    local, _, domain = clean.partition("@")
    if (
        not local
        or "." not in domain
        or len(clean) > 254
        or any(c.isspace() for c in clean)
        or _has_control_characters(clean)
    ):
        raise InvalidInput(
            Said("{email!r} is not an e-mail address", email=email), code="invalid_email"
        )
    return clean


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            Said("A password needs at least {count} characters", count=MIN_PASSWORD_LENGTH),
            code="password_too_short",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            Said("A password has at most {count} characters", count=MAX_PASSWORD_LENGTH),
            code="password_too_long",
        )


@dataclass(frozen=True)
class HashedPassword:
    """A password already checked and hashed (:func:`hash_password`): a caller that holds a
    write transaction hashes first, so SQLite's write lock never waits on Argon2."""

    value: str


def hash_password(password: str) -> HashedPassword:
    """Check a new password against the rules and hash it (InvalidInput when too weak)."""
    _check_password(password)
    return HashedPassword(_hasher.hash(password))


def _hash_of(password: str | HashedPassword) -> str:
    return password.value if isinstance(password, HashedPassword) else hash_password(password).value


def create_staff(
    account_id: int,
    email: str,
    password: str | HashedPassword | None,
    *,
    name: str = "",
    role: str = "owner",
) -> StaffUser:
    """Add a staff user to an account with a role (owner, manager or door). 409 when the
    e-mail address is taken. Without a password (an invitation) nobody can sign in as the
    user until a password is set through the e-mailed link."""
    if role not in ROLES:
        raise InvalidInput(
            Said("Unknown role {role!r}; roles: {roles}", role=role, roles=", ".join(ROLES)),
            code="unknown_role",
        )
    clean = _check_email(email)
    if Account.get_or_none(Account.id == account_id) is None:
        raise NotFound("Account not found")
    # "!" is no Argon2 hash: verifying any password against it fails.
    password_hash = _hash_of(password) if password is not None else "!" + new_session_key()
    try:
        with write_transaction():
            return StaffUser.create(
                account=account_id,
                email=clean,
                name=name.strip()[:200],
                password_hash=password_hash,
                session_key=new_session_key(),
                role=role,
            )
    except peewee.IntegrityError:
        raise Conflict(
            Said("{email} already has a staff user", email=clean), code="email_taken"
        ) from None


def set_password(staff_id: int, password: str | HashedPassword) -> StaffUser:
    """Set a new password, lift any lock on the address, and end every existing session of
    the user."""
    password_hash = _hash_of(password)
    with write_transaction():
        updated = (
            StaffUser.update(password_hash=password_hash, session_key=new_session_key())
            .where(StaffUser.id == staff_id)
            .execute()
        )
        if not updated:
            raise NotFound("Staff user not found")
        user = StaffUser.get_by_id(staff_id)
        SignInThrottle.delete().where(SignInThrottle.key == _throttle_key(user.email)).execute()
    return user


def sign_in(email: str, password: str, *, now: datetime | None = None) -> StaffSession:
    """Check e-mail and password, counting the attempt first and locking after too many.

    Raises SignInRefused for a wrong pair and TooManyAttempts while the address is locked (a
    locked address is refused even with the right password, so the lock cannot be probed).
    """
    now = now or utcnow()
    clean = normalise_email(email)
    key = _throttle_key(clean)
    _reserve_attempt(key, now)
    user = None
    if not _has_control_characters(clean) and len(clean) <= 254:
        user = StaffUser.get_or_none(StaffUser.email == clean)
    if user is None or user.disabled:
        _verify(_DUMMY_HASH, password)
        raise _failed(key, now)
    if not _verify(user.password_hash, password):
        raise _failed(key, now)
    if _hasher.check_needs_rehash(user.password_hash):
        with write_transaction():
            rehashed = _hasher.hash(password)
            StaffUser.update(password_hash=rehashed).where(StaffUser.id == user.id).execute()
    if user.totp_secret_enc:
        return StaffSession(user.id, user.session_key, user.role, needs_code=True)
    return signed_in(user, now)


def signed_in(user: StaffUser, now: datetime) -> StaffSession:
    """The last step of a sign-in: the failed-attempt count starts again, the time is kept."""
    with write_transaction():
        StaffUser.update(last_login_at=now).where(StaffUser.id == user.id).execute()
        SignInThrottle.update(failures=0, updated_at=now).where(
            SignInThrottle.key == _throttle_key(user.email)
        ).execute()
    return StaffSession(staff_id=user.id, session_key=user.session_key, role=user.role)


def count_attempt(email: str, now: datetime) -> None:
    """Count a second-factor attempt like a password one (TooManyAttempts while locked)."""
    _reserve_attempt(_throttle_key(normalise_email(email)), now)


def failed_attempt(email: str, now: datetime) -> TicketingError:
    """The error for a wrong second factor (the address locks after too many)."""
    return _failed(_throttle_key(normalise_email(email)), now)


def _throttle_key(clean_email: str) -> str:
    return hashlib.sha256(clean_email.encode("utf-8", "surrogatepass")).hexdigest()


def _reserve_attempt(key: str, now: datetime) -> None:
    """Count this attempt as a failure in advance (a success takes it back), or refuse it
    while the address is locked or its allowance is used up by attempts still in flight."""
    with write_transaction():
        SignInThrottle.delete().where(
            SignInThrottle.updated_at < now - FORGET_AFTER,
            SignInThrottle.locked_until.is_null() | (SignInThrottle.locked_until < now),
        ).execute()
        SignInThrottle.insert(key=key, failures=0, updated_at=now).on_conflict_ignore().execute()
        # A lock that has run out starts a fresh count.
        SignInThrottle.update(failures=0, locked_until=None).where(
            SignInThrottle.key == key, SignInThrottle.locked_until <= now
        ).execute()
        reserved = (
            SignInThrottle.update(failures=SignInThrottle.failures + 1, updated_at=now)
            .where(
                SignInThrottle.key == key,
                SignInThrottle.locked_until.is_null(),
                SignInThrottle.failures < MAX_FAILED_LOGINS,
            )
            .execute()
        )
        if reserved:
            return
        row = SignInThrottle.get(SignInThrottle.key == key)
    until = row.locked_until if row.locked_until is not None else now + _LOCK
    raise _locked(until, now)


def _failed(key: str, now: datetime) -> TicketingError:
    """The attempt (already counted) failed: lock the address when it was the last allowed."""
    with write_transaction():
        locked = (
            SignInThrottle.update(locked_until=now + _LOCK, updated_at=now)
            .where(
                SignInThrottle.key == key,
                SignInThrottle.failures >= MAX_FAILED_LOGINS,
                SignInThrottle.locked_until.is_null(),
            )
            .execute()
        )
    if locked:
        log.warning(
            "console: an address is locked for %d minutes after wrong passwords", LOCK_MINUTES
        )
        return _locked(now + _LOCK, now)
    return SignInRefused(WRONG_CREDENTIALS)


def _verify(password_hash: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _locked(until: datetime, now: datetime) -> TooManyAttempts:
    seconds = max(1, int((until - now).total_seconds()))
    minutes = (seconds + 59) // 60
    message = (
        Said("Too many wrong passwords. Try again in {minutes} minute.", minutes=minutes)
        if minutes == 1
        else Said("Too many wrong passwords. Try again in {minutes} minutes.", minutes=minutes)
    )
    return TooManyAttempts(message, retry_after_s=seconds, code="locked")


def locked_until(email: str, *, now: datetime | None = None) -> datetime | None:
    """When the lock on this address ends, or None when it is not locked."""
    now = now or utcnow()
    row = SignInThrottle.get_or_none(SignInThrottle.key == _throttle_key(normalise_email(email)))
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return row.locked_until


def signed_in_staff(session: StaffSession) -> StaffUser | None:
    """The user a session belongs to, or None when it no longer counts (signed out, password
    changed, user disabled or removed)."""
    user = StaffUser.get_or_none(StaffUser.id == session.staff_id)
    if user is None or user.disabled:
        return None
    if not hmac.compare_digest(user.session_key, session.session_key):
        return None
    return user


def end_sessions(staff_id: int) -> None:
    """End every session of the user (signing out ends them on every device)."""
    with write_transaction():
        StaffUser.update(session_key=new_session_key()).where(StaffUser.id == staff_id).execute()


def list_staff(account_id: int) -> list[StaffUser]:
    """The staff users of an account, by e-mail address."""
    return list(StaffUser.select().where(StaffUser.account == account_id).order_by(StaffUser.email))


def find_staff(email: str) -> StaffUser:
    """The staff user with this e-mail address (any account)."""
    user = StaffUser.get_or_none(StaffUser.email == normalise_email(email))
    if user is None:
        raise NotFound(Said("No staff user {email}", email=normalise_email(email)))
    return user


def set_disabled(staff_id: int, disabled: bool) -> None:
    """Disable (or enable again) a user; disabling ends their sessions at once."""
    with write_transaction():
        StaffUser.update(disabled=disabled, session_key=new_session_key()).where(
            StaffUser.id == staff_id
        ).execute()
