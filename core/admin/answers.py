"""Her answers waiting for the staff (a badge in the staff navigation and a list), and closing or
reopening the conversation on a report."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import conversation
from core.admin import bp
from core.admin.access import EDITORS, STAFF, report_or_refuse, roles
from core.admin.audit import record
from core.extensions import db
from core.models import Message

LISTED = 200


@bp.context_processor
def _unread_badge():
    """How many of her answers wait for the staff member looking at any staff page."""
    if not current_user.is_authenticated:
        return {"unread_answers": 0}
    return {"unread_answers": conversation.unread_answers(current_user).count()}


@bp.route("/answers")
@roles(*STAFF)
def answers():
    found = conversation.unread_answers(current_user) \
        .order_by(Message.received_at.desc(), Message.id.desc()).limit(LISTED).all()
    return render_template("admin/answers.html", answers=found)


@bp.route("/reports/<int:report_id>/conversation", methods=["POST"])
@roles(*EDITORS)
def report_conversation(report_id):
    """``action=close`` ends the conversation (she can no longer answer on /case); ``reopen``."""
    report = report_or_refuse(report_id)
    action = request.form.get("action", "")
    if action not in ("close", "reopen"):
        flash(_("Unknown action."), "error")
        return redirect(url_for("admin.report", report_id=report.id) + "#messages")
    if conversation.close(report, action == "close"):
        record(f"conversation.{'closed' if action == 'close' else 'reopened'}", report)
        db.session.commit()
        flash(_("Conversation closed: she can read it but no longer answer.") if action == "close"
              else _("Conversation reopened: she can answer again."), "info")
    return redirect(url_for("admin.report", report_id=report.id) + "#messages")
