"""Staff sessions (Flask-Login). The login pages themselves live in the admin area."""

from __future__ import annotations

from core.extensions import db, login_manager
from core.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user and user.active else None


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "admin.login"
    login_manager.session_protection = "strong"
