"""Optional two-factor sign-in for console users: a time-based code (TOTP, RFC 6238, as
authenticator apps make them; pyotp) after the password, or one of ten recovery codes.

A code works once (the last time step used is kept) and one step either side of now is
accepted for clock drift. Wrong codes count against the address like wrong passwords, and
a right password no longer resets that count for a user with two factors: only a right
code does. Recovery codes are shown once and kept as SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime

import pyotp

from tp_api.db import utcnow, write_transaction
from tp_api.models import StaffUser
from tp_api.services import audit_trail
from tp_api.services.actors import Actor
from tp_api.services.credentials import staff_auth
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.errors import Conflict, InvalidInput, TooManyAttempts

ISSUER = "tp-bridge"
RECOVERY_CODES = 10
_STEP_S = 30


def new_secret() -> str:
    """A fresh TOTP secret (base32), to show as a QR code and as text."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """The ``otpauth://`` link authenticator apps read from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def enable(box: SecretBox, user: StaffUser, secret: str, code: str) -> list[str]:
    """Turn two factors on once ``code`` proves the app has ``secret``; the recovery codes,
    shown once."""
    if user.totp_secret_enc:
        raise Conflict("Two-factor sign-in is on already", code="two_factor_on")
    step = _step_of(secret, code, after=None)
    if step is None:
        raise InvalidInput(
            "The code does not match: check the time on your phone", code="code_wrong"
        )
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    with write_transaction():
        StaffUser.update(
            totp_secret_enc=box.seal(secret),
            totp_recovery=json.dumps([_hash(c) for c in codes]),
            totp_last_step=step,
        ).where(StaffUser.id == user.id).execute()
        _record(user, "staff.two_factor_on")
    return codes


def disable(box: SecretBox, user: StaffUser, code: str) -> None:
    """Turn two factors off; a current code (or a recovery code) proves it is the user."""
    if not user.totp_secret_enc or not _accept(box, user, code):
        raise InvalidInput("The code is wrong or was used already", code="code_wrong")
    with write_transaction():
        StaffUser.update(totp_secret_enc=None, totp_recovery="[]", totp_last_step=None).where(
            StaffUser.id == user.id
        ).execute()
        _record(user, "staff.two_factor_off")


def sign_in_with_code(
    box: SecretBox, staff_id: int, code: str, *, now: datetime | None = None
) -> staff_auth.StaffSession:
    """The second step of a sign-in: the session once the code is right."""
    now = now or utcnow()
    user = StaffUser.get_by_id(staff_id)
    staff_auth.count_attempt(user.email, now)
    if user.disabled or not user.totp_secret_enc or not _accept(box, user, code):
        error = staff_auth.failed_attempt(user.email, now)
        if isinstance(error, TooManyAttempts):
            raise error
        raise staff_auth.SignInRefused("The code is wrong or was used already")
    return staff_auth.signed_in(StaffUser.get_by_id(staff_id), now)


def recovery_codes_left(user: StaffUser) -> int:
    """How many unused recovery codes the user has."""
    return len(json.loads(user.totp_recovery or "[]"))


def _accept(box: SecretBox, user: StaffUser, code: str) -> bool:
    """A current code not used before, or an unused recovery code (then spent)."""
    typed = "".join(code.split()).lower()
    if not user.totp_secret_enc:
        return False
    secret = box.open(user.totp_secret_enc)
    step = _step_of(secret, typed, after=user.totp_last_step)
    with write_transaction():
        if step is not None:
            updated = StaffUser.update(totp_last_step=step).where(
                StaffUser.id == user.id,
                StaffUser.totp_last_step.is_null() | (StaffUser.totp_last_step < step),
            )
            return bool(updated.execute())
        hashes = json.loads(StaffUser.get_by_id(user.id).totp_recovery or "[]")
        if _hash(typed) not in hashes:
            return False
        hashes.remove(_hash(typed))
        StaffUser.update(totp_recovery=json.dumps(hashes)).where(StaffUser.id == user.id).execute()
        return True


def _step_of(secret: str, code: str, *, after: int | None) -> int | None:
    """The time step ``code`` belongs to (now, or one either side), if later than ``after``."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(utcnow().timestamp()) // _STEP_S
    for step in (now_step, now_step - 1, now_step + 1):
        if (after is None or step > after) and secrets.compare_digest(
            totp.at(step * _STEP_S), code
        ):
            return step
    return None


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _record(user: StaffUser, action: str) -> None:
    actor = Actor.staff(user.id, user.email, user.role)
    audit_trail.record(user.account_id, actor, action, ("staff", user.id, user.email))
