"""The inbox: raw messages from every channel; mark spam or ignored, or turn one sender's
messages into a report."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func

from core.admin import bp
from core.admin.access import EDITORS, roles
from core.admin.audit import record
from core.admin.casework import fields_form, form_fields
from core.admin.choices import place_label
from core.admin.workflow import WorkflowError, report_from_messages
from core.extensions import db
from core.models import Category, Message
from core.models.base import utcnow
from core.models.message import INBOUND_STATUSES
from core.numbers import whole
from core.plugins import call_hook

PER_PAGE = 50
MARKS = {"spam", "ignored", "new"}


def _ids(values) -> list[int]:
    return [n for n in (whole(v) for v in values) if n is not None][:100]


def suggestions(message: Message) -> dict:
    """What the channel guessed (``data["suggestions"]``), as names a moderator can read."""
    raw = (message.data or {}).get("suggestions") or {}
    if not isinstance(raw, dict):
        return {}
    slugs = [s for s in raw.get("categories") or [] if isinstance(s, str)]
    cats = Category.query.filter(Category.slug.in_(slugs)).all() if slugs else []
    places = [p for p in raw.get("places") or [] if isinstance(p, str) and place_label(p)]
    language = raw.get("language") if raw.get("language") in ("az", "ru", "en") else None
    return {"categories": cats, "places": places, "place_names": [place_label(p) for p in places],
            "language": language}


@bp.route("/messages")
@roles(*EDITORS)
def messages():
    query = Message.query.filter(Message.direction == "in")
    channel = request.args.get("channel") or ""
    status = request.args.get("status", "new")
    if channel:
        query = query.filter(Message.channel == channel)
    sender_of = request.args.get("sender", "")
    if whole(sender_of) is not None:  # one sender's messages, named by one of them (no hash in the URL)
        ref = db.session.get(Message, whole(sender_of))
        if ref is not None and ref.sender_hash:
            query = query.filter(Message.sender_hash == ref.sender_hash)
    if status in INBOUND_STATUSES:
        query = query.filter(Message.status == status)
    else:
        status = "all"
    page = query.order_by(Message.received_at.desc(), Message.id.desc()).paginate(
        per_page=PER_PAGE, error_out=False)
    hashes = {m.sender_hash for m in page.items if m.sender_hash}
    counts = dict(db.session.query(Message.sender_hash, func.count(Message.id))
                  .filter(Message.sender_hash.in_(hashes), Message.direction == "in")
                  .group_by(Message.sender_hash).all()) if hashes else {}
    channels = [c for (c,) in db.session.query(Message.channel).filter(Message.direction == "in")
                .distinct().order_by(Message.channel)]
    status_counts = dict(db.session.query(Message.status, func.count(Message.id))
                         .filter(Message.direction == "in").group_by(Message.status).all())
    return render_template("admin/messages.html", page=page, channel=channel, status=status,
                           statuses=INBOUND_STATUSES, channels=channels, sender_counts=counts,
                           status_counts=status_counts, suggestions=suggestions)


@bp.route("/messages/mark", methods=["POST"])
@roles(*EDITORS)
def messages_mark():
    mark = request.form.get("action", "")
    ids = _ids(request.form.getlist("ids"))
    if mark == "report":
        return redirect(url_for("admin.message_report", ids=ids))
    if mark not in MARKS or not ids:
        flash(_("Choose at least one message and an action."), "error")
        return redirect(url_for("admin.messages"))
    changed = 0
    for message in Message.query.filter(Message.id.in_(ids), Message.direction == "in"):
        if message.status == "converted" or message.status == mark:
            continue
        record(f"message.{mark}", message, before={"status": message.status}, after={"status": mark})
        message.status = mark
        changed += 1
    db.session.commit()
    flash(_("%(count)d messages changed.", count=changed), "info")
    return redirect(url_for("admin.messages", status=request.form.get("back_status", "new")))


@bp.route("/messages/report", methods=["GET", "POST"])
@roles(*EDITORS)
def message_report():
    ids = _ids(request.values.getlist("ids"))
    chosen = Message.query.filter(Message.id.in_(ids), Message.direction == "in") \
        .order_by(Message.received_at).all() if ids else []
    if not chosen:
        flash(_("Choose at least one message."), "error")
        return redirect(url_for("admin.messages"))
    form = fields_form(formdata=request.form if request.method == "POST" else None)
    hints = suggestions(chosen[0])
    if request.method == "GET":
        _prefill(form, chosen, hints)
    error = None
    if request.method == "POST" and form.validate():
        try:
            report = report_from_messages(chosen, form_fields(form), current_user)
        except WorkflowError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            call_hook("sesim_report_created", report=report)
            flash(_("Report made. Check it, then verify and publish."), "info")
            return redirect(url_for("admin.report", report_id=report.id))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/message_report.html", form=form, chosen=chosen, hints=hints,
                           error=error), status


def _prefill(form, chosen: list[Message], hints: dict) -> None:
    first = chosen[0]
    form.story.data = "\n\n".join(m.text for m in chosen if m.text)
    form.occurred_on.data = (first.received_at or utcnow()).date()
    form.language.data = hints.get("language") or first.language or "az"
    if hints.get("places"):
        form.place.data = hints["places"][0]
    form.categories.data = [c.id for c in hints.get("categories", [])]
