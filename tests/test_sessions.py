"""Sessions that end: two clients hold copies of one staff session cookie; logging out, a new
password or second factor, a disabled account or an admin's "sign out everywhere" ends both at
once; idle and absolute lifetimes are settings."""

from __future__ import annotations

import time

import pyotp
import pytest

from tests.conftest import csrf_token
from tests.test_admin_support import PASSWORD, audit_actions, client_as, make_staff, post

PAGE = "/admin/reports"


@pytest.fixture
def staff(app):
    return make_staff(app)


def copy_of(app, client):
    """A second client holding a copy of ``client``'s session cookie (a stolen or synced copy)."""
    cookie = client.get_cookie("sesim")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("sesim", cookie.value)
    return other


def signed_in(client) -> bool:
    response = client.get(PAGE)
    return response.status_code == 200


def test_a_copied_cookie_works_until_the_session_ends(app, staff):
    first = client_as(app, "moderator")
    second = copy_of(app, first)
    assert signed_in(first) and signed_in(second)  # the copy is a real copy


def test_logging_out_ends_every_copy(app, staff):
    first = client_as(app, "moderator")
    second = copy_of(app, first)
    assert signed_in(second)
    response = post(first, "/admin/logout", {}, "/admin/account")
    assert response.status_code == 302
    assert not signed_in(second) and not signed_in(first)
    assert "logout" in audit_actions(app)


def test_a_new_password_ends_every_other_copy_and_keeps_this_one(app, staff):
    first = client_as(app, "moderator")
    second = copy_of(app, first)
    response = post(first, "/admin/account", {"current": PASSWORD, "password": "a new long password!",
                                              "confirm": "a new long password!"}, "/admin/account")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert signed_in(first)
    assert not signed_in(second)


def test_a_new_second_factor_ends_every_other_copy(app, staff):
    first = client_as(app, "moderator")
    second = copy_of(app, first)
    token = csrf_token(first, "/admin/account")
    first.get("/admin/account/totp")  # shows a new secret, kept in her session until confirmed
    with first.session_transaction() as session:
        secret = session["totp_pending"]
    response = first.post("/admin/account/totp", data={"code": pyotp.TOTP(secret).now(),
                                                       "csrf_token": token})
    assert response.status_code == 302
    assert signed_in(first) and not signed_in(second)


@pytest.mark.parametrize("action", ["disable", "sign_out"])
def test_an_admin_ends_every_session_of_an_account(app, staff, action):
    moderator = client_as(app, "moderator")
    copy = copy_of(app, moderator)
    admin = client_as(app, "admin")
    response = post(admin, f"/admin/users/{staff['moderator']}", {"action": action}, "/admin/users")
    assert response.status_code == 302
    assert not signed_in(moderator) and not signed_in(copy)
    assert f"user.{action}" in audit_actions(app)
    if action == "disable":  # enabling the account again does not bring the old session back
        post(admin, f"/admin/users/{staff['moderator']}", {"action": "enable"}, "/admin/users")
        assert not signed_in(moderator)
    else:
        assert signed_in(client_as(app, "moderator"))  # she can log in again
    assert signed_in(admin)  # the admin's own session is untouched


def test_sign_out_everywhere_is_offered_on_the_users_page(app, staff):
    page = client_as(app, "admin").get("/admin/users").get_data(as_text=True)
    assert 'value="sign_out"' in page and "Sign out everywhere" in page


@pytest.mark.parametrize("setting, key, age", [
    ("SESIM_ADMIN_IDLE_MINUTES", "admin_seen", 11 * 60),
    ("SESIM_ADMIN_SESSION_HOURS", "admin_started", 3 * 3600 + 60),
])
def test_idle_and_absolute_lifetimes_are_settings(make_app, setting, key, age):
    value = 10 if setting == "SESIM_ADMIN_IDLE_MINUTES" else 3
    app = make_app(**{setting: value})
    make_staff(app)
    client = client_as(app, "moderator")
    with client.session_transaction() as session:
        session[key] = time.time() - age + 120  # just inside the limit
    assert signed_in(client)
    with client.session_transaction() as session:
        session[key] = time.time() - age
    response = client.get(PAGE)
    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login")
    assert not signed_in(client)
    assert "session.expired" in audit_actions(app)


def test_an_active_session_still_ends_at_its_absolute_lifetime(make_app):
    app = make_app(SESIM_ADMIN_SESSION_HOURS=1)
    make_staff(app)
    client = client_as(app, "moderator")
    with client.session_transaction() as session:
        session["admin_started"] = time.time() - 3601
        session["admin_seen"] = time.time()  # busy a moment ago
    assert not signed_in(client)
