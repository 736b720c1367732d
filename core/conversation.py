"""Her case after she reported: find it by code, say where it stands, and hold the conversation
between her and the staff (staff replies, her answers, unread answers, closing).

A case is a report (web form, or messages a moderator turned into one) or, before that, the
channel message her code was issued for. Every channel shares this: a web reporter reads staff
replies on ``/case``; an SMS/e-mail/X/Facebook reporter also gets them through her channel.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import false, update
from sqlalchemy.orm.attributes import set_committed_value

from core import casecodes
from core.extensions import db
from core.models import AuditLog, Message, Report
from core.models.base import utcnow

STAFF_REPLY = "staff"  # data["kind"] of what staff wrote to her
ANSWER = "answer"  # data["kind"] of what she wrote back
HIDDEN_KINDS = {"case-code", "help"}  # automatic replies: never part of the conversation she reads


def claim_answer(message: Message) -> bool:
    """Claim the one automatic answer ``message`` gets (her case code, HELP, an alert
    confirmation): a compare-and-set in the database, so of two deliveries, follow-ups or workers
    answering at once only one does — a second code would void the first, which only her phone or
    mailbox holds, and every extra SMS is one more trace on a phone that may be shared. The caller
    commits the claim with the reply (a failed reply rolls the claim back)."""
    now = utcnow()
    claimed = db.session.execute(
        update(Message).where(Message.id == message.id, Message.answered_at.is_(None))
        .values(answered_at=now).execution_options(synchronize_session=False)
    ).rowcount == 1
    if claimed:
        set_committed_value(message, "answered_at", now)
    return claimed


@dataclass
class Case:
    """The report her code opens, or the message it was issued for when no report exists yet."""

    report: Report | None = None
    message: Message | None = None

    @property
    def key(self) -> str:
        """What the (encrypted) session keeps while her case is open: no code, no words."""
        return f"r{self.report.id}" if self.report is not None else f"m{self.message.id}"

    @property
    def withdrawn(self) -> bool:
        item = self.report if self.report is not None else self.message
        return item.status == "withdrawn"

    @property
    def closed(self) -> bool:
        report = self.report
        return report is not None and (report.conversation_closed_at is not None
                                       or report.status in ("rejected", "archived"))

    @property
    def open_for_answers(self) -> bool:
        return not (self.withdrawn or self.closed)


def by_hash(code_hash: str | None) -> Case | None:
    if not code_hash:
        return None
    report = Report.query.filter_by(case_code_hash=code_hash).one_or_none()
    if report is not None:
        return Case(report=report)
    message = Message.query.filter_by(case_code_hash=code_hash).one_or_none()
    if message is None:
        return None
    return Case(report=message.report) if message.report is not None else Case(message=message)


def find(code: str) -> Case | None:
    """The case of ``code``, or None (mistyped, unknown: the caller cannot tell which)."""
    return by_hash(casecodes.hash_code(code))


def by_key(key: str) -> Case | None:
    """The case kept in her session by ``Case.key``; None if it is gone."""
    kind, number = (key or "")[:1], (key or "")[1:]
    if not number.isdigit():
        return None
    if kind == "r":
        report = db.session.get(Report, int(number))
        return Case(report=report) if report is not None else None
    if kind == "m":
        message = db.session.get(Message, int(number))
        if message is None:
            return None
        return Case(report=message.report) if message.report is not None else Case(message=message)
    return None


def status(case: Case) -> str:
    """Where her case stands, as one of: received, reviewing, published, lawyer, closed, withdrawn."""
    if case.withdrawn:
        return "withdrawn"
    report = case.report
    if report is None:
        return "received"
    legal = getattr(report, "legal_case", None)
    if case.closed or (legal is not None and legal.state == "closed"):
        return "closed"
    if report.assigned_lawyer_id is not None:
        return "lawyer"
    if report.status == "published":
        return "published"
    touched = db.session.query(AuditLog.id).filter(
        AuditLog.target_type == "reports", AuditLog.target_id == report.id,
        AuditLog.user_id.isnot(None)).first()
    return "reviewing" if touched or report.source_channel != "web" else "received"


def thread(case: Case) -> list[Message]:
    """What she may read on /case: staff replies and her own answers, oldest first. Her original
    message and automatic replies (case code, help) stay out."""
    if case.report is not None:
        query = Message.query.filter(Message.report_id == case.report.id)
    else:
        query = Message.query.filter(Message.in_reply_to_id == case.message.id)
    found = query.order_by(Message.received_at, Message.id).all()
    return [m for m in found if _in_conversation(m)]


def _in_conversation(message: Message) -> bool:
    kind = (message.data or {}).get("kind")
    if message.direction == "out":
        return kind not in HIDDEN_KINDS
    return kind == ANSWER


def link_answer(message: Message, case: Case) -> None:
    """Make ``message`` her answer on ``case``: it joins the report (or follows the message her
    code belongs to), and is unread for the staff who handle it. The caller commits."""
    message.data = {**(message.data or {}), "kind": ANSWER}
    if case.report is not None:
        message.report_id = case.report.id
        message.status = "converted"
        message.unread = True
    else:
        message.in_reply_to_id = case.message.id
        message.sender = message.sender or case.message.sender
        message.sender_hash = message.sender_hash or case.message.sender_hash
        message.language = message.language or case.message.language


def adopt_answers(report: Report, messages: list[Message]) -> None:
    """When moderators make a report from her messages, the answers she already sent on that case
    (with her code, before the report existed) join it too, unread. The caller commits."""
    ids = [m.id for m in messages]
    for answer in Message.query.filter(Message.in_reply_to_id.in_(ids), Message.direction == "in",
                                       Message.report_id.is_(None)):
        if is_answer(answer):
            answer.report_id, answer.status, answer.unread = report.id, "converted", True
            for attachment in answer.attachments:
                attachment.report_id = report.id


def mark_thread_answer(message: Message) -> None:
    """A message a channel plugin threaded onto a report while it was received (an e-mail answer
    to our mail) is her answer too. The caller commits."""
    if message.direction == "in" and message.report_id is not None and not is_answer(message):
        message.data = {**(message.data or {}), "kind": ANSWER}
        message.status = "converted" if message.status == "new" else message.status
        message.unread = True


def is_answer(message: Message) -> bool:
    return (message.data or {}).get("kind") == ANSWER


def staff_reply(report: Report, text: str) -> Message:
    """Store a staff reply to her. Through her channel when she wrote through one (SMS, e-mail, X,
    Facebook: ``queue_reply`` delivers it); in any case she reads it on /case."""
    from core.intake import queue_reply

    inbound = [m for m in report.messages if m.direction == "in" and m.sender and not is_answer(m)]
    if inbound:
        source = min(inbound, key=lambda m: (m.received_at, m.id))
        return queue_reply(source, text, kind=STAFF_REPLY)
    reply = Message(
        channel="web", external_id=f"out-web-{uuid.uuid4().hex}", direction="out", text=text,
        language=report.language, status="sent", data={"kind": STAFF_REPLY}, report_id=report.id,
    )
    db.session.add(reply)
    db.session.commit()
    return reply


def handles(user, report: Report) -> bool:
    """The staff member her answers wait for: the assigned lawyer, else any moderator or admin."""
    if report.assigned_lawyer_id is not None:
        return report.assigned_lawyer_id == user.id
    return user.role in ("admin", "moderator")


def unread_answers(user):
    """Query of the unread answers waiting for ``user``."""
    query = Message.query.filter(Message.unread.is_(True), Message.direction == "in") \
        .join(Report, Message.report_id == Report.id)
    if user.role == "lawyer":
        return query.filter(Report.assigned_lawyer_id == user.id)
    if user.role in ("admin", "moderator"):
        return query.filter(Report.assigned_lawyer_id.is_(None))
    return query.filter(false())


def mark_read(report: Report, user) -> int:
    """Her answers on ``report`` are read once the staff member who handles it opens it."""
    if not handles(user, report):
        return 0
    changed = Message.query.filter(Message.report_id == report.id, Message.unread.is_(True)) \
        .update({"unread": False}, synchronize_session="fetch")
    if changed:
        db.session.commit()
    return changed


def close(report: Report, closed: bool) -> bool:
    """Close (or reopen) the conversation; False when nothing changed. The caller audits and commits."""
    if closed == (report.conversation_closed_at is not None):
        return False
    report.conversation_closed_at = utcnow() if closed else None
    return True
