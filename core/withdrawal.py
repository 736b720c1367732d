"""Withdrawal: with her code she takes her report back.

At once and in one commit: the report leaves every public output (they all read
``core.publicdata.published``, which only sees ``published``), her story, title, exact point,
contact, messages and photos are erased, the staff see "withdrawn", and the audit log records the
withdrawal without any content. The row itself stays (status ``withdrawn``) so the staff's
counts and a lawyer's file stay coherent, and so she can still see on /case that it is done.
"""

from __future__ import annotations

from core import storage
from core.admin.audit import record
from core.conversation import Case
from core.extensions import db
from core.models import Attachment, AuditLog, Message, Report
from core.models.base import utcnow
from core.plugins import call_hook

# Keys of audit snapshots that can hold her words; dropped from the report's earlier entries.
TEXT_KEYS = ("title", "story", "public_story", "verification_note")
KEEP_DATA = ("gateway", "kind", "processed")


def _delete_files(attachments) -> None:
    for attachment in list(attachments):
        storage.delete(attachment.stored_name)
        db.session.delete(attachment)


def _erase(message: Message) -> None:
    """Her words and contact out of one message; a reply still waiting to leave never leaves."""
    message.text, message.subject, message.sender, message.sender_hash = "", None, None, None
    # Nothing more is done with it: a follow-up left for the worker is not run on what is left.
    message.data = {**{k: v for k, v in (message.data or {}).items() if k in KEEP_DATA},
                    "processed": True}
    message.unread = False
    if message.direction == "out" and message.status == "queued":
        message.status, message.error = "failed", "withdrawn by the reporter"
    _delete_files(message.attachments)


def _scrub_audit(target_type: str, target_id: int) -> None:
    entries = AuditLog.query.filter_by(target_type=target_type, target_id=target_id).all()
    for entry in entries:
        for side in ("before", "after"):
            value = getattr(entry, side)
            if isinstance(value, dict) and any(k in value for k in TEXT_KEYS):
                setattr(entry, side, {k: v for k, v in value.items() if k not in TEXT_KEYS})


def withdraw(case: Case) -> None:
    """Withdraw ``case`` (a report, or a message not yet made into one) and commit."""
    if case.report is not None:
        _withdraw_report(case.report)
    else:
        message = case.message
        for item in [message, *Message.query.filter_by(in_reply_to_id=message.id)]:
            _erase(item)
        before = message.status
        message.status = "withdrawn"
        record("message.withdrawn", message, before={"status": before},
               after={"status": "withdrawn"}, user=None)
        db.session.commit()


def _withdraw_report(report: Report) -> None:
    was_public = report.status == "published"
    before = report.status
    report.status, report.withdrawn_at = "withdrawn", utcnow()
    report.title = report.story = ""
    report.public_story = report.contact = report.verification_note = None
    report.latitude = report.longitude = None
    report.consent_publish = False
    for message in report.messages:
        _erase(message)
    _delete_files(Attachment.query.filter_by(report_id=report.id))
    report.revisions.clear()  # they hold earlier versions of her story
    _scrub_audit("reports", report.id)
    record("report.withdrawn", report, before={"status": before}, after={"status": "withdrawn"},
           user=None)
    from core import legal

    legal.withdrawn(report)  # an open legal case closes with the outcome "she withdrew"
    db.session.commit()
    if was_public:
        call_hook("sesim_report_unpublished", report=report, reason="withdrawn")
