"""One report: read it, edit it (keeping the original), verify, blur, redact, publish or reject;
assign a lawyer (core.legal), add notes, reveal the contact for a stated reason, reply through her channel."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import conversation, legal
from core.admin import bp
from core.admin.access import EDITORS, STAFF, report_or_refuse, roles
from core.admin.audit import record
from core.admin.choices import as_choices, category_choices, lawyers, place_choices
from core.admin.claims import holder
from core.admin.diffs import word_diff
from core.admin.forms import ModerationForm, ReportFieldsForm
from core.admin.workflow import (
    STATUS_ACTIONS,
    WorkflowError,
    change_status,
    edit,
    moderate,
    original_values,
    public_flags,
    snapshot,
    tell_if_public_changed,
)
from core.extensions import db
from core.models import AuditLog, Message, ReportNote, User
from core.numbers import whole
from core.redaction import redact, suggest

NOTE_MAX_CHARS = 8000
REPLY_MAX_CHARS = 1600  # about ten SMS


def fields_form(report=None, formdata=None) -> ReportFieldsForm:
    form = ReportFieldsForm(formdata=formdata)
    form.place.choices = place_choices()
    form.categories.choices = as_choices(category_choices())
    if report is not None and formdata is None:
        form.title.data, form.story.data = report.title, report.story
        form.occurred_on.data = report.occurred_at.date()
        form.place.data = report.place_id or report.region_id or ""
        form.categories.data = [c.id for c in report.categories]
        form.language.data = report.language
        form.consent_publish.data = report.consent_publish
        form.wants_legal_help.data = report.wants_legal_help
    return form


def form_fields(form: ReportFieldsForm) -> dict:
    return {
        "title": form.title.data, "story": form.story.data, "occurred_on": form.occurred_on.data,
        "place_id": form.place.data or "", "category_ids": form.categories.data,
        "language": form.language.data, "consent_publish": form.consent_publish.data,
        "wants_legal_help": form.wants_legal_help.data,
    }


def moderation_form(report, formdata=None) -> ModerationForm:
    form = ModerationForm(formdata=formdata)
    if formdata is None:
        form.verified.data = report.verified
        form.verification_note.data = report.verification_note
        form.location_precision.data = report.location_precision
        # A first proposal: the story with phone numbers, e-mails and handles masked.
        form.public_story.data = report.public_story if report.public_story is not None \
            else redact(report.story)
    return form


def render_report(report, status=200, edit_form=None, moderation=None, contact=None, legal_form=None):
    source = source_message(report)
    history = AuditLog.query.filter_by(target_type="reports", target_id=report.id) \
        .order_by(AuditLog.id.desc()).limit(50).all()
    return render_template(
        "admin/report.html", report=report, edit_form=edit_form or fields_form(report),
        moderation=moderation or moderation_form(report), story_suggestions=suggest(report.story),
        public_suggestions=suggest(report.public_story or ""), changes=changes(report),
        lawyers=lawyers(), source=source, contact=contact, history=history,
        status_actions=STATUS_ACTIONS, publish_flags=public_flags(report), holder=holder(report),
        thread=Message.query.filter_by(report_id=report.id)
        .order_by(Message.received_at, Message.id).all(),
        reply_channel=reply_channel(report), is_answer=conversation.is_answer,
        legal_form=legal_form, legal_states=legal.STATE_LABELS,
        outcome_labels=legal.OUTCOME_LABELS, legal_help=legal.enabled(),
        reply_max=REPLY_MAX_CHARS,
    ), status


def reply_channel(report) -> str:
    """Where a staff reply goes: her channel when she wrote through one, else only /case."""
    reachable = [m for m in report.messages
                 if m.direction == "in" and m.sender and not conversation.is_answer(m)]
    return reachable[0].channel if reachable else "web"


def changes(report) -> list[tuple[str, list]]:
    """Each edited field: a word diff from its original value to the current one."""
    current = snapshot(report)
    return [(name, word_diff(before, current[name])) for name, before in original_values(report).items()]


def source_message(report) -> Message | None:
    inbound = [m for m in report.messages if m.direction == "in"]
    return min(inbound, key=lambda m: m.received_at) if inbound else None


@bp.route("/reports/<int:report_id>")
@roles(*STAFF)
def report(report_id):
    report = report_or_refuse(report_id)
    response = render_report(report)
    conversation.mark_read(report, current_user)  # after rendering: she sees what was new
    return response


@bp.route("/reports/<int:report_id>/edit", methods=["POST"])
@roles(*EDITORS)
def report_edit(report_id):
    report = report_or_refuse(report_id)
    form = fields_form(report, request.form)
    if not form.validate():
        return render_report(report, 400, edit_form=form)
    try:
        changed = edit(report, form_fields(form), current_user)
    except WorkflowError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return render_report(report, 400, edit_form=form)
    if changed:
        legal.open_if_requested(report)
        db.session.commit()
        tell_if_public_changed(report, True)
        flash(_("Report saved. The earlier text is kept in its history."), "info")
    return redirect(url_for("admin.report", report_id=report.id))


@bp.route("/reports/<int:report_id>/moderate", methods=["POST"])
@roles(*EDITORS)
def report_moderate(report_id):
    report = report_or_refuse(report_id)
    form = moderation_form(report, request.form)
    if not form.validate():
        return render_report(report, 400, moderation=form)
    try:
        changed = moderate(report, form.verified.data, form.verification_note.data,
                           form.location_precision.data, form.public_story.data, current_user)
    except WorkflowError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return render_report(report, 400, moderation=form)
    db.session.commit()  # her story as edited is saved, whatever the publish step says
    tell_if_public_changed(report, changed)
    if request.form.get("then") == "publish":
        return _publish_saved(report)
    left = suggest(report.public_story or "")
    if left:
        flash(_("Saved. The public story still contains %(count)d details that may identify her "
                "(phone numbers, addresses, accounts, places…).", count=len(left)), "error")
    else:
        flash(_("Saved."), "info")
    return redirect(url_for("admin.report", report_id=report.id))


def _publish_saved(report):
    """Save and publish in one step: the public story just saved is the one published, never an
    older one; a refusal says that the text was saved but not published."""
    try:
        published = change_status(report, "publish", current_user,
                                  override_fields=request.form.getlist("override"),
                                  override_reason=request.form.get("override_reason", ""))
    except WorkflowError as exc:
        db.session.rollback()
        flash(_("Saved, but not published: %(reason)s", reason=str(exc)), "error")
        return render_report(report, 400)
    if published:
        db.session.commit()
        flash(_("Saved and published. Only the public fields are visible on the site."), "info")
    return redirect(url_for("admin.report", report_id=report.id))


@bp.route("/reports/<int:report_id>/status", methods=["POST"])
@roles(*EDITORS)
def report_status(report_id):
    report = report_or_refuse(report_id)
    action = request.form.get("action", "")
    if action not in STATUS_ACTIONS:
        flash(_("Unknown action."), "error")
        return render_report(report, 400)
    try:
        changed = change_status(report, action, current_user,
                                override_fields=request.form.getlist("override"),
                                override_reason=request.form.get("override_reason", ""))
    except WorkflowError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return render_report(report, 400)
    if changed:
        db.session.commit()
        messages = {
            "publish": _("Published. Only the public fields are visible on the site."),
            "reject": _("Rejected. Nothing about it is public."),
            "archive": _("Archived. It is no longer public."),
            "reopen": _("Back in the queue as pending."),
        }
        flash(messages[action], "info")
    return redirect(url_for("admin.report", report_id=report.id))


@bp.route("/reports/<int:report_id>/contact", methods=["POST"])
@roles(*STAFF)
def report_contact(report_id):
    """The reporter's contact, decrypted, shown once on this response for a reason that is logged."""
    report = report_or_refuse(report_id)
    reason = (request.form.get("reason") or "").strip()
    if len(reason) < 5:
        flash(_("Write why you need the contact (at least a few words)."), "error")
        return render_report(report, 400)
    senders = sorted({m.sender for m in report.messages if m.direction == "in" and m.sender})
    contact = {"contact": report.contact, "senders": senders}
    record("report.contact_viewed", report, note=reason)
    db.session.commit()
    return render_report(report, contact=contact)


