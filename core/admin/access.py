"""Who may do what in /admin: one decorator per view, and the rule for lawyers' reports.

Every refusal is written to the audit log before the 403 is sent.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, or_

from core.admin.audit import record
from core.extensions import db
from core.models import Report

STAFF = ("admin", "moderator", "lawyer")
EDITORS = ("admin", "moderator")
ADMINS = ("admin",)


def refuse(reason: str, target=None, status: int = 403):
    """Log the refusal and stop the request."""
    db.session.rollback()
    record(f"refused.{reason}", target, note=f"{request.method} {request.path}", commit=True)
    abort(status)


def roles(*allowed: str):
    """Let only staff with one of ``allowed`` roles through; others are refused and audited."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated or current_user.role not in allowed:
                refuse("role")
            return view(*args, **kwargs)

        wrapper.sesim_roles = allowed
        return wrapper

    return decorator


def open_view(view):
    """Mark a view reachable without a session (login, invitation links)."""
    view.sesim_open = True
    return view


def _lawyer_condition(user):
    """A lawyer's own cases, and (with legal help on) requests no lawyer has taken yet."""
    condition = Report.assigned_lawyer_id == user.id
    if current_app.config["SESIM_LEGAL_HELP"]:
        untaken = and_(Report.wants_legal_help.is_(True), Report.assigned_lawyer_id.is_(None))
        condition = or_(condition, untaken)
    return condition


def visible_reports(user):
    """The reports ``user`` may open: all for editors; assigned or legal-help ones for lawyers."""
    query = Report.query
    if user.role == "lawyer":
        query = query.filter(_lawyer_condition(user))
    return query


def can_see(user, report: Report) -> bool:
    if user.role in EDITORS:
        return True
    if user.role != "lawyer":
        return False
    if report.assigned_lawyer_id == user.id:
        return True
    return bool(current_app.config["SESIM_LEGAL_HELP"] and report.wants_legal_help
                and report.assigned_lawyer_id is None)


def report_or_refuse(report_id: int) -> Report:
    report = db.session.get(Report, report_id)
    if report is None:
        abort(404)
    if not can_see(current_user, report):
        if current_user.role == "lawyer" and report.assigned_lawyer_id is not None:
            refuse_clearly(report, _("This case belongs to another lawyer. Only she and the "
                                     "moderators can open it."))
        refuse("report", report)
    return report


def refuse_clearly(target, message: str, reason: str = "legal_case", status: int = 403):
    """Like ``refuse``, with a page that says why (a lawyer on another lawyer's case)."""
    db.session.rollback()
    record(f"refused.{reason}", target, note=f"{request.method} {request.path}", commit=True)
    abort(make_response(render_template("admin/refused.html", message=message, report=target), status))
