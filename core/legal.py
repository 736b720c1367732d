"""Lawyers' casework: a legal case opens when she asks for legal help; a lawyer takes it (or an
admin assigns it), records its state, outcome and dates. Every step is audited; the caller commits.

The lawyer in charge is ``Report.assigned_lawyer`` (the access rules read it); ``LegalCase`` holds
the rest. A lawyer may change only her own cases: anything else raises ``NotYours``.
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from core import notify
from core.admin.audit import record
from core.extensions import db
from core.models import LegalCase, Message, Report, User
from core.models.base import utcnow
from core.models.legal import LEGAL_STATES, OUTCOMES

STATE_LABELS = {
    "requested": _l("requested, not taken yet"), "taken": _l("taken by a lawyer"),
    "in_progress": _l("in progress"), "referred": _l("referred"), "closed": _l("closed"),
}
OUTCOME_LABELS = {
    "advice": _l("advice given"),
    "referred_police": _l("referred to the police"),
    "referred_prosecutor": _l("referred to the prosecutor"),
    "referred_court": _l("referred to a court"),
    "referred_ngo": _l("referred to an NGO"),
    "referred_shelter": _l("referred to a shelter"),
    "complaint_drafted": _l("complaint drafted"),
    "complaint_filed": _l("complaint filed"),
    "no_answer": _l("no answer from her"),
    "withdrew": _l("she withdrew"),
}
EARLIEST_FOLLOW_UP = date(2000, 1, 1)
LATEST_FOLLOW_UP = date(2100, 12, 31)


class CaseError(ValueError):
    """A casework step is not possible; ``str(error)`` is a translated reason for the staff."""


class NotYours(CaseError):
    """A lawyer tried to act on a case another lawyer holds."""


class StaleForm(CaseError):
    """The case changed since the form was opened."""


def enabled() -> bool:
    return bool(current_app.config["SESIM_LEGAL_HELP"])


def _last_inbound_id(report: Report) -> int:
    found = db.session.query(func.max(Message.id)).filter(
        Message.report_id == report.id, Message.direction == "in").scalar()
    return int(found or 0)


def ensure_case(report: Report, announce: bool = True) -> LegalCase:
    """The report's legal case, opened now (state ``requested``) when it has none."""
    if report.legal_case is not None:
        return report.legal_case
    case = LegalCase(report=report, state="requested", requested_at=report.created_at or utcnow(),
                     seen_message_id=_last_inbound_id(report))
    db.session.add(case)
    db.session.flush()
    record("legal.requested", report, after={"state": "requested"})
    if announce and report.assigned_lawyer_id is None:
        for lawyer in notify.lawyers():
            notify.queue(lawyer, "legal_request", report)
    return case


def open_if_requested(report: Report) -> LegalCase | None:
    """Open the case of a report that asks for legal help, in a deployment that offers it."""
    if enabled() and report.wants_legal_help and report.legal_case is None:
        return ensure_case(report)
    return None


def _bump(case: LegalCase) -> None:
    case.version = (case.version or 0) + 1
    case.updated_at = utcnow()


def take(report: Report, user: User) -> bool:
    """The lawyer ``user`` takes the case herself; False when it was already hers."""
    if report.assigned_lawyer_id == user.id:
        return False
    if report.assigned_lawyer_id is not None:
        raise NotYours(_l("Another lawyer already took this case. Ask an administrator if it "
                          "should be handed to you."))
    case = ensure_case(report, announce=False)
    before = {"state": case.state, "lawyer_id": None}
    report.assigned_lawyer_id = user.id
    if case.state == "requested":
        case.state = "taken"
    case.taken_at = case.taken_at or utcnow()
    case.seen_message_id = max(case.seen_message_id or 0, _last_inbound_id(report))
    _bump(case)
    record("legal.taken", report, before=before, after={"state": case.state, "lawyer_id": user.id})
    return True


