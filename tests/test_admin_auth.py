"""Staff login, sessions, CSRF and the role guard on every /admin view."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest

from tests.conftest import csrf_token
from tests.test_admin_support import (
    PASSWORD,
    audit_actions,
    audit_entries,
    client_as,
    login,
    make_staff,
    make_user,
    post,
)

PAGES = ["/admin/", "/admin/reports", "/admin/reports?status=published", "/admin/messages",
         "/admin/users", "/admin/audit", "/admin/categories", "/admin/reports/1", "/admin/account",
         "/admin/account/totp", "/admin/no-such-page", "/admin/messages/report?ids=1"]


@pytest.fixture
def staff(app):
    return make_staff(app)


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_requests_go_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")


def test_login_page_has_the_contract_fields_and_no_store(client):
    response = client.get("/admin/login")
    page = response.get_data(as_text=True)
    for name in ("email", "password", "otp", "csrf_token"):
        assert f'name="{name}"' in page
    assert response.headers["Cache-Control"] == "no-store"


def test_login_opens_the_queue_and_logout_closes_it(app, staff):
    client = app.test_client()
    response = login(client, "moderator@sesim.test")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/reports"
    assert client.get("/admin/reports").status_code == 200
    post(client, "/admin/logout", {}, "/admin/reports")
    assert client.get("/admin/reports").status_code == 302
    assert audit_actions(app)[-2:] == ["login.ok", "logout"]


def test_login_returns_to_the_page_asked_for_but_never_elsewhere(app, staff):
    client = app.test_client()
    token = csrf_token(client, "/admin/login")
    data = {"email": "admin@sesim.test", "password": PASSWORD, "csrf_token": token}
    assert client.post("/admin/login?next=/admin/users", data=data).headers["Location"] == "/admin/users"
    client = app.test_client()
    data["csrf_token"] = csrf_token(client, "/admin/login")
    response = client.post("/admin/login?next=https://evil.example/admin/", data=data)
    assert response.headers["Location"] == "/admin/reports"


@pytest.mark.parametrize("email, password", [
    ("moderator@sesim.test", "wrong password 123"),
    ("nobody@sesim.test", PASSWORD),
    ("MODERATOR@sesim.test", ""),
])
def test_wrong_details_are_refused_alike_and_audited(app, staff, email, password):
    client = app.test_client()
    response = login(client, email, password)
    assert response.status_code in (400, 401)
    assert client.get("/admin/reports").status_code == 302
    if password:
        assert "login.failed" in audit_actions(app)
        assert "nobody@" not in str(audit_entries(app))


def test_repeated_failures_lock_the_account(app, staff):
    from core.extensions import db
    from core.models import User

    client = app.test_client()
    for _ in range(4):
        assert login(client, "moderator@sesim.test", "not the password!").status_code == 401
    response = login(client, "moderator@sesim.test", "not the password!")
    assert "locked" in response.get_data(as_text=True).lower() or response.status_code == 401
    # Now even the right password is refused until the lock expires.
    response = login(client, "moderator@sesim.test")
    assert response.status_code == 401
    assert client.get("/admin/reports").status_code == 302
    actions = audit_actions(app)
    assert actions.count("login.failed") == 4
    assert "login.locked_out" in actions and "login.refused_locked" in actions
    with app.app_context():
        user = db.session.get(User, staff["moderator"])
        user.locked_until = user.locked_until - timedelta(hours=1)
        db.session.commit()
    assert login(client, "moderator@sesim.test").status_code == 302


def test_disabled_account_cannot_log_in(app):
    make_user(app, "gone@sesim.test", "moderator", active=False)
    assert login(app.test_client(), "gone@sesim.test").status_code == 401


def test_totp_code_is_needed_and_cannot_be_replayed(app):
    secret = pyotp.random_base32()
    make_user(app, "otp@sesim.test", "moderator", totp_secret=secret)
    client = app.test_client()
    response = login(client, "otp@sesim.test")
    assert response.status_code == 401 and client.get("/admin/reports").status_code == 302
    assert login(client, "otp@sesim.test", otp="000000").status_code == 401
    code = pyotp.TOTP(secret).now()
    assert login(client, "otp@sesim.test", otp=code).status_code == 302
    other = app.test_client()
    assert login(other, "otp@sesim.test", otp=code).status_code == 401  # same code again


def test_required_second_factor_must_be_set_up_first(app):
    make_user(app, "new@sesim.test", "moderator", totp_required=True)
    client = app.test_client()
    assert login(client, "new@sesim.test").status_code == 302
    response = client.get("/admin/reports")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/account/totp"
    with client.session_transaction() as session:
        pass
    client.get("/admin/account/totp")
    with client.session_transaction() as session:
        secret = session["totp_pending"]
    response = post(client, "/admin/account/totp", {"code": "123456"}, "/admin/account/totp")
    assert response.status_code == 400
    with client.session_transaction() as session:
        secret = session["totp_pending"]
    response = client.post("/admin/account/totp", data={
        "code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(client, "/admin/account")})
    assert response.status_code == 302
    assert client.get("/admin/reports").status_code == 200
    assert "user.totp_enabled" in audit_actions(app)


def test_idle_session_expires(app, staff):
    client = client_as(app, "moderator")
    with client.session_transaction() as session:
        session["admin_seen"] = time.time() - 3 * 3600
    response = client.get("/admin/reports")
    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login")
    assert client.get("/admin/reports").status_code == 302
    assert "session.expired" in audit_actions(app)


def test_session_from_another_browser_is_dropped(app, staff):
    """``session_protection = "strong"``: a stolen cookie used by another client is worthless."""
    client = client_as(app, "moderator")
    assert client.get("/admin/reports").status_code == 200
    response = client.get("/admin/reports", headers={"User-Agent": "something else"})
    assert response.status_code == 302


def test_staff_cookie_holds_no_address_and_survives_a_network_change(app, staff):
    """The browser check is keyed and leaves the IP out: a phone moving from Wi-Fi to 2G stays
    signed in, and the readable cookie cannot be turned back into her address."""
    from flask_login.utils import _create_identifier

    client = client_as(app, "moderator")
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    assert client.get("/admin/reports").status_code == 200
    with client.session_transaction() as session:
        stored = session["_id"]
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        assert stored != _create_identifier()  # not Flask-Login's unkeyed hash of IP + agent
    client.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    assert client.get("/admin/reports").status_code == 200


def test_staff_cookie_is_secure(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    make_user(app, "sec@sesim.test", "admin")
    client = app.test_client()
    token = csrf_token(client, "https://localhost/admin/login")
    response = client.post("https://localhost/admin/login", data={
        "email": "sec@sesim.test", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1  # the session only: no long-lived "remember me" cookie
    assert "Secure" in cookies[0] and "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]


@pytest.mark.parametrize("url, data", [
    ("/admin/reports/bulk", {"action": "publish", "ids": "1"}),
    ("/admin/messages/mark", {"action": "spam", "ids": "1"}),
    ("/admin/logout", {}),
])
def test_posts_without_csrf_token_are_refused_and_audited(app, staff, url, data):
    client = client_as(app, "moderator")
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert audit_actions(app)[-1] == "refused.csrf"
    assert client.get("/admin/reports").status_code == 200  # still logged in: the POST did nothing


def test_login_without_csrf_token_is_refused(app, staff):
    response = app.test_client().post("/admin/login", data={"email": "admin@sesim.test",
                                                            "password": PASSWORD})
    assert response.status_code == 400
    assert "refused.csrf" in audit_actions(app)


def test_every_admin_view_is_guarded(app):
    """No /admin view is reachable without either a role check or an explicit open mark."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or rule.endpoint == "admin.static":
            continue
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "sesim_roles", None) or getattr(view, "sesim_open", False), rule.rule


