"""What moderation does to a report, apart from the pages: make one from messages, edit with a
revision, move the public point, publish, reject. Each step writes the audit log; the caller
commits."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from core import conversation, gazetteer
from core.admin.audit import record
from core.admin.labels import IDENTIFIER_LABELS, PUBLIC_FIELD_LABELS, label
from core.config import split_list
from core.extensions import db
from core.i18n import current_language
from core.models import Category, Message, Report, ReportRevision
from core.models.base import utcnow
from core.plugins import call_hook
from core.redaction import Suggestion, configured_threshold, is_small_place, suggest

EDITABLE = ("title", "story", "occurred_at", "place_id", "region_id", "language",
            "consent_publish", "wants_legal_help", "categories")
STATUS_ACTIONS = {"publish": "published", "reject": "rejected", "archive": "archived",
                  "reopen": "pending"}


class WorkflowError(ValueError):
    """A step is not possible; ``str(error)`` is a translated reason for the moderator."""


MIN_OVERRIDE_REASON = 10  # characters: a few words, not "ok"


def public_flags(report: Report) -> dict:
    """What in the public text may identify her: ``{"title"|"story": [Suggestion, ...]}``.
    The story is the moderator's public version (the reporter's own words are never public)."""
    texts = {"title": report.title or "", "story": report.public_story or ""}
    flags = {name: found for name, text in texts.items() if (found := suggest(text))}
    if village := small_public_place(report):
        flags["point"] = [Suggestion("place", 0, len(village), village)]
    return flags


def small_public_place(report: Report) -> str:
    """The small village the map and the report page would name (precision "place"), or "".
    In a village of a few hundred people, the place alone can point at her."""
    if report.location_precision != "place" or not report.place_id:
        return ""
    place = gazetteer.load().place(report.place_id)
    if place is None or not is_small_place(place, configured_threshold()):
        return ""
    return place.name(current_language())


def describe_flags(flags: dict) -> str:
    """``title: phone number, @handle; story: …`` in the moderator's language (no identifiers)."""
    return "; ".join(
        f"{label(PUBLIC_FIELD_LABELS, name)}: "
        + ", ".join(dict.fromkeys(str(label(IDENTIFIER_LABELS, s.kind)) for s in items))
        for name, items in flags.items())


def check_public_text(report: Report, override_fields=(), reason: str = "") -> dict:
    """The publish gate: raise WorkflowError unless every flagged field is overridden with a
    reason; return the overridden flags (to audit)."""
    flags = public_flags(report)
    left = {name: items for name, items in flags.items() if name not in set(override_fields)}
    if left:
        raise WorkflowError(_("The public text may identify her (%(found)s). Remove it, or tick "
                              "the field and write why it may stay.", found=describe_flags(left)))
    if flags and len((reason or "").strip()) < MIN_OVERRIDE_REASON:
        raise WorkflowError(_("Write why the flagged text may stay public (at least a few words)."))
    return flags


def _public_place(report: Report) -> tuple:
    return report.place_id, report.location_precision


def _guard_published(report: Report, place_before: tuple) -> None:
    """A public report's text is public at once: an edit may not bring an identifier in. Its
    place is judged only when the edit moves it: one kept at publishing (an audited override, or
    published before the village check) does not lock the report against every later edit."""
    if report.status != "published":
        return
    flags = public_flags(report)
    if _public_place(report) == place_before:
        flags.pop("point", None)
    if flags:
        raise WorkflowError(_("This report is public and the new text may identify her "
                              "(%(found)s). Remove it, or archive the report first and publish "
                              "it again.", found=describe_flags(flags)))


