"""Who wants to hear about new reports where, and what is waiting to be told. Addresses and
numbers are encrypted; a keyed hash finds repeats without reading them. A subscription is deleted,
not flagged, when she unsubscribes."""

from core.crypto import EncryptedText
from core.extensions import db
from core.models.base import utcnow

KINDS = ("email", "sms")
FREQUENCIES = ("immediate", "daily", "weekly")


class AlertSubscription(db.Model):
    __tablename__ = "alert_subscriptions"

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(8), nullable=False)  # email | sms
    address = db.Column(EncryptedText, nullable=False)  # e-mail address or phone number
    address_hash = db.Column(db.String(64), nullable=False, index=True)
    area = db.Column(db.String(64), nullable=False, default="")  # region or place id; "" everywhere
    category_id = db.Column(db.ForeignKey("categories.id", ondelete="CASCADE"))
    frequency = db.Column(db.String(10), nullable=False, default="daily")
    language = db.Column(db.String(5), nullable=False, default="az")
    via = db.Column(db.JSON, nullable=False, default=dict)  # SMS: the gateway she texted through
    confirm_token_hash = db.Column(db.String(64), unique=True)  # cleared once confirmed
    confirm_sent_at = db.Column(db.DateTime)
    confirm_due = db.Column(db.Boolean, nullable=False, default=False)  # the worker sends it
    manage_token = db.Column(EncryptedText, nullable=False)  # goes into every alert
    manage_token_hash = db.Column(db.String(64), nullable=False, unique=True)
    confirmed_at = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_sent_at = db.Column(db.DateTime)

    category = db.relationship("Category")
    items = db.relationship("AlertItem", back_populates="subscription",
                            cascade="all, delete-orphan", passive_deletes=True)


class AlertItem(db.Model):
    """A published report one subscription has not been told about yet."""

    __tablename__ = "alert_items"
    __table_args__ = (db.UniqueConstraint("subscription_id", "report_id",
                                          name="uq_alert_items_subscription_id"),)

    id = db.Column(db.Integer, primary_key=True)
    subscription_id = db.Column(db.ForeignKey("alert_subscriptions.id", ondelete="CASCADE"),
                                nullable=False, index=True)
    report_id = db.Column(db.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    subscription = db.relationship("AlertSubscription", back_populates="items")
    report = db.relationship("Report")
