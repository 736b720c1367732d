from sqlalchemy import false

from core.crypto import EncryptedText
from core.extensions import db
from core.models.base import utcnow
from core.models.moderation import Claimable

INBOUND_STATUSES = ("new", "converted", "spam", "ignored", "withdrawn")


class Message(Claimable, db.Model):
    """Anything a channel received or must send; stored before anything else happens to it."""

    __tablename__ = "messages"
    __table_args__ = (db.UniqueConstraint("channel", "external_id", name="uq_messages_channel_ext"),)

    id = db.Column(db.Integer, primary_key=True)
    channel = db.Column(db.String(32), nullable=False, index=True)
    external_id = db.Column(db.String(255), nullable=False)
    direction = db.Column(db.String(3), nullable=False, default="in")  # in | out
    sender = db.Column(EncryptedText)  # phone, address or handle; for "out" the recipient
    sender_hash = db.Column(db.String(64), index=True)  # groups one sender's messages
    text = db.Column(db.Text, nullable=False, default="")
    subject = db.Column(db.String(255))
    language = db.Column(db.String(5))
    received_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    status = db.Column(db.String(16), nullable=False, default="new", index=True)
    case_code_hash = db.Column(db.String(64), unique=True)
    # When an automatic answer (her case code, HELP, an alert confirmation) was claimed for it:
    # one answer per message, however many deliveries or follow-ups race (conversation.claim_answer).
    answered_at = db.Column(db.DateTime)
    data = db.Column(db.JSON, nullable=False, default=dict)  # channel extras, never identifying
    error = db.Column(db.Text)
    # Her answer on a report (from /case, an SMS starting with her code, a mail thread) that the
    # staff handling the report have not read yet.
    unread = db.Column(db.Boolean, nullable=False, default=False, server_default=false(), index=True)
    report_id = db.Column(db.ForeignKey("reports.id", ondelete="SET NULL"), index=True)
    in_reply_to_id = db.Column(db.ForeignKey("messages.id", ondelete="SET NULL"))

    report = db.relationship("Report", back_populates="messages")
    in_reply_to = db.relationship("Message", remote_side=[id])
    attachments = db.relationship("Attachment", back_populates="message")
    claimed_by = db.relationship("User", foreign_keys="Message.claimed_by_id")

    def __repr__(self) -> str:
        return f"<Message {self.channel}:{self.external_id} {self.status}>"
