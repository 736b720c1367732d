"""The report queue: counts per status, search, filters, saved views, bulk actions."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_

from core.admin import bp
from core.admin.access import EDITORS, STAFF, refuse, roles, visible_reports
from core.admin.audit import record
from core.admin.choices import category_choices, region_choices
from core.admin.claims import (
    ClaimError,
    assign,
    assignable,
    claim,
    claim_from_form,
    holder,
    holder_filter,
    release,
)
from core.admin.savedviews import views_with_counts
from core.admin.workflow import STATUS_ACTIONS, WorkflowError, change_status, snapshot
from core.channels import filter_choices
from core.extensions import db
from core.models import Category, Report, User
from core.models.report import STATUSES
from core.numbers import whole
from core.publicdata import FilterError, apply, parse_filters

PER_PAGE = 50
FILTER_KEYS = ("status", "q", "category", "region", "channel", "verified", "since", "until",
               "holder")
CLAIM_ACTIONS = ("claim", "release", "assign", "categorise")


def filtered_reports(args, with_status: bool = True):
    """Visible reports matching the filters in ``args``; raises FilterError."""
    query = apply(visible_reports(current_user), parse_filters(args), public=False)
    if args.get("channel"):
        query = query.filter(Report.source_channel == args["channel"])
    text = (args.get("q") or "").strip()[:200]
    if text:
        pattern = f"%{text}%"
        query = query.filter(or_(Report.title.ilike(pattern), Report.story.ilike(pattern),
                                 Report.public_id == text))
    condition = holder_filter(Report, args.get("holder", ""), current_user)
    if condition is not None:
        query = query.filter(condition)
    status = args.get("status", "pending")
    if with_status and status in STATUSES:
        query = query.filter(Report.status == status)
    return query


@bp.route("/reports")
@roles(*STAFF)
def reports():
    status = request.args.get("status", "pending")
    if status not in STATUSES and status != "all":
        status = "pending"
    error = None
    try:
        query = filtered_reports(request.args, with_status=False)
    except FilterError as exc:
        error, query = str(exc), visible_reports(current_user).filter(db.false())
    counts = dict(query.with_entities(Report.status, func.count(Report.id))
                  .group_by(Report.status).order_by(None).all())
    if status != "all":
        query = query.filter(Report.status == status)
    page = query.order_by(Report.created_at.desc(), Report.id.desc()).paginate(
        per_page=PER_PAGE, error_out=False)
    channels = filter_choices(c for (c,) in db.session.query(Report.source_channel).distinct())
    args = {k: v for k, v in request.args.items() if k in FILTER_KEYS and k != "status" and v}
    return render_template(
        "admin/reports.html", page=page, status=status, counts=counts, statuses=STATUSES,
        error=error, args=args, categories=category_choices(), regions=region_choices(),
        channels=channels, category_slugs={c.id: c.slug for c in Category.query},
        holder=holder, views=views_with_counts("reports"), staff=assignable(),
    ), 400 if error else 200


def _back():
    back = request.form.get("back") or ""
    return redirect(back if back.startswith("/admin/") else
                    url_for("admin.reports", status=request.form.get("status", "pending")))


@bp.route("/reports/bulk", methods=["POST"])
@roles(*EDITORS)
def reports_bulk():
    """Every bulk action of the report list; ids the user may not see refuse the whole action."""
    action = request.form.get("action", "")
    ids = [n for n in (whole(i) for i in request.form.getlist("ids")) if n is not None][:100]
    if action not in (*STATUS_ACTIONS, "verify", *CLAIM_ACTIONS) or not ids:
        flash(_("Choose at least one report and an action."), "error")
        return _back()
    if action == "assign" and current_user.role != "admin":
        refuse("role")
    chosen = visible_reports(current_user).filter(Report.id.in_(ids)).all()
    foreign = sorted(set(ids) - {r.id for r in chosen})
    if foreign:
        record("refused.bulk_ids", note=f"reports {action}: {', '.join(map(str, foreign))}",
               commit=True)
        flash(_("Nothing was changed: %(count)d of the chosen reports do not exist (any more).",
                count=len(foreign)), "error")
        return _back()
    extra = _bulk_argument(action)
    if extra is False:
        return _back()
    changed, errors = 0, set()
    for report in chosen:
        try:
            changed += _apply(report, action, extra)
        except (WorkflowError, ClaimError) as exc:
            errors.add(f"{report.public_id}: {exc}" if isinstance(exc, WorkflowError) else str(exc))
    db.session.commit()
    flash(_("%(count)d reports changed.", count=changed), "info")
    for reason in sorted(errors):
        flash(reason, "error")
    return _back()


def _bulk_argument(action: str):
    """The assignee or category a bulk action needs; False (with a message) when it is wrong."""
    if action == "assign":
        raw = whole(request.form.get("assignee", ""))
        assignee = db.session.get(User, raw) if raw is not None else None
        if request.form.get("assignee") and (assignee is None or assignee.role not in EDITORS
                                             or not assignee.active):
            flash(_("Choose an active moderator or administrator."), "error")
            return False
        return assignee
    if action == "categorise":
        raw = whole(request.form.get("category", ""))
        category = db.session.get(Category, raw) if raw is not None else None
        if category is None or not category.active:
            flash(_("Choose a category."), "error")
            return False
        return category
    return None


def _apply(report: Report, action: str, extra) -> int:
    if action == "claim":
        claim(report, current_user)
        return 1
    if action == "release":
        return int(release(report, current_user))
    if action == "assign":
        assign(report, extra, current_user)
        return 1
    current = holder(report)
    if (current is not None and report.claimed_by_id != current_user.id
            and current_user.role != "admin"):
        raise ClaimError(_("Some reports are held by another moderator and were left alone."))
    if action == "categorise":
        if extra in report.categories:
            return 0
        before = snapshot(report, ("categories",))
        report.categories = [*report.categories, extra]
        record("report.categorised", report, before=before, after=snapshot(report, ("categories",)))
        return 1
    if action == "verify":
        if report.verified:
            return 0
        from core.admin.workflow import moderate

        moderate(report, True, report.verification_note or "", report.location_precision,
                 report.public_story or "", current_user)
        return 1
    return int(change_status(report, action, current_user))


@bp.route("/reports/<int:report_id>/claim", methods=["POST"])
@roles(*EDITORS)
def report_claim(report_id):
    from core.admin.access import report_or_refuse

    report = report_or_refuse(report_id)
    return claim_from_form(report, url_for("admin.report", report_id=report.id),
                           _("You hold this report now."))