def assign(report: Report, lawyer: User | None, by: User) -> bool:
    """An administrator gives the case to ``lawyer`` (or to nobody); False when nothing changed."""
    before = report.assigned_lawyer_id
    after = lawyer.id if lawyer else None
    if before == after:
        return False
    report.assigned_lawyer_id = after
    case = report.legal_case
    if lawyer is not None:
        case = ensure_case(report, announce=False)
        if case.state == "requested":
            case.state = "taken"
        case.taken_at = case.taken_at or utcnow()
        case.seen_message_id = max(case.seen_message_id or 0, _last_inbound_id(report))
        if lawyer.id != by.id:
            notify.queue(lawyer, "case_assigned", report)
    elif case is not None and case.state in ("taken", "in_progress"):
        case.state = "requested"  # back in the queue of requests nobody has taken
    if case is not None:
        _bump(case)
    record("report.lawyer_assigned", report, before={"lawyer_id": before},
           after={"lawyer_id": after, "state": case.state if case else None})
    return True


def may_change(report: Report, user: User) -> bool:
    if user.role in ("admin", "moderator"):
        return True
    return user.role == "lawyer" and report.assigned_lawyer_id == user.id


def update(report: Report, user: User, state: str, outcome: str, follow_up_on: date | None,
           version: int | None) -> bool:
    """Record the case's state, outcome and follow-up date; False when nothing changed."""
    if not may_change(report, user):
        if report.assigned_lawyer_id is None:
            raise NotYours(_l("Take this case before you record anything on it."))
        raise NotYours(_l("This case belongs to another lawyer. You cannot change it."))
    case = ensure_case(report, announce=False)
    if version is not None and version != case.version:
        raise StaleForm(_l("Someone changed this case after you opened the page. Its current "
                           "state is shown below: check it and save again."))
    if state not in LEGAL_STATES:
        raise CaseError(_l("Choose one of the listed states."))
    outcome = outcome or None
    if state == "closed" and outcome not in OUTCOMES:
        raise CaseError(_l("A closed case needs an outcome: choose one from the list."))
    if state != "closed" and outcome is not None:
        raise CaseError(_l("An outcome is recorded only when the case is closed."))
    if follow_up_on is not None and not EARLIEST_FOLLOW_UP <= follow_up_on <= LATEST_FOLLOW_UP:
        raise CaseError(_l("The follow-up date is not a real date."))
    if state != "requested" and report.assigned_lawyer_id is None:
        raise CaseError(_l("Assign a lawyer before the case moves on."))
    fields = ("state", "outcome", "follow_up_on")
    before = {f: _plain(getattr(case, f)) for f in fields}
    case.state, case.outcome, case.follow_up_on = state, outcome, follow_up_on
    if state == "closed":
        case.closed_at = case.closed_at or utcnow()
    else:
        case.closed_at = None
    after = {f: _plain(getattr(case, f)) for f in fields}
    if before == after:
        return False
    _bump(case)
    record("legal.updated", report, before={k: v for k, v in before.items() if v != after[k]},
           after={k: v for k, v in after.items() if v != before[k]})
    return True


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def answered(report: Report, at=None) -> None:
    """Staff wrote to her on this report: the first time, that is the case's first answer."""
    case = report.legal_case
    if case is None:
        return
    changed = False
    if case.first_answer_at is None:
        case.first_answer_at = at or utcnow()
        changed = True
    if case.state == "taken":
        case.state = "in_progress"
        changed = True
    if changed:
        _bump(case)
        record("legal.answered", report, after={"state": case.state})


def withdrawn(report: Report) -> None:
    """She withdrew her report: an open case closes with that outcome (for the withdrawal flow)."""
    case = report.legal_case
    if case is None or case.state == "closed":
        return
    case.state, case.outcome, case.closed_at = "closed", "withdrew", utcnow()
    _bump(case)
    record("legal.updated", report, after={"state": "closed", "outcome": "withdrew"})
