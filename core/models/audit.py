from core.extensions import db
from core.models.base import utcnow


class AuditLog(db.Model):
    """Who did what to which report or message, when; never holds reporter contact details."""

    __tablename__ = "audit_log"

    id = db.Column(db.Integer, primary_key=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    user_id = db.Column(db.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action = db.Column(db.String(64), nullable=False)
    target_type = db.Column(db.String(32))
    target_id = db.Column(db.Integer, index=True)
    before = db.Column(db.JSON)
    after = db.Column(db.JSON)
    note = db.Column(db.Text)

    user = db.relationship("User")
