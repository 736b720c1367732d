from core.extensions import db
from core.models.base import utcnow


class ReportRevision(db.Model):
    """One staff edit of a report: ``changes`` maps a field to ``[before, after]``, so the
    reporter's original words and every change since stay readable to staff."""

    __tablename__ = "report_revisions"

    id = db.Column(db.Integer, primary_key=True)
    report_id = db.Column(db.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id = db.Column(db.ForeignKey("users.id", ondelete="SET NULL"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    changes = db.Column(db.JSON, nullable=False, default=dict)

    report = db.relationship("Report", back_populates="revisions")
    user = db.relationship("User")


class ReportNote(db.Model):
    """A staff note on a report (verification steps, legal follow-up); never public."""

    __tablename__ = "report_notes"

    id = db.Column(db.Integer, primary_key=True)
    report_id = db.Column(db.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id = db.Column(db.ForeignKey("users.id", ondelete="SET NULL"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    kind = db.Column(db.String(16), nullable=False, default="note")  # note | legal
    body = db.Column(db.Text, nullable=False)

    report = db.relationship("Report", back_populates="notes")
    user = db.relationship("User")
