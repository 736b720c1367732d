"""The report queue: counts per status, search, filters, bulk actions."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_

from core.admin import bp
from core.admin.access import EDITORS, STAFF, roles, visible_reports
from core.admin.choices import category_choices, region_choices
from core.admin.workflow import STATUS_ACTIONS, WorkflowError, change_status
from core.extensions import db
from core.models import Category, Report
from core.models.report import STATUSES
from core.numbers import whole
from core.publicdata import FilterError, apply, parse_filters

PER_PAGE = 50


def _filtered(args):
    """Visible reports matching the filters in ``args`` (all statuses); raises FilterError."""
    query = apply(visible_reports(current_user), parse_filters(args), public=False)
    if args.get("channel"):
        query = query.filter(Report.source_channel == args["channel"])
    text = (args.get("q") or "").strip()[:200]
    if text:
        pattern = f"%{text}%"
        query = query.filter(or_(Report.title.ilike(pattern), Report.story.ilike(pattern),
                                 Report.public_id == text))
    return query


@bp.route("/reports")
@roles(*STAFF)
def reports():
    status = request.args.get("status", "pending")
    if status not in STATUSES and status != "all":
        status = "pending"
    error = None
    try:
        query = _filtered(request.args)
    except FilterError as exc:
        error, query = str(exc), visible_reports(current_user).filter(db.false())
    counts = dict(query.with_entities(Report.status, func.count(Report.id))
                  .group_by(Report.status).order_by(None).all())
    if status != "all":
        query = query.filter(Report.status == status)
    page = query.order_by(Report.created_at.desc(), Report.id.desc()).paginate(
        per_page=PER_PAGE, error_out=False)
    channels = [c for (c,) in db.session.query(Report.source_channel).distinct().order_by(
        Report.source_channel)]
    args = {k: v for k, v in request.args.items() if k not in ("status", "page")}
    return render_template(
        "admin/reports.html", page=page, status=status, counts=counts, statuses=STATUSES,
        error=error, args=args, categories=category_choices(), regions=region_choices(),
        channels=channels, category_slugs={c.id: c.slug for c in Category.query},
    ), 400 if error else 200


@bp.route("/reports/bulk", methods=["POST"])
@roles(*EDITORS)
def reports_bulk():
    action = request.form.get("action", "")
    ids = [n for n in (whole(i) for i in request.form.getlist("ids")) if n is not None]
    if action not in (*STATUS_ACTIONS, "verify") or not ids:
        flash(_("Choose at least one report and an action."), "error")
        return redirect(url_for("admin.reports"))
    changed = 0
    for report in visible_reports(current_user).filter(Report.id.in_(ids)).all():
        if action == "verify":
            if not report.verified:
                from core.admin.workflow import moderate

                moderate(report, True, report.verification_note or "", report.location_precision,
                         report.public_story or "", current_user)
                changed += 1
        else:
            try:
                changed += change_status(report, action, current_user)
            except WorkflowError as exc:
                flash(f"{report.public_id}: {exc}", "error")
    db.session.commit()
    flash(_("%(count)d reports changed.", count=changed), "info")
    return redirect(url_for("admin.reports", status=request.form.get("status", "pending")))
