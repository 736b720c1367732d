"""Checking a staff login: argon2 password, optional TOTP code, lock-out after repeated failures.

Kept apart from the views so the rules read in one place. Every outcome is audited; the typed
e-mail of an unknown account is not stored.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pyotp
from flask import current_app

from core.admin.audit import record
from core.crypto import keyed_hash
from core.extensions import db
from core.models import User
from core.models.base import utcnow
from core.passwords import check_password, hash_password, needs_rehash

# Checked when the account does not exist, so a wrong e-mail takes as long as a wrong password.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
UNUSABLE_PASSWORD = "!"  # noqa: S105  (no argon2 hash matches it: invited, not yet set up)


class LoginRefused(Exception):
    """``reason``: ``wrong`` (any wrong detail), ``locked``, or ``otp`` (a code is needed)."""

    def __init__(self, reason: str, minutes: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.minutes = minutes


def _settings() -> tuple[int, int]:
    config = current_app.config
    return int(config.get("SESIM_ADMIN_MAX_FAILURES", 5)), int(config.get("SESIM_ADMIN_LOCK_MINUTES", 15))


def find_user(email: str) -> User | None:
    return User.query.filter_by(email=(email or "").strip().lower()).one_or_none()


def verify_totp(user: User, code: str) -> bool:
    """A valid current code (±30 s) that was not used before."""
    code = (code or "").replace(" ", "")
    if not user.totp_secret or not (code.isascii() and code.isdigit()):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = datetime.now(UTC)
    for offset in (0, -1, 1):
        moment = now + timedelta(seconds=30 * offset)
        counter = totp.timecode(moment)
        if secrets.compare_digest(totp.at(moment), code):
            if user.totp_last_counter is not None and counter <= user.totp_last_counter:
                return False
            user.totp_last_counter = counter
            return True
    return False


def _fail(user: User) -> LoginRefused:
    max_failures, lock_minutes = _settings()
    user.failed_logins += 1
    if user.failed_logins >= max_failures:
        user.locked_until = utcnow() + timedelta(minutes=lock_minutes)
        user.failed_logins = 0
        record("login.locked_out", user, note=f"{max_failures} failed attempts", user=user)
        db.session.commit()
        return LoginRefused("locked", lock_minutes)
    record("login.failed", user, user=user)
    db.session.commit()
    return LoginRefused("wrong")


def authenticate(email: str, password: str, otp: str = "") -> User:
    """Return the user when every detail is right; raise ``LoginRefused`` otherwise."""
    user = find_user(email)
    if user is None:
        check_password(_DUMMY_HASH, password or "")
        record("login.failed", note="unknown account", commit=True)
        raise LoginRefused("wrong")
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        record("login.refused_locked", user, user=user, commit=True)
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise LoginRefused("locked", minutes)
    if not user.active or not check_password(user.password_hash, password or ""):
        raise _fail(user)
    if user.totp_secret:
        if not otp:
            raise LoginRefused("otp")
        if not verify_totp(user, otp):
            raise _fail(user)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record("login.ok", user, user=user)
    db.session.commit()
    return user


INVITE_DAYS = 7


def new_invite(user: User, days: int = INVITE_DAYS) -> str:
    """Give ``user`` a one-time link token (only its hash is kept); return the token."""
    token = secrets.token_urlsafe(24)
    user.invite_token_hash = keyed_hash(token, "invite")
    user.invite_expires_at = utcnow() + timedelta(days=days)
    return token


def user_for_invite(token: str) -> User | None:
    if not token or len(token) > 100:
        return None
    user = User.query.filter_by(invite_token_hash=keyed_hash(token, "invite")).one_or_none()
    if user is None or not user.invite_expires_at or user.invite_expires_at < utcnow():
        return None
    return user
