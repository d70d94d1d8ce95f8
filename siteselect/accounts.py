"""Local accounts for an on-premises deployment without an identity provider.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile);
only the hash is stored. Sign-in is rate-limited per user name: after
:data:`MAX_FAILURES` failed attempts within :data:`WINDOW_S` seconds, further attempts
are refused until the window has passed, whether or not the password is right.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from siteselect.schema import ACCOUNTS, SIGNIN_ATTEMPTS
from siteselect.store import AccessError, ScenarioStore, now_utc

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MAX_FAILURES = 5
WINDOW_S = 15 * 60
_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash("not a real password, used to keep timing equal")


class SignInError(AccessError):
    """Wrong user name or password, a disabled account, or too many attempts."""


def create_account(store: ScenarioStore, user: str, password: str) -> None:
    """Create (or reset the password of) the local account ``user`` (operator only)."""
    if store.user:
        raise AccessError("only the deployment's operator creates accounts")
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccessError(f"a password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long")
    if not isinstance(user, str) or not user.strip() or len(user) > 100:
        raise AccessError("a user name must be 1 to 100 characters of text")
    digest = _HASHER.hash(password)
    with store.writing() as conn:
        conn.execute(sa.delete(ACCOUNTS).where(ACCOUNTS.c.user == user))
        conn.execute(
            sa.insert(ACCOUNTS).values(user=user, password_hash=digest, created_at=now_utc())
        )


def sign_in(store: ScenarioStore, user: str, password: str, *, now: float | None = None) -> str:
    """``user`` when the password is right; every attempt is recorded.

    Raises
    ------
    SignInError
        With the same message for an unknown user and a wrong password; a distinct one
        when the user has failed too often recently.
    """
    at = time.time() if now is None else now
    if not isinstance(user, str) or not isinstance(password, str) or len(password) > MAX_PASSWORD:
        raise SignInError("wrong user name or password")
    with store.writing() as conn:
        failures = conn.execute(
            sa.select(sa.func.count()).where(
                SIGNIN_ATTEMPTS.c.user == user,
                SIGNIN_ATTEMPTS.c.ok.is_(False),
                SIGNIN_ATTEMPTS.c.at > at - WINDOW_S,
            )
        ).scalar()
        if failures is not None and failures >= MAX_FAILURES:
            raise SignInError(
                f"too many failed sign-ins for this user; try again in {WINDOW_S // 60} minutes"
            )
        row = conn.execute(
            sa.select(ACCOUNTS).where(ACCOUNTS.c.user == user, ACCOUNTS.c.disabled_at.is_(None))
        ).first()
        ok = (
            _verify(row.password_hash if row is not None else _DUMMY, password) and row is not None
        )
        conn.execute(sa.insert(SIGNIN_ATTEMPTS).values(user=user, at=at, ok=ok))
    if not ok:
        raise SignInError("wrong user name or password")
    return user


def _verify(digest: str, password: str) -> bool:
    try:
        return _HASHER.verify(digest, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