def snapshot(report: Report, fields=EDITABLE) -> dict:
    """Plain values of ``fields``, comparable and JSON-ready."""
    values = {}
    for name in fields:
        value = getattr(report, name)
        if name == "categories":
            value = sorted(c.slug for c in value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        values[name] = value
    return values


def apply_fields(report: Report, fields: dict) -> None:
    """Set the moderator's fields; a place also sets the region and the public point."""
    place = gazetteer.load().place(fields["place_id"]) if fields.get("place_id") else None
    report.title = fields["title"].strip()
    report.story = fields["story"].strip()
    report.occurred_at = datetime.combine(fields["occurred_on"], datetime.min.time())
    report.language = fields["language"]
    report.consent_publish = bool(fields["consent_publish"])
    report.wants_legal_help = bool(fields["wants_legal_help"])
    report.categories = Category.query.filter(Category.id.in_(fields["category_ids"] or [])).all()
    if place is not None:
        report.place_id, report.region_id = place.id, place.region_id
    elif fields.get("place_id") == "":
        report.place_id = report.region_id = None
    set_public_location(report, report.location_precision)


def edit(report: Report, fields: dict, user) -> ReportRevision | None:
    """Apply an edit and keep what it replaced as a revision (the first one holds the original)."""
    before, place_before = snapshot(report), _public_place(report)
    apply_fields(report, fields)
    _guard_published(report, place_before)
    after = snapshot(report)
    changes = {k: [before[k], after[k]] for k in EDITABLE if before[k] != after[k]}
    if not changes:
        return None
    revision = ReportRevision(report=report, user_id=user.id, changes=changes)
    db.session.add(revision)
    record("report.edited", report, before={k: v[0] for k, v in changes.items()},
           after={k: v[1] for k, v in changes.items()})
    return revision


def original_values(report: Report) -> dict:
    """Each edited field as the reporter (or the first moderator) left it."""
    found: dict = {}
    for revision in report.revisions:
        for name, (before, _after) in revision.changes.items():
            found.setdefault(name, before)
    return found


def report_from_messages(messages: list[Message], fields: dict, user) -> Report:
    """A new pending report made from one sender's messages, which become ``converted``."""
    if not messages:
        raise WorkflowError(_("Choose at least one message."))
    senders = {m.sender_hash for m in messages}
    if len(messages) > 1 and (len(senders) > 1 or None in senders):
        raise WorkflowError(_("Only messages from the same sender can go into one report."))
    if any(m.direction != "in" or m.report_id for m in messages):
        raise WorkflowError(_("One of these messages already belongs to a report."))
    first = min(messages, key=lambda m: m.received_at)
    config = current_app.config
    report = Report(source_channel=first.channel, location_precision=config["SESIM_LOCATION_PRECISION"],
                    title="", story="", occurred_at=utcnow())
    apply_fields(report, fields)
    db.session.add(report)
    db.session.flush()
    for message in messages:
        message.report = report
        message.status = "converted"
        for attachment in message.attachments:
            attachment.report = report
    conversation.adopt_answers(report, messages)
    record("report.created_from_messages", report, after={
        **snapshot(report), "messages": [m.id for m in messages]})
    return report


def set_public_location(report: Report, precision: str) -> None:
    """Blur the point to ``precision``; the exact point itself is never public."""
    config = current_app.config
    gaz = gazetteer.load()
    report.location_precision = precision
    if precision == "hidden":
        report.public_latitude = report.public_longitude = None
        return
    if precision == "region":
        region = gaz.region(report.region_id or "")
        report.public_latitude, report.public_longitude = (region.lat, region.lon) if region else (None, None)
        return
    place = gaz.place(report.place_id) if report.place_id else None
    lat, lon, place = gazetteer.public_location(
        place, report.latitude, report.longitude, precision, config["SESIM_LOCATION_GRID"],
        split_list(config["SESIM_REGIONS"]) or None)
    report.public_latitude, report.public_longitude = lat, lon
    if place is not None and not report.place_id:
        report.place_id, report.region_id = place.id, place.region_id


def moderate(report: Report, verified: bool, note: str, precision: str, public_story: str, user) -> bool:
    """Verification, public location and the redacted public story, audited together; return
    whether anything changed."""
    fields = ("verified", "verification_note", "location_precision", "public_story")
    before, place_before = {name: getattr(report, name) for name in fields}, _public_place(report)
    if verified and not report.verified:
        report.verified_at, report.verified_by_id = utcnow(), user.id
    elif not verified:
        report.verified_at = report.verified_by_id = None
    report.verified = verified
    report.verification_note = (note or "").strip() or None
    set_public_location(report, precision)
    report.public_story = (public_story or "").strip() or None
    _guard_published(report, place_before)
    after = {name: getattr(report, name) for name in fields}
    if before != after:
        record("report.moderated", report,
               before={k: v for k, v in before.items() if before[k] != after[k]},
               after={k: v for k, v in after.items() if before[k] != after[k]})
    return before != after


def tell_if_public_changed(report: Report, changed: bool) -> None:
    """After the commit: partners and listeners hear that a published report changed."""
    if changed and report.status == "published":
        call_hook("sesim_report_updated", report=report)


def change_status(report: Report, action: str, user, override_fields=(), override_reason="") -> bool:
    """Publish, reject, archive or reopen; return False when nothing changed. Publishing passes
    the gate (``check_public_text``) and fires ``sesim_report_published`` after the commit, taking
    a published report down fires ``sesim_report_unpublished``; rejecting a pending one tells
    nothing to anyone."""
    status = STATUS_ACTIONS[action]
    if report.status == status:
        return False
    if report.status == "withdrawn":
        raise WorkflowError(_("She withdrew this report: it cannot be published or reopened."))
    overridden = {}
    if status == "published":
        overridden = check_public_text(report, override_fields, override_reason)
    before = report.status
    report.status = status
    if status == "published":
        report.published_at = utcnow()
        if report.public_latitude is None and report.location_precision != "hidden":
            set_public_location(report, report.location_precision)
    record(f"report.{action}", report, before={"status": before}, after={"status": status})
    if overridden:
        record("report.publish_override", report, note=override_reason.strip()[:500], after={
            "fields": sorted(overridden),
            "kinds": {name: sorted({s.kind for s in items}) for name, items in overridden.items()}})
    if status == "published":
        db.session.commit()
        call_hook("sesim_report_published", report=report)
    elif before == "published":
        db.session.commit()
        call_hook("sesim_report_unpublished", report=report, reason=action)
    return True


def add_messages_to_report(report: Report, messages: list[Message], user) -> None:
    """Add messages to an existing report (her second SMS, a photo sent later): they become
    ``converted``, their attachments join the report, the story is left as it is."""
    if not messages:
        raise WorkflowError(_("Choose at least one message."))
    if report.status == "rejected":
        raise WorkflowError(_("This report was rejected; reopen it before adding messages."))
    if any(m.direction != "in" for m in messages):
        raise WorkflowError(_("Only received messages can be added to a report."))
    if any(m.report_id is not None for m in messages):
        raise WorkflowError(_("One of these messages already belongs to a report."))
    for message in messages:
        message.report = report
        message.status = "converted"
        for attachment in message.attachments:
            attachment.report = report
    record("report.messages_added", report, after={"messages": [m.id for m in messages]})
