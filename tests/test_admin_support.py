"""Helpers shared by the admin tests (no tests here): staff accounts and logging in."""

from __future__ import annotations

from tests.conftest import csrf_token

PASSWORD = "a long staff password"


def make_user(app, email: str, role: str, password: str = PASSWORD, **fields) -> int:
    from core.extensions import db
    from core.models import User
    from core.passwords import hash_password

    with app.app_context():
        user = User(email=email, role=role, password_hash=hash_password(password), **fields)
        db.session.add(user)
        db.session.commit()
        return user.id


def login(client, email: str, password: str = PASSWORD, otp: str = "", follow=False):
    token = csrf_token(client, "/admin/login")
    return client.post("/admin/login", data={"email": email, "password": password, "otp": otp,
                                             "csrf_token": token}, follow_redirects=follow)


def post(client, url: str, data: dict, page: str, **kwargs):
    """POST with the CSRF token of ``page`` (a staff page that has a form)."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, page)}, **kwargs)


def audit_actions(app) -> list[str]:
    from core.models import AuditLog

    with app.app_context():
        return [e.action for e in AuditLog.query.order_by(AuditLog.id)]


def audit_entries(app):
    from core.models import AuditLog

    with app.app_context():
        return [(e.action, e.target_type, e.target_id, e.before, e.after, e.note, e.user_id)
                for e in AuditLog.query.order_by(AuditLog.id)]


def make_staff(app) -> dict:
    """One account per role, ``{role}@sesim.test``: ``{role: user_id}``."""
    return {role: make_user(app, f"{role}@sesim.test", role)
            for role in ("admin", "moderator", "lawyer")}


def client_as(app, role: str):
    client = app.test_client()
    response = login(client, f"{role}@sesim.test")
    assert response.status_code == 302, response.get_data(as_text=True)
    client.get("/admin/account?lang=en")  # the assertions read English; az is the default
    return client
