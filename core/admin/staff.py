"""Admin-only pages: staff accounts (invite, role, disable, second factor) and the audit log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.admin import bp
from core.admin.access import ADMINS, roles
from core.admin.audit import record
from core.admin.auditview import rows as audit_rows
from core.admin.forms import UserCreateForm
from core.admin.login import INVITE_DAYS, UNUSABLE_PASSWORD, new_invite
from core.extensions import db
from core.models import AuditLog, User
from core.models.user import ROLES
from core.numbers import whole
from core.passwords import hash_password
from core.urls import absolute_url

USER_ACTIONS = ("role", "disable", "enable", "require_totp", "drop_totp_requirement", "reset_totp",
                "invite", "unlock", "sign_out")


@bp.route("/users", methods=["GET", "POST"])
@roles(*ADMINS)
def users():
    form = UserCreateForm()
    invite_link = None
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if User.query.filter_by(email=email).first():
            form.email.errors = [_("A staff member with this e-mail already exists.")]
        else:
            user = User(email=email, role=form.role.data, totp_required=form.totp_required.data,
                        password_hash=UNUSABLE_PASSWORD)
            if form.password.data:
                user.password_hash = hash_password(form.password.data)
            db.session.add(user)
            db.session.flush()
            if not form.password.data:
                invite_link = absolute_url("admin.accept_invite", token=new_invite(user))
            record("user.created", user, after={"email": email, "role": user.role,
                                                "invited": invite_link is not None})
            db.session.commit()
            flash(_("Staff account created."), "info")
            form = UserCreateForm(formdata=None)
    status = 400 if request.method == "POST" and form.errors else 200
    return render_template("admin/users.html", form=form, users=User.query.order_by(User.email).all(),
                           roles=ROLES, invite_link=invite_link, invite_days=INVITE_DAYS), status


@bp.route("/users/<int:user_id>", methods=["POST"])
@roles(*ADMINS)
def user_action(user_id):
    user = db.session.get(User, user_id) or abort(404)
    action = request.form.get("action", "")
    if action not in USER_ACTIONS:
        abort(400)
    before = {"role": user.role, "active": user.active, "totp_required": user.totp_required,
              "totp": bool(user.totp_secret)}
    if user.id == current_user.id and action in ("role", "disable"):
        flash(_("You cannot change your own role or disable yourself."), "error")
        return redirect(url_for("admin.users"))
    invite_link = None
    if action == "role":
        role = request.form.get("role")
        if role not in ROLES:
            abort(400)
        user.role = role
    elif action in ("disable", "enable"):
        user.active = action == "enable"
        user.end_sessions()  # enabling again never brings an old session back
    elif action == "sign_out":
        user.end_sessions()  # every session of the account, on every device, ends now
    elif action in ("require_totp", "drop_totp_requirement"):
        user.totp_required = action == "require_totp"
    elif action == "reset_totp":
        user.totp_secret, user.totp_last_counter = None, None
    elif action == "unlock":
        user.locked_until, user.failed_logins = None, 0
    elif action == "invite":
        invite_link = absolute_url("admin.accept_invite", token=new_invite(user))
    after = {"role": user.role, "active": user.active, "totp_required": user.totp_required,
             "totp": bool(user.totp_secret)}
    record(f"user.{action}", user, before=before, after=after)
    db.session.commit()
    if invite_link:
        return render_template("admin/users.html", form=UserCreateForm(formdata=None),
                               users=User.query.order_by(User.email).all(), roles=ROLES,
                               invite_link=invite_link, invite_days=INVITE_DAYS)
    flash(_("Every session of this account has ended.") if action == "sign_out" else _("Saved."), "info")
    return redirect(url_for("admin.users"))


@bp.route("/audit")
@roles(*ADMINS)
def audit():
    query = AuditLog.query
    action = (request.args.get("action") or "").strip()[:64]
    if action:
        query = query.filter(AuditLog.action.startswith(action))
    if request.args.get("target_type") in ("reports", "messages", "users", "categories", "saved_views"):
        query = query.filter(AuditLog.target_type == request.args["target_type"])
        if whole(request.args.get("target_id")) is not None:
            query = query.filter(AuditLog.target_id == whole(request.args["target_id"]))
    page = query.order_by(AuditLog.id.desc()).paginate(per_page=100, error_out=False)
    return render_template("admin/audit.html", page=page, action=action, rows=audit_rows(page.items))
