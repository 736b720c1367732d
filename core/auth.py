"""Staff sessions (Flask-Login). The login pages themselves live in the admin area."""

from __future__ import annotations

import hmac

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