def test_invited_staff_sets_a_password_once(app, staff):
    admin = client_as(app, "admin")
    response = post(admin, "/admin/users", {"email": "Lawyer2@Example.org", "role": "lawyer",
                                            "password": ""}, "/admin/users")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    link = page.split('id="invite-link">', 1)[1].split("<", 1)[0]
    path = link[link.index("/admin/invite/"):]
    newcomer = app.test_client()
    assert login(newcomer, "lawyer2@example.org", "").status_code == 400
    response = post(newcomer, path, {"password": "short", "confirm": "short"}, path)
    assert response.status_code == 400
    response = post(newcomer, path, {"password": "a good long password", "confirm": "a good long password"},
                    path)
    assert response.status_code == 302
    assert newcomer.get(path).status_code == 404  # used up
    assert login(newcomer, "lawyer2@example.org", "a good long password").status_code == 302
    assert "user.invite_accepted" in audit_actions(app)


@pytest.mark.parametrize("lang, login_title, pending", [
    ("az", "Əməkdaş girişi", "Gözləyir"), ("ru", "Вход для сотрудников", "Ожидают"),
    ("en", "Staff login", "Pending"),
])
def test_workspace_speaks_the_deployment_languages(app, staff, lang, login_title, pending):
    client = app.test_client()
    assert login_title in client.get(f"/admin/login?lang={lang}").get_data(as_text=True)
    login(client, "admin@sesim.test")
    assert f">{pending} <span" in client.get(f"/admin/reports?lang={lang}").get_data(as_text=True)


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(app, staff):
    mine, stolen = client_as(app, "moderator"), client_as(app, "moderator")
    new = {"password": "a brand new long password", "confirm": "a brand new long password"}
    refused = post(mine, "/admin/account", {**new, "current": "wrong password"}, "/admin/account")
    assert refused.status_code == 400
    assert "This is not your current password." in refused.get_data(as_text=True)
    assert "refused.password_change" in audit_actions(app)

    changed = post(mine, "/admin/account", {**new, "current": PASSWORD}, "/admin/account")
    assert changed.status_code == 302
    assert mine.get("/admin/reports").status_code == 200  # this session goes on
    assert stolen.get("/admin/reports").headers["Location"].startswith("/admin/login")  # the other ends
    assert login(app.test_client(), "moderator@sesim.test", "a brand new long password").status_code == 302


def test_replacing_a_second_factor_needs_a_code_from_the_current_one(app):
    secret = pyotp.random_base32()
    make_user(app, "otp2@sesim.test", "moderator", totp_secret=secret)
    client = app.test_client()
    assert login(client, "otp2@sesim.test", otp=pyotp.TOTP(secret).at(time.time() - 30)).status_code == 302
    client.get("/admin/account/totp?lang=en")
    with client.session_transaction() as session:
        pending = session["totp_pending"]
    # (the CSRF token comes from another page: opening the set-up page draws a new secret)
    response = post(client, "/admin/account/totp", {"code": pyotp.TOTP(pending).now()}, "/admin/account")
    assert response.status_code == 400
    assert "Type a code from your current authenticator first." in response.get_data(as_text=True)
    assert "refused.totp_change" in audit_actions(app)
    response = post(client, "/admin/account/totp", {"code": pyotp.TOTP(pending).now(),
                                                    "current_code": pyotp.TOTP(secret).now()},
                    "/admin/account")
    assert response.status_code == 302
    assert client.get("/admin/reports").status_code == 200  # re-signed with the new factor
