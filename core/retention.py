"""Retention: nothing is kept longer than needed.

``SESIM_RETENTION_DAYS`` after a report is closed — withdrawn, rejected, archived, its
conversation closed or its legal case closed — the raw messages that made it, her contact details
and the conversation with her are erased: texts, subjects, senders and their hashes, the report's
contact field, files that came only with those messages. The report itself (title, story,
categories, public fields, the photos moderators attached to it) stays, so counts, maps and a
lawyer's file stay coherent. A report whose legal case is still open is never purged: the lawyer
needs it. Messages that never became a report and were marked spam or ignored are erased
``SESIM_RETENTION_UNUSED_DAYS`` after they arrived. A setting of 0 keeps everything.

Rows stay (emptied), so a late redelivery of an old SMS is still recognised as a repeat. Every
run that erases something writes one audit entry with counts, never content. ``sesim purge``
runs it (``--dry-run`` counts only); ``sesim worker`` runs it every ``SESIM_PURGE_INTERVAL``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_

from core.extensions import db
from core.media import uploads_dir
from core.models import AuditLog, LegalCase, Message, Report
from core.models.base import utcnow

log = logging.getLogger("sesim.retention")

CLOSED_BY_STAFF = {"rejected": "report.reject", "archived": "report.archive"}
KEEP_DATA = ("gateway", "kind", "processed", "spooled")  # bookkeeping, never her words


@dataclass
class Purge:
    reports: int = 0  # reports whose messages, contact or conversation were erased
    messages: int = 0  # messages emptied (inbound, staff replies, her answers)
    contacts: int = 0  # report contact fields erased
    files: int = 0  # files that came only with erased messages
    unused_messages: int = 0  # spam / ignored messages never made into a report

    @property
    def anything(self) -> bool:
        return any(asdict(self).values())

    def summary(self) -> str:
        return ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in asdict(self).items())


def closed_at(report: Report) -> datetime | None:
    """When the report was closed, or None while it is open (pending or published and talking,
    or with a legal case still open)."""
    if report.status == "withdrawn":
        return report.withdrawn_at or report.updated_at
    legal = LegalCase.query.filter_by(report_id=report.id).one_or_none()
    if legal is not None and legal.closed_at is None:
        return None
    moments = [report.conversation_closed_at, legal.closed_at if legal is not None else None]
    action = CLOSED_BY_STAFF.get(report.status)
    if action:
        moments.append(db.session.query(func.max(AuditLog.created_at)).filter_by(
            target_type="reports", target_id=report.id, action=action).scalar()
            or report.updated_at)
    moments = [m for m in moments if m is not None]
    return max(moments) if moments else None


def _own_files(message: Message) -> list:
    """Files kept only for this message (a report's photos stay with the report)."""
    return [a for a in message.attachments if a.report_id is None]


def _has_content(message: Message) -> bool:
    return bool(message.text or message.subject or message.sender or message.sender_hash
                or set(message.data or {}) - set(KEEP_DATA) or _own_files(message))


def _erase(message: Message, purge: Purge, dry_run: bool) -> None:
    if not _has_content(message):
        return
    purge.messages += 1
    for attachment in _own_files(message):
        purge.files += 1
        if not dry_run:
            (uploads_dir() / attachment.stored_name).unlink(missing_ok=True)
            db.session.delete(attachment)
    if dry_run:
        return
    message.text, message.subject, message.sender, message.sender_hash = "", None, None, None
    message.data = {k: v for k, v in (message.data or {}).items() if k in KEEP_DATA}
    if hasattr(message, "unread"):
        message.unread = False


def _closed_reports(cutoff: datetime):
    closed_legal = db.session.query(LegalCase.report_id).filter(LegalCase.closed_at.isnot(None))
    candidates = Report.query.filter(or_(
        Report.status.in_(("withdrawn", *CLOSED_BY_STAFF)),
        Report.conversation_closed_at.isnot(None),
        Report.id.in_(closed_legal),
    )).order_by(Report.id)
    for report in candidates.yield_per(200):
        moment = closed_at(report)
        if moment is not None and moment <= cutoff:
            yield report


def _steps(items, label: str, show_progress: bool):
    """``items`` with a bar on a terminal when a person runs ``sesim purge`` (never in the worker)."""
    if not show_progress:
        return items
    from core.progress import tracked

    return tracked(items, label, length=len(items))


def purge(dry_run: bool = False, now: datetime | None = None, show_progress: bool = False) -> Purge:
    """Erase what retention says is due; commit and audit (counts only) unless ``dry_run``."""
    config = current_app.config
    now = now or utcnow()
    result = Purge()
    days = int(config["SESIM_RETENTION_DAYS"])
    if days > 0:
        due = list(_closed_reports(now - timedelta(days=days)))
        for report in _steps(due, "Closed reports", show_progress):
            before = result.messages + result.contacts
            if report.contact:
                result.contacts += 1
                if not dry_run:
                    report.contact = None
            for message in Message.query.filter_by(report_id=report.id).all():
                _erase(message, result, dry_run)
            result.reports += (result.messages + result.contacts) > before
    unused_days = int(config["SESIM_RETENTION_UNUSED_DAYS"])
    if unused_days > 0:
        old = Message.query.filter(Message.report_id.is_(None), Message.direction == "in",
                                   Message.status.in_(("spam", "ignored")),
                                   Message.received_at <= now - timedelta(days=unused_days))
        for message in _steps(old.order_by(Message.id).all(), "Unused messages", show_progress):
            counted = result.messages
            _erase(message, result, dry_run)
            if result.messages != counted:
                result.messages -= 1
                result.unused_messages += 1
    if dry_run or not result.anything:
        db.session.rollback()
        return result
    from core.admin.audit import record

    record("retention.purged", after=asdict(result), note=(
        f"retention {days} days after closing, {unused_days} days for unused messages"))
    db.session.commit()
    log.info("retention: %s", result.summary())
    return result


def purge_job() -> None:
    """The worker's periodic job."""
    purge()