@bp.route("/reports/<int:report_id>/assign", methods=["POST"])
@roles(*EDITORS)
def report_assign(report_id):
    report = report_or_refuse(report_id)
    raw = request.form.get("lawyer_id", "")
    lawyer = db.session.get(User, whole(raw)) if whole(raw) is not None else None
    if raw and (lawyer is None or lawyer.role != "lawyer" or not lawyer.active):
        flash(_("Choose an active lawyer."), "error")
        return render_report(report, 400)
    if legal.assign(report, lawyer, current_user):
        db.session.commit()
        flash(_("Lawyer assignment saved."), "info")
    return redirect(url_for("admin.report", report_id=report.id))


@bp.route("/reports/<int:report_id>/note", methods=["POST"])
@roles(*STAFF)
def report_note(report_id):
    report = report_or_refuse(report_id)
    body = (request.form.get("body") or "").strip()
    if not body or len(body) > NOTE_MAX_CHARS:
        flash(_("A note needs some text (at most %(count)d characters).", count=NOTE_MAX_CHARS), "error")
        return render_report(report, 400)
    kind = "legal" if current_user.role == "lawyer" else "note"
    db.session.add(ReportNote(report=report, user_id=current_user.id, kind=kind, body=body))
    record("report.note_added", report, after={"kind": kind})
    db.session.commit()
    return redirect(url_for("admin.report", report_id=report.id) + "#notes")


@bp.route("/reports/<int:report_id>/reply", methods=["POST"])
@roles(*STAFF)
def report_reply(report_id):
    """Write to the reporter, whatever her channel: she reads it on /case, and through SMS,
    e-mail, X or Facebook when she wrote that way (stored first, then delivered)."""
    report = report_or_refuse(report_id)
    text = (request.form.get("text") or "").strip()
    if report.status == "withdrawn":
        flash(_("She withdrew this report: nothing more can be sent to her."), "error")
        return render_report(report, 400)
    if not text or len(text) > REPLY_MAX_CHARS:
        flash(_("A reply needs some text (at most %(count)d characters).", count=REPLY_MAX_CHARS),
              "error")
        return render_report(report, 400)
    reply = conversation.staff_reply(report, text)
    record("report.reply_sent", report, after={"message_id": reply.id, "channel": reply.channel,
                                                 "status": reply.status})
    legal.answered(report)
    db.session.commit()
    if reply.channel == "web":
        flash(_("Reply saved. She reads it when she opens her case with her code."), "info")
    elif reply.status == "sent":
        flash(_("Reply sent."), "info")
    else:
        flash(_("Reply stored; the channel has not confirmed sending it yet."), "info")
    return redirect(url_for("admin.report", report_id=report.id) + "#messages")
