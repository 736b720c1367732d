"""Logging in and out, accepting an invitation, one's own password and second factor."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pyotp
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from core.admin import bp
from core.admin.access import STAFF, open_view, roles
from core.admin.audit import record
from core.admin.forms import ChangePasswordForm, LoginForm, PasswordForm, TotpForm
from core.admin.login import LoginRefused, authenticate, user_for_invite, verify_totp
from core.admin.qr import svg
from core.extensions import db, limiter
from core.passwords import check_password, hash_password


def _login_limit() -> str:
    return current_app.config.get("SESIM_ADMIN_LOGIN_RATELIMIT", "60 per 15 minutes")


def _safe_next(target: str | None) -> str:
    """Only a path inside /admin: never an outside address."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/admin/") \
                and not parts.path.startswith("/admin/login"):
            return target
    return url_for("admin.reports")


def _start_session(user) -> None:
    session.clear()  # a fresh session: nothing from before the login survives
    login_user(user, remember=False, fresh=True)
    session["admin_seen"] = session["admin_started"] = time.time()
    if user.language:
        session["lang"] = user.language


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@open_view
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("admin.home"))
    form = LoginForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                user = authenticate(form.email.data, form.password.data, form.otp.data or "")
            except LoginRefused as refused:
                status = 401
                if refused.reason == "locked":
                    form.form_errors.append(_(
                        "Too many failed attempts. This account is locked for %(minutes)d minutes.",
                        minutes=refused.minutes))
                elif refused.reason == "otp":
                    form.otp.errors = [_("Type the code from your authenticator app.")]
                else:
                    form.form_errors.append(_("Wrong e-mail, password or code."))
            else:
                _start_session(user)
                return redirect(_safe_next(request.args.get("next")))
    return render_template("admin/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@roles(*STAFF)
def logout():
    user = current_user._get_current_object()
    user.end_sessions()  # every copy of this session's cookie (and other devices) ends now
    record("logout", user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("admin.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@open_view
def accept_invite(token):
    user = user_for_invite(token)
    if user is None:
        abort(404)
    form = PasswordForm()
    if form.validate_on_submit():
        user.password_hash = hash_password(form.password.data)
        user.invite_token_hash = None
        user.invite_expires_at = None
        user.active = True
        record("user.invite_accepted", user, user=user)
        db.session.commit()
        flash(_("Your password is set. Please log in."), "info")
        return redirect(url_for("admin.login"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/invite.html", form=form, user=user), status


@bp.route("/account", methods=["GET", "POST"])
@roles(*STAFF)
def account():
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        if not check_password(user.password_hash, form.current.data):
            form.current.errors = [_("This is not your current password.")]
            record("refused.password_change", user, commit=True)
        else:
            user.password_hash = hash_password(form.password.data)
            record("user.password_changed", user)
            db.session.commit()
            login_user(user)  # every other session of this account ends with the old password
            flash(_("Your password is changed."), "info")
            return redirect(url_for("admin.account"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/account.html", form=form), status


@bp.route("/account/notifications", methods=["POST"])
@roles(*STAFF)
def account_notifications():
    """E-mails that say something is waiting (new legal-help request, a case for you, her answer)."""
    user = current_user._get_current_object()
    wanted = request.form.get("notify_by_email") == "yes"
    if wanted != user.notify_by_email:
        record("user.notifications", user, before={"notify_by_email": user.notify_by_email},
               after={"notify_by_email": wanted})
        user.notify_by_email = wanted
        db.session.commit()
    flash(_("E-mail notifications are on.") if wanted else _("E-mail notifications are off."), "info")
    return redirect(url_for("admin.account"))


@bp.route("/account/totp", methods=["GET", "POST"])
@roles(*STAFF)
def totp_setup():
    """Show a new secret; it is saved only once a code from the app proves it was copied right."""
    form = TotpForm()
    secret = session.get("totp_pending")
    if request.method == "GET" or not secret:
        secret = session["totp_pending"] = pyotp.random_base32()
    if form.validate_on_submit() and current_user.totp_secret and not verify_totp(
        current_user._get_current_object(), form.current_code.data or ""
    ):
        db.session.rollback()
        form.current_code.errors = [_("Type a code from your current authenticator first.")]
        record("refused.totp_change", current_user._get_current_object(), commit=True)
    elif form.validate_on_submit():
        user = current_user._get_current_object()
        user.totp_secret = secret
        user.totp_last_counter = None
        if verify_totp(user, form.code.data):
            session.pop("totp_pending", None)
            record("user.totp_enabled", user)
            db.session.commit()
            login_user(user, fresh=True)  # sessions made with the old factor end
            flash(_("Your second factor is on. You will need a code at every login."), "info")
            return redirect(url_for("admin.account"))
        db.session.rollback()
        form.code.errors = [_("This code is not right. Check the time on your phone and try again.")]
    uri = pyotp.TOTP(secret).provisioning_uri(name=current_user.email,
                                              issuer_name=current_app.config["SESIM_SITE_NAME"])
    status = 400 if request.method == "POST" else 200
    qr = svg(uri, _("QR code of the key above"))
    return render_template("admin/totp.html", form=form, secret=secret, uri=uri, qr=qr), status


@bp.route("/")
@roles(*STAFF)
def home():
    return redirect(url_for("admin.reports"))


@bp.route("/<path:rest>")
@roles(*STAFF)
def not_found(rest):
    abort(404)
