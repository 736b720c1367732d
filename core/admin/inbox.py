"""The inbox: raw messages from every channel; filter, claim, mark spam or ignored, assign, and
turn one sender's messages into a report or add them to an existing one."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func

from core.admin import bp
from core.admin.access import EDITORS, refuse, roles
from core.admin.audit import record
from core.admin.casework import fields_form, form_fields
from core.admin.choices import category_choices, place_label
from core.admin.claims import ClaimError, assign, assignable, claim, holder, holder_filter, release
from core.admin.savedviews import views_with_counts
from core.admin.workflow import WorkflowError, report_from_messages
from core.channels import filter_choices
from core.extensions import db
from core.models import Category, Message, User
from core.models.base import utcnow
from core.models.message import INBOUND_STATUSES
from core.numbers import whole
from core.plugins import call_hook

PER_PAGE = 50
MARKS = {"spam", "ignored", "new"}
FILTER_KEYS = ("status", "channel", "holder", "sender")


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


def message_query(args, user):
    """Inbound messages matching the inbox filters in ``args``; ``(query, status)``."""
    query = Message.query.filter(Message.direction == "in")
    if args.get("channel"):
        query = query.filter(Message.channel == args["channel"])
    sender_of = whole(args.get("sender", ""))
    if sender_of is not None:  # one sender's messages, named by one of them (no hash in the URL)
        ref = db.session.get(Message, sender_of)
        if ref is not None and ref.sender_hash:
            query = query.filter(Message.sender_hash == ref.sender_hash,
                                 Message.channel == ref.channel)
    condition = holder_filter(Message, args.get("holder", ""), user)
    if condition is not None:
        query = query.filter(condition)
    status = args.get("status", "new")
    if status in INBOUND_STATUSES:
        query = query.filter(Message.status == status)
    else:
        status = "all"
    return query, status


def same_sender_counts(messages) -> dict:
    """``{(channel, sender_hash): count}`` of inbound messages, for the conversation links."""
    hashes = {m.sender_hash for m in messages if m.sender_hash}
    if not hashes:
        return {}
    rows = (db.session.query(Message.channel, Message.sender_hash, func.count(Message.id))
            .filter(Message.sender_hash.in_(hashes), Message.direction == "in")
            .group_by(Message.channel, Message.sender_hash).all())
    return {(channel, digest): count for channel, digest, count in rows}


@bp.route("/messages")
@roles(*EDITORS)
def messages():
    query, status = message_query(request.args, current_user)
    channel = request.args.get("channel") or ""
    page = query.order_by(Message.received_at.desc(), Message.id.desc()).paginate(
        per_page=PER_PAGE, error_out=False)
    channels = filter_choices(c for (c,) in db.session.query(Message.channel)
                              .filter(Message.direction == "in").distinct())
    status_counts = dict(db.session.query(Message.status, func.count(Message.id))
                         .filter(Message.direction == "in").group_by(Message.status).all())
    args = {k: request.args[k] for k in FILTER_KEYS if request.args.get(k)}
    return render_template("admin/messages.html", page=page, channel=channel, status=status,
                           statuses=INBOUND_STATUSES, channels=channels,
                           sender_counts=same_sender_counts(page.items),
                           status_counts=status_counts, suggestions=suggestions, holder=holder,
                           args=args, holder_value=request.args.get("holder", ""),
                           views=views_with_counts("messages"), staff=assignable(),
                           categories=category_choices())


def _back():
    return redirect(request.form.get("back") if (request.form.get("back") or "").startswith(
        "/admin/") else url_for("admin.messages"))


@bp.route("/messages/mark", methods=["POST"])
@roles(*EDITORS)
def messages_mark():
    """Every bulk action of the inbox. Ids that are not inbound messages refuse the whole action."""
    action = request.form.get("action", "")
    if action.startswith("claim:"):  # the claim button on one message
        ids, action = _ids([action.partition(":")[2]]), "claim"
    else:
        ids = _ids(request.form.getlist("ids"))
    if action == "report":
        return redirect(url_for("admin.message_report", ids=ids))
    if action == "attach":
        return redirect(url_for("admin.message_attach", ids=ids,
                                report=request.form.get("report", "")[:40]))
    if action not in (*MARKS, "claim", "release", "assign", "categorise") or not ids:
        flash(_("Choose at least one message and an action."), "error")
        return _back()
    if action == "assign" and current_user.role != "admin":
        refuse("role")
    chosen = Message.query.filter(Message.id.in_(ids), Message.direction == "in").all()
    foreign = sorted(set(ids) - {m.id for m in chosen})
    if foreign:
        record("refused.bulk_ids", note=f"messages {action}: {', '.join(map(str, foreign))}",
               commit=True)
        flash(_("Nothing was changed: %(count)d of the chosen messages do not exist (any more).",
                count=len(foreign)), "error")
        return _back()
    if action == "assign":
        return _assign(chosen)
    category = None
    if action == "categorise":
        category = db.session.get(Category, whole(request.form.get("category", "")) or 0)
        if category is None or not category.active:
            flash(_("Choose a category."), "error")
            return _back()
    changed, skipped = 0, []
    for message in chosen:
        try:
            changed += _apply(message, action, category)
        except ClaimError as exc:
            skipped.append(str(exc))
    db.session.commit()
    flash(_("%(count)d messages changed.", count=changed), "info")
    for reason in sorted(set(skipped)):
        flash(reason, "error")
    return _back()


def _apply(message: Message, action: str, category=None) -> int:
    if action == "claim":
        claim(message, current_user)
        return 1
    if action == "release":
        return int(release(message, current_user))
    current = holder(message)
    if (current is not None and message.claimed_by_id != current_user.id
            and current_user.role != "admin"):
        raise ClaimError(_("Some messages are held by another moderator and were left alone."))
    if action == "categorise":
        return _categorise(message, category)
    if message.status == "converted" or message.status == action:
        return 0
    record(f"message.{action}", message, before={"status": message.status}, after={"status": action})
    message.status = action
    return 1


def _categorise(message: Message, category: Category) -> int:
    """Add a category to the message's suggestions: the make-report form will tick it."""
    data = dict(message.data or {})
    hints = dict(data.get("suggestions") or {}) if isinstance(data.get("suggestions"), dict) else {}
    slugs = [s for s in hints.get("categories") or [] if isinstance(s, str)]
    if category.slug in slugs:
        return 0
    hints["categories"] = [*slugs, category.slug]
    message.data = {**data, "suggestions": hints}
    record("message.categorised", message, before={"categories": slugs},
           after={"categories": hints["categories"]})
    return 1


def _assign(chosen: list[Message]):
    raw = whole(request.form.get("assignee", ""))
    assignee = db.session.get(User, raw) if raw is not None else None
    if request.form.get("assignee") and (assignee is None or assignee.role not in EDITORS
                                         or not assignee.active):
        flash(_("Choose an active moderator or administrator."), "error")
        return _back()
    changed, errors = 0, set()
    for message in chosen:
        try:
            assign(message, assignee, current_user)
            changed += 1
        except ClaimError as exc:
            errors.add(str(exc))
    db.session.commit()
    flash(_("%(count)d messages changed.", count=changed), "info")
    for reason in sorted(errors):
        flash(reason, "error")
    return _back()


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
