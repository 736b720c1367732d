"""Staff sessions (Flask-Login). The login pages themselves live in the admin area."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request

from core.extensions import db, login_manager
from core.models import User
from core.numbers import whole


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """``<id>:<fingerprint>``: a session made before a password or second-factor change is void."""
    user_id, _, fingerprint = str(session_id).partition(":")
    user = db.session.get(User, whole(user_id)) if whole(user_id) is not None else None
    if user is None or not user.active:
        return None
    return user if hmac.compare_digest(fingerprint, user.session_fingerprint) else None


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "admin.login"
    login_manager.session_protection = "strong"
    login_manager._session_identifier_generator = browser_identifier


def browser_identifier() -> str:
    """Which browser a staff cookie belongs to, for "strong" session protection.

    Flask-Login's own identifier is an unkeyed hash of the client's IP address and user agent,
    kept in the (readable) session cookie: anyone holding the cookie could recover the address
    by trying the few candidates. This one is keyed with the secret key and leaves the address
    out, so a phone changing networks stays signed in and the cookie reveals nothing.
    """
    agent = request.headers.get("User-Agent", "").encode()
    key = str(current_app.config["SECRET_KEY"]).encode() + b":staff-browser"
    return hmac.new(key, agent, hashlib.sha256).hexdigest()
