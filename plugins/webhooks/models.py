"""A partner's endpoint and the deliveries queued for it. The plugin's own tables, migrated by
its own Alembic branch (``migrations/``)."""

from core.crypto import EncryptedText
from core.extensions import db
from core.models.base import utcnow

EVENTS = ("report.published", "report.updated", "report.unpublished")
DELIVERY_STATES = ("pending", "sent", "failed", "gave_up")


class Webhook(db.Model):
    __tablename__ = "webhooks"

    id = db.Column(db.Integer, primary_key=True)
    url = db.Column(db.String(2000), nullable=False)
    events = db.Column(db.String(200), nullable=False)  # comma-separated EVENTS
    secret = db.Column(EncryptedText, nullable=False)  # signs every delivery
    active = db.Column(db.Boolean, nullable=False, default=True)
    paused_at = db.Column(db.DateTime)  # set when it kept failing; an admin resumes it
    consecutive_failures = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.ForeignKey("users.id", ondelete="SET NULL"))

    deliveries = db.relationship("WebhookDelivery", back_populates="webhook",
                                 cascade="all, delete-orphan", passive_deletes=True,
                                 order_by="WebhookDelivery.id.desc()", lazy="dynamic")

    @property
    def event_list(self) -> list[str]:
        return [e for e in self.events.split(",") if e]

    def wants(self, event: str) -> bool:
        return self.active and self.paused_at is None and event in self.event_list


class WebhookDelivery(db.Model):
    """One event for one partner. The body is kept only until it is delivered or given up."""

    __tablename__ = "webhook_deliveries"

    id = db.Column(db.Integer, primary_key=True)
    webhook_id = db.Column(db.ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False,
                           index=True)
    event = db.Column(db.String(40), nullable=False)
    event_id = db.Column(db.String(40), nullable=False, unique=True)
    body = db.Column(db.Text)  # the exact JSON sent (public fields only); dropped after success
    status = db.Column(db.String(16), nullable=False, default="pending", index=True)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    next_attempt_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    last_status_code = db.Column(db.Integer)
    last_error = db.Column(db.String(300))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    delivered_at = db.Column(db.DateTime)

    webhook = db.relationship("Webhook", back_populates="deliveries")
