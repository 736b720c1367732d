"""One sender's conversation: her messages on one channel (grouped by sender hash, never by the
number or address itself), the reports made from them and every reply in the same thread; and
adding messages to a report that already exists."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_

from core.admin import bp
from core.admin.access import EDITORS, refuse, roles
from core.admin.audit import record
from core.admin.claims import claim_from_form, holder
from core.admin.workflow import WorkflowError, add_messages_to_report
from core.conversation import is_answer
from core.extensions import db
from core.models import Message, Report
from core.numbers import whole

MAX_THREAD = 500


def thread(message: Message) -> list[Message]:
    """Every message of ``message``'s conversation, oldest first: the same sender on the same
    channel, plus replies to those messages and whatever else belongs to the reports made from
    them (staff replies, her answers through the case page)."""
    if is_answer(message) and message.in_reply_to is not None:
        message = message.in_reply_to  # her answer on /case: the conversation of what she answered
    if message.sender_hash:
        mine = Message.query.filter(Message.channel == message.channel,
                                    Message.sender_hash == message.sender_hash,
                                    Message.direction == "in").limit(MAX_THREAD).all()
    else:
        mine = [message]
    ids = [m.id for m in mine]
    report_ids = {m.report_id for m in mine if m.report_id}
    conditions = [Message.id.in_(ids), Message.in_reply_to_id.in_(ids)]
    if report_ids:
        conditions.append(Message.report_id.in_(report_ids))
    return (Message.query.filter(or_(*conditions))
            .order_by(Message.received_at, Message.id).limit(MAX_THREAD).all())


@bp.route("/messages/<int:message_id>")
@roles(*EDITORS)
def conversation(message_id):
    message = db.session.get(Message, message_id)
    if message is None or message.direction != "in":
        abort(404)
    items = thread(message)
    reports = sorted({m.report for m in items if m.report is not None}, key=lambda r: r.id)
    return render_template("admin/conversation.html", message=message, items=items,
                           reports=reports, holder=holder, is_answer=is_answer)


def find_report(ref: str) -> Report | None:
    """A report by its public id, or by its number as the staff pages show it."""
    ref = (ref or "").strip()
    if not ref:
        return None
    found = Report.query.filter_by(public_id=ref).one_or_none()
    if found is None and whole(ref) is not None:
        found = db.session.get(Report, whole(ref))
    return found


@bp.route("/messages/attach", methods=["GET", "POST"])
@roles(*EDITORS)
def message_attach():
    """Add the chosen messages to an existing report (asked for by its public id)."""
    ids = [n for n in (whole(v) for v in request.values.getlist("ids")) if n is not None][:100]
    chosen = Message.query.filter(Message.id.in_(ids), Message.direction == "in") \
        .order_by(Message.received_at).all() if ids else []
    if not chosen or len(chosen) != len(set(ids)):
        if ids:
            record("refused.bulk_ids", note=f"messages attach: {', '.join(map(str, ids))}",
                   commit=True)
        flash(_("Choose at least one message."), "error")
        return redirect(url_for("admin.messages"))
    ref = (request.values.get("report") or "").strip()[:40]
    report = find_report(ref)
    error = None
    if request.method == "POST":
        if report is None:
            error = _("No report has the id %(ref)s.", ref=ref) if ref else _("Write the report's id.")
        else:
            try:
                add_messages_to_report(report, chosen, current_user)
            except WorkflowError as exc:
                db.session.rollback()
                error = str(exc)
                record("refused.attach", report, note=error, commit=True)
            else:
                db.session.commit()
                flash(_("Messages added to the report."), "info")
                return redirect(url_for("admin.report", report_id=report.id) + "#messages")
    candidates = sorted({m.report for c in chosen for m in thread(c) if m.report is not None},
                        key=lambda r: r.id)
    status = 400 if error else 200
    return render_template("admin/message_attach.html", chosen=chosen, report=report, ref=ref,
                           error=error, candidates=candidates), status


@bp.route("/messages/<int:message_id>/claim", methods=["POST"])
@roles(*EDITORS)
def message_claim(message_id):
    """Claim or release one message; a message that is gone or already in a report is refused."""
    message = db.session.get(Message, message_id)
    if message is None or message.direction != "in":
        refuse("message_claim", status=404)
    return claim_from_form(message, url_for("admin.conversation", message_id=message.id),
                           _("You hold this message now."))
