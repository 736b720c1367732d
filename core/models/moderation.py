"""Moderation at scale: who holds a message or report (claims), and the filters moderators save."""

from sqlalchemy.orm import declared_attr

from core.extensions import db
from core.models.base import utcnow

VIEW_TARGETS = ("messages", "reports")


class Claimable:
    """Columns for a claim: a moderator's own claim expires at ``claim_expires_at``; an admin's
    assignment has no expiry. Taking a claim is one conditional UPDATE (see core.admin.claims)."""

    @declared_attr
    def claimed_by_id(cls):
        return db.Column(db.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    claimed_at = db.Column(db.DateTime)
    claim_expires_at = db.Column(db.DateTime)

    def claim_holder(self, now=None):
        """The user id holding this row now, or None (never claimed, released or expired)."""
        if self.claimed_by_id is None:
            return None
        if self.claim_expires_at is not None and self.claim_expires_at <= (now or utcnow()):
            return None
        return self.claimed_by_id


class SavedView(db.Model):
    """A moderator's named filter of the inbox or the report list (a query string)."""

    __tablename__ = "saved_views"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    target = db.Column(db.String(16), nullable=False)  # messages | reports
    name = db.Column(db.String(80), nullable=False)
    filters = db.Column(db.String(1000), nullable=False, default="")  # a query string
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class ChannelHealth(db.Model):
    """What a channel (and, for SMS, each gateway) last did: fed by intake, fetching and dispatch.
    Errors are stored redacted; nothing here names a reporter."""

    __tablename__ = "channel_health"
    __table_args__ = (db.UniqueConstraint("channel", "gateway", name="uq_channel_health"),)

    id = db.Column(db.Integer, primary_key=True)
    channel = db.Column(db.String(32), nullable=False)
    gateway = db.Column(db.String(32), nullable=False, default="")
    last_received_at = db.Column(db.DateTime)
    last_ok_at = db.Column(db.DateTime)  # a successful poll, send or device check-in
    last_error_at = db.Column(db.DateTime)
    last_error = db.Column(db.String(500))
    failures = db.Column(db.Integer, nullable=False, default=0)  # in a row, since the last success
    alerted_at = db.Column(db.DateTime)  # last alert e-mail, so admins are not flooded
