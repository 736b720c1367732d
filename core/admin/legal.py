"""The lawyers' pages: the legal-help queue, taking a case, recording its state and outcome,
and the legal-aid statistics (page, print and CSV).

A lawyer acting on a case another lawyer holds gets a plain refusal page (and an audit entry),
as does a form opened before someone else changed the case.
"""

from __future__ import annotations

from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case as sql_case

from core import legal, legal_stats
from core.admin import bp
from core.admin.access import ADMINS, EDITORS, STAFF, refuse_clearly, report_or_refuse, roles
from core.extensions import db
from core.i18n import current_language
from core.models import LegalCase, Report
from core.models.base import utcnow
from core.models.legal import LEGAL_STATES, OUTCOMES
from core.numbers import whole

VIEWS = ("requests", "mine", "all")
PER_PAGE = 100


def _views_for(user) -> tuple[str, ...]:
    if user.role == "lawyer":
        return ("requests", "mine")
    return VIEWS if user.role in ADMINS + EDITORS else ("requests",)


@bp.route("/legal")
@roles(*STAFF)
def legal_queue():
    views = _views_for(current_user)
    view = request.args.get("view", "")
    if view not in views:
        view = "mine" if current_user.role == "lawyer" else "all"
    return render_queue(view)


def render_queue(view: str, status: int = 200, error: str | None = None):
    query = db.session.query(LegalCase, Report).join(Report, Report.id == LegalCase.report_id)
    if view == "requests":
        query = query.filter(Report.assigned_lawyer_id.is_(None), LegalCase.state == "requested")
    elif view == "mine":
        query = query.filter(Report.assigned_lawyer_id == current_user.id)
    open_first = sql_case((LegalCase.state == "closed", 1), else_=0)
    rows = query.order_by(open_first, LegalCase.requested_at.desc()).limit(PER_PAGE).all()
    counts = {
        "requests": LegalCase.query.join(Report, Report.id == LegalCase.report_id).filter(
            Report.assigned_lawyer_id.is_(None), LegalCase.state == "requested").count(),
        "mine": LegalCase.query.join(Report, Report.id == LegalCase.report_id).filter(
            Report.assigned_lawyer_id == current_user.id, LegalCase.state != "closed").count(),
    }
    return render_template("admin/legal.html", rows=rows, view=view, views=_views_for(current_user),
                           counts=counts, error=error, today=utcnow().date(),
                           state_labels=legal.STATE_LABELS, outcome_labels=legal.OUTCOME_LABELS,
                           legal_help=legal.enabled()), status


def refused(report: Report | None, reason: str, message: str, status: int = 403):
    """A refusal a lawyer can read (which case, why, where to go), written to the audit log."""
    refuse_clearly(report, message, reason, status)


@bp.route("/reports/<int:report_id>/take", methods=["POST"])
@roles("lawyer")
def report_take(report_id):
    report = db.session.get(Report, report_id)
    if report is None:
        return render_queue("requests", 404, _("This case does not exist (any more)."))
    if report.assigned_lawyer_id not in (None, current_user.id):
        return refused(report, "legal_case", _("Another lawyer already took this case. Ask an "
                                                 "administrator if it should be handed to you."))
    report = report_or_refuse(report_id)  # untaken: only requests for legal help
    try:
        changed = legal.take(report, current_user)
    except legal.CaseError as exc:
        return refused(report, "legal_case", str(exc))
    if changed:
        db.session.commit()
        flash(_("The case is yours. Write to her from the case page."), "info")
    return redirect(url_for("admin.report", report_id=report.id) + "#legal")


def _follow_up(raw: str) -> tuple[date | None, bool]:
    """``(date, ok)`` from a YYYY-MM-DD field; empty is fine."""
    raw = (raw or "").strip()
    if not raw:
        return None, True
    try:
        return date.fromisoformat(raw[:10]) if len(raw) == 10 else None, len(raw) == 10
    except ValueError:
        return None, False


@bp.route("/reports/<int:report_id>/legal", methods=["POST"])
@roles(*STAFF)
def report_legal(report_id):
    """State, outcome and follow-up date of the report's legal case."""
    from core.admin.casework import render_report

    report = db.session.get(Report, report_id)
    if report is None:
        return render_queue("all" if current_user.role != "lawyer" else "mine", 404,
                            _("This case does not exist (any more)."))
    if current_user.role == "lawyer" and report.assigned_lawyer_id not in (None, current_user.id):
        return refused(report, "legal_case",
                       _("This case belongs to another lawyer. You cannot change it."))
    report = report_or_refuse(report_id)
    state = request.form.get("state", "")
    outcome = request.form.get("outcome", "")
    follow_up, ok = _follow_up(request.form.get("follow_up_on", ""))
    version = whole(request.form.get("version"))
    if not ok:
        flash(_("The follow-up date is not a real date. Write it as YYYY-MM-DD."), "error")
        return render_report(report, 400, legal_form=request.form)
    if state not in LEGAL_STATES or (outcome and outcome not in OUTCOMES):
        flash(_("Choose one of the listed states and outcomes."), "error")
        return render_report(report, 400, legal_form=request.form)
    try:
        changed = legal.update(report, current_user, state, outcome, follow_up, version)
    except legal.NotYours as exc:
        return refused(report, "legal_case", str(exc))
    except legal.StaleForm as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return render_report(report, 409, legal_form=request.form)
    except legal.CaseError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return render_report(report, 400, legal_form=request.form)
    if changed:
        db.session.commit()
        flash(_("Case saved."), "info")
    return redirect(url_for("admin.report", report_id=report.id) + "#legal")


def _period():
    """``(since, until, error)`` from the stats page's ``since``/``until`` (YYYY-MM-DD)."""
    found = []
    for name in ("since", "until"):
        value, ok = _follow_up(request.args.get(name, ""))
        if not ok:
            return None, None, _("Write dates as YYYY-MM-DD.")
        found.append(value)
    since, until = found
    if since and until and since > until:
        return None, None, _("The start date must not be after the end date.")
    return since, until, None


@bp.route("/legal/stats")
@roles(*STAFF)
def legal_stats_page():
    since, until, error = _period()
    stats = legal_stats.compute(current_language(), since, until)
    return render_template("admin/legal_stats.html", stats=stats, error=error, outcomes=OUTCOMES,
                           outcome_labels=legal.OUTCOME_LABELS,
                           args={k: v for k, v in request.args.items() if k in ("since", "until")},
                           ), 400 if error else 200


@bp.route("/legal/stats.csv")
@roles(*STAFF)
def legal_stats_csv():
    since, until, error = _period()
    if error:
        return render_template("admin/refused.html", message=error, report=None), 400
    body = legal_stats.to_csv(legal_stats.compute(current_language(), since, until))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="legal-aid-statistics.csv"',
        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})
