"""Staff notifications by e-mail: "something is waiting for you", with a link to the admin page.

A notification is a row (``StaffNotification``) written in the request that caused it; the worker
(``sesim worker``, job ``staff-mail``) sends the queued rows through ``core.mail`` and retries the
ones that failed. The e-mail never holds her words, her place or her contact: only what kind of
thing is waiting and where to log in. Each staff member can turn these e-mails off on their
account page.
"""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core import mail
from core.extensions import db
from core.models import LegalCase, Message, Report, StaffNotification, User
from core.models.base import utcnow

log = logging.getLogger("sesim.notify")

MAX_ATTEMPTS = 8
KINDS = {
    "legal_request": _l("A new request for legal help is waiting."),
    "case_assigned": _l("A legal-help case was assigned to you."),
    "she_answered": _l("A woman answered on one of your cases."),
}


def lawyers() -> list[User]:
    return User.query.filter_by(role="lawyer", active=True, notify_by_email=True).order_by(User.id).all()


def queue(user: User, kind: str, report: Report | None = None) -> StaffNotification | None:
    """Add an e-mail for ``user`` to the outbox (the caller commits); None when it would never go."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not (user.active and user.notify_by_email and mail.configured()):
        return None
    note = StaffNotification(user=user, kind=kind, report_id=report.id if report is not None else None)
    db.session.add(note)
    return note


def scan_answers() -> int:
    """Queue "she answered" for each lawyer whose case got new messages from her since last time."""
    queued = 0
    rows = (db.session.query(LegalCase, Report)
            .join(Report, Report.id == LegalCase.report_id)
            .filter(Report.assigned_lawyer_id.isnot(None), LegalCase.state != "closed").all())
    for case, report in rows:
        newest = (db.session.query(db.func.max(Message.id))
                  .filter(Message.report_id == report.id, Message.direction == "in",
                          Message.id > (case.seen_message_id or 0)).scalar())
        if not newest:
            continue
        case.seen_message_id = newest
        lawyer = db.session.get(User, report.assigned_lawyer_id)
        if lawyer is not None and queue(lawyer, "she_answered", report) is not None:
            queued += 1
    db.session.commit()
    return queued


def link(note: StaffNotification) -> str:
    base = (current_app.config.get("SESIM_PUBLIC_URL") or "").rstrip("/")
    path = f"/admin/reports/{note.report_id}" if note.report_id else "/admin/legal"
    if note.kind == "legal_request":
        path = "/admin/legal"
    return f"{base}{path}"


def compose(note: StaffNotification) -> tuple[str, str]:
    """Subject and body in the staff member's language: what is waiting and where, nothing else."""
    config = current_app.config
    language = note.user.language or config["SESIM_DEFAULT_LANGUAGE"]
    with force_locale(language):
        site = config["SESIM_SITE_NAME"]
        subject = _("%(site)s: something is waiting for you", site=site)
        body = "\n\n".join([
            str(KINDS[note.kind]),
            _("Log in to see it: %(link)s", link=link(note)),
            _("For her safety this e-mail says nothing more. You can turn these e-mails off on "
              "your account page."),
        ]) + "\n"
    return subject, body


def send_queued() -> tuple[int, int]:
    """Send every queued notification (and retry failed ones); return ``(sent, failed)``."""
    sent = failed = 0
    waiting = (StaffNotification.query
               .filter(StaffNotification.status.in_(("queued", "failed")),
                       StaffNotification.attempts < MAX_ATTEMPTS)
               .order_by(StaffNotification.id).all())
    for note in waiting:
        user = note.user
        if user is None or not user.active or not user.notify_by_email:
            note.status, note.error = "dropped", None
            db.session.commit()
            continue
        note.attempts += 1
        try:
            subject, body = compose(note)
            mail.send(user.email, subject, body)
        except mail.MailError as exc:
            note.status, note.error = "failed", str(exc)[:500]
            failed += 1
            log.warning("staff notification %s not sent: %s", note.id, exc)
        else:
            note.status, note.error, note.sent_at = "sent", None, utcnow()
            sent += 1
        db.session.commit()
    return sent, failed


def run() -> None:
    """The worker's ``staff-mail`` job."""
    if not mail.configured():
        return
    scan_answers()
    sent, failed = send_queued()
    if sent or failed:
        log.info("staff e-mail: %d sent, %d failed", sent, failed)
