"""The audit log as staff read it: actions in words, targets by name or public id, and
before/after values as text in the reader's language (place and category names in her script).
Unknown actions and fields (a plugin's own) are shown as they are stored."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.admin.choices import place_label
from core.admin.labels import MESSAGE_STATUS_LABELS, PRECISION_LABELS, ROLE_LABELS, label
from core.channels import channel_label
from core.extensions import db
from core.models import Category, Message, Report, SavedView, User

ACTIONS = {
    "login.ok": _l("logged in"), "login.failed": _l("failed to log in"),
    "login.locked_out": _l("was locked out after failed logins"),
    "login.refused_locked": _l("tried to log in while locked out"), "logout": _l("logged out"),
    "session.expired": _l("was logged out after inactivity"),
    "user.created": _l("created a staff account"), "user.role": _l("changed a staff role"),
    "user.disable": _l("disabled a staff account"), "user.enable": _l("enabled a staff account"),
    "user.require_totp": _l("required a second factor"),
    "user.drop_totp_requirement": _l("stopped requiring a second factor"),
    "user.reset_totp": _l("reset a second factor"), "user.invite": _l("made a new invitation link"),
    "user.unlock": _l("unlocked a staff account"), "user.invite_accepted": _l("accepted an invitation"),
    "user.password_changed": _l("changed the password"), "user.totp_enabled": _l("set up a second factor"),
    "report.created_from_messages": _l("made a report from messages"), "report.edited": _l("edited a report"),
    "report.moderated": _l("changed verification, public place or public story"),
    "report.publish": _l("published a report"), "report.reject": _l("rejected a report"),
    "report.archive": _l("archived a report"), "report.reopen": _l("sent a report back to pending"),
    "report.publish_override": _l("published despite a warning"),
    "report.lawyer_assigned": _l("assigned a lawyer"), "report.note_added": _l("added a note"),
    "report.contact_viewed": _l("viewed the reporter's contact"),
    "report.reply_sent": _l("replied to the reporter"),
    "report.messages_added": _l("added messages to a report"),
    "report.categorised": _l("added a category"),
    "message.spam": _l("marked a message as spam"), "message.ignored": _l("ignored a message"),
    "message.new": _l("put a message back to new"),
    "message.categorised": _l("suggested a category for a message"),
    "claim.taken": _l("claimed"), "claim.released": _l("released a claim"), "claim.assigned": _l("assigned"),
    "category.created": _l("created a category"), "category.edited": _l("edited a category"),
    "attachment.opened": _l("opened a photo or file"),
    "view.saved": _l("saved a view"), "view.deleted": _l("deleted a view"),
    "refused.csrf": _l("refused: the form had expired or was not ours"),
    "refused.role": _l("refused: not allowed for this role"),
    "refused.report": _l("refused: a report this account may not open"),
    "refused.attachment": _l("refused: a file this account may not open"),
    "refused.bulk_ids": _l("refused: a bulk action on messages or reports that do not exist"),
    "refused.messages_claim": _l("refused: claim on a message"),
    "refused.reports_claim": _l("refused: claim on a report"),
    "refused.message_claim": _l("refused: claim on a message that does not exist"),
    "refused.attach": _l("refused: adding messages to a report"),
    "refused.view": _l("refused: someone else's saved view"),
    "refused.password_change": _l("refused: password change (wrong current password)"),
    "refused.totp_change": _l("refused: second factor change"),
}

FIELDS = {
    "title": _l("title"), "story": _l("story"), "occurred_at": _l("date"), "place_id": _l("place"),
    "region_id": _l("region"), "language": _l("language"), "consent_publish": _l("story may be public"),
    "wants_legal_help": _l("wants legal help"), "categories": _l("categories"),
    "status": _l("state"), "verified": _l("verified"), "verification_note": _l("how it was verified"),
    "location_precision": _l("public location"), "public_story": _l("public story"),
    "lawyer_id": _l("lawyer"), "holder_id": _l("held by"), "role": _l("role"), "active": _l("active"),
    "totp_required": _l("second factor required"), "totp": _l("second factor set up"),
    "email": _l("e-mail"), "invited": _l("invited"), "messages": _l("messages"),
    "channel": _l("channel"), "message_id": _l("message"), "kind": _l("kind"), "name": _l("name"),
    "filter": _l("filter"),
}
LANGUAGES = {"az": "Azərbaycanca", "ru": "Русский", "en": "English"}
REPORT_STATUS = {"pending": _l("pending"), "published": _l("published"), "rejected": _l("rejected"),
                 "archived": _l("archived"), "withdrawn": _l("withdrawn by her")}
MAX_TEXT = 300


@dataclass
class Row:
    entry: object
    action: str
    target: str = ""
    url: str | None = None
    changes: list = field(default_factory=list)  # (field label, before text, after text)


def action_label(action: str) -> str:
    return str(ACTIONS[action]) if action in ACTIONS else action


def rows(entries) -> list[Row]:
    """Readable rows for a page of ``AuditLog`` entries (targets loaded in one query per kind)."""
    targets = _load_targets(entries)
    found = []
    for entry in entries:
        row = Row(entry, action_label(entry.action))
        target = targets.get((entry.target_type, entry.target_id))
        row.target, row.url = _describe(entry.target_type, entry.target_id, target)
        keys = [k for k in (entry.before or {}) | (entry.after or {})] \
            if isinstance(entry.before or {}, dict) and isinstance(entry.after or {}, dict) else []
        for key in keys:
            before = (entry.before or {}).get(key) if entry.before else None
            after = (entry.after or {}).get(key) if entry.after else None
            row.changes.append((str(FIELDS.get(key, key)), text(key, before, entry.before is not None),
                                text(key, after, entry.after is not None)))
        found.append(row)
    return found


def _load_targets(entries) -> dict:
    wanted: dict[str, set] = {}
    for entry in entries:
        if entry.target_type and entry.target_id is not None:
            wanted.setdefault(entry.target_type, set()).add(entry.target_id)
    models = {"reports": Report, "messages": Message, "users": User, "categories": Category,
              "saved_views": SavedView}
    loaded = {}
    for kind, ids in wanted.items():
        model = models.get(kind)
        if model is not None:
            for obj in db.session.query(model).filter(model.id.in_(ids)):
                loaded[(kind, obj.id)] = obj
    return loaded


def _describe(kind, target_id, target) -> tuple[str, str | None]:
    if kind is None:
        return "", None
    if target is None:
        return _("%(kind)s %(id)s (deleted)", kind=kind, id=target_id), None
    if kind == "reports":
        return _("report %(id)s: %(title)s", id=target.public_id, title=target.title), \
            url_for("admin.report", report_id=target.id)
    if kind == "messages":
        when = target.received_at.strftime("%Y-%m-%d %H:%M")
        return _("message by %(channel)s, %(time)s", channel=channel_label(target.channel),
                 time=when), url_for("admin.conversation", message_id=target.id) \
            if target.direction == "in" else None
    if kind == "users":
        return target.email, None
    if kind == "categories":
        return _("category %(name)s", name=target.name), url_for("admin.categories")
    if kind == "saved_views":
        return _("view %(name)s", name=target.name), None
    return f"{kind} {target_id}", None


def text(key: str, value, present: bool = True) -> str:
    """One stored value as words."""
    if not present:
        return ""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "categories" and isinstance(value, list):
        names = {c.slug: c.name for c in Category.query.filter(Category.slug.in_(value))}
        return ", ".join(names.get(slug, slug) for slug in value)
    if key in ("place_id", "region_id"):
        return place_label(value) or str(value)
    if key == "language":
        return LANGUAGES.get(value, str(value))
    if key == "status":
        return str(REPORT_STATUS.get(value) or MESSAGE_STATUS_LABELS.get(value) or value)
    if key == "location_precision":
        return str(label(PRECISION_LABELS, value))
    if key == "role":
        return str(label(ROLE_LABELS, value))
    if key == "channel":
        return str(channel_label(value))
    if key in ("lawyer_id", "holder_id"):
        user = db.session.get(User, value) if isinstance(value, int) else None
        return user.email if user else str(value)
    if key == "occurred_at" and isinstance(value, str):
        return value[:10]
    if key == "messages" and isinstance(value, list):
        return _("%(count)d messages", count=len(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{FIELDS.get(k, k)}: {text(k, v)}" for k, v in value.items())
    value = str(value)
    return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…"
