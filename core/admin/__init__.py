"""The staff workspace under /admin: login, inbox, report queue, moderation, categories, users,
audit log. Plain server-rendered pages that work on a phone; JavaScript is never needed.

Every view is either marked open (login, invitation link) or guarded by ``access.roles``;
anonymous requests anywhere else under /admin go to the login page.
"""

from __future__ import annotations

import time
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates",
               static_folder="static")
TRANSLATIONS = Path(__file__).parent / "translations"

# Open without a session; everything else needs a logged-in staff member.
OPEN_ENDPOINTS = {"admin.login", "admin.accept_invite", "admin.static"}
# Reachable while a required second factor is not set up yet.
ENROLMENT_ENDPOINTS = {"admin.account", "admin.totp_setup", "admin.logout"}


def _idle_limit() -> int:
    return int(current_app.config.get("SESIM_ADMIN_IDLE_MINUTES", 60)) * 60


def _absolute_limit() -> int:
    return int(current_app.config.get("SESIM_ADMIN_SESSION_HOURS", 12)) * 3600


@bp.before_request
def require_staff():
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("admin.login", next=_next_target()))
    now = time.time()
    seen, started = session.get("admin_seen"), session.get("admin_started")
    if seen is None or now - seen > _idle_limit() or started is None \
            or now - started > _absolute_limit():
        from core.admin.audit import record
        from core.extensions import db

        record("session.expired", current_user._get_current_object())
        db.session.commit()
        logout_user()
        session.pop("admin_seen", None)
        session.pop("admin_started", None)
        flash(_("Your session expired. Please log in again."), "error")
        return redirect(url_for("admin.login", next=_next_target()))
    session["admin_seen"] = now
    if (current_user.totp_required and not current_user.totp_secret
            and request.endpoint not in ENROLMENT_ENDPOINTS):
        flash(_("Set up your second factor before you continue."), "error")
        return redirect(url_for("admin.totp_setup"))
    return None


def _next_target() -> str | None:
    return request.full_path.rstrip("?") if request.method == "GET" else None


@bp.errorhandler(CSRFError)
def csrf_refused(error):
    from core.admin.audit import record
    from core.errors import handle_http
    from core.extensions import db

    db.session.rollback()
    record("refused.csrf", note=f"{request.method} {request.path}", commit=True)
    return handle_http(error)


@bp.app_template_global()
def admin_can(*roles: str) -> bool:
    return current_user.is_authenticated and current_user.role in roles


@bp.app_template_global()
def admin_nav_items() -> list:
    """Plugins' staff pages (``sesim_admin_nav_items``) this user's role may see."""
    from core.plugins import call_hook

    items = (item for items in call_hook("sesim_admin_nav_items") for item in items)
    return sorted((i for i in items if not i.roles or admin_can(*i.roles)), key=lambda i: i.order)


def init_app(app) -> None:
    from core.admin import (  # noqa: F401  (each module adds its views to ``bp``)
        answers,
        auth_views,
        casework,
        categories,
        channels,
        conversations,
        files,
        inbox,
        labels,
        legal,
        reports,
        savedviews,
        staff,
        support,
    )

    labels.init_app(app)
    app.register_blueprint(bp)
