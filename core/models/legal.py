from core.extensions import db
from core.models.base import utcnow

LEGAL_STATES = ("requested", "taken", "in_progress", "referred", "closed")
OUTCOMES = ("advice", "referred_police", "referred_prosecutor", "referred_court", "referred_ngo",
            "referred_shelter", "complaint_drafted", "complaint_filed", "no_answer", "withdrew")


class LegalCase(db.Model):
    """The legal follow-up of one report: its state, outcome and dates. The lawyer in charge is
    the report's ``assigned_lawyer`` (the access rules read that). ``version`` grows with every
    change, so a form opened before someone else's change is recognised as stale."""

    __tablename__ = "legal_cases"

    id = db.Column(db.Integer, primary_key=True)
    report_id = db.Column(db.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, unique=True)
    state = db.Column(db.String(16), nullable=False, default="requested", index=True)
    outcome = db.Column(db.String(32))
    requested_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    taken_at = db.Column(db.DateTime)
    first_answer_at = db.Column(db.DateTime)
    closed_at = db.Column(db.DateTime)
    follow_up_on = db.Column(db.Date)
    version = db.Column(db.Integer, nullable=False, default=1)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    # Her messages up to this id have been announced to the lawyer by e-mail.
    seen_message_id = db.Column(db.Integer, nullable=False, default=0)

    report = db.relationship("Report", back_populates="legal_case")


class StaffNotification(db.Model):
    """An e-mail waiting for (or sent to) one staff member: only its kind and the report it points
    to are kept, never her words, so the outbox itself holds nothing identifying."""

    __tablename__ = "staff_notifications"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = db.Column(db.String(32), nullable=False)  # legal_request | case_assigned | she_answered
    report_id = db.Column(db.ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    status = db.Column(db.String(16), nullable=False, default="queued", index=True)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    error = db.Column(db.Text)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    sent_at = db.Column(db.DateTime)

    user = db.relationship("User")
