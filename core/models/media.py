from core.extensions import db
from core.models.base import new_public_id, utcnow


class Attachment(db.Model):
    """A file that came with a report or message. Photos are re-encoded without metadata;
    other files stay with moderators. Public only when a moderator says so."""

    __tablename__ = "attachments"

    id = db.Column(db.Integer, primary_key=True)
    public_id = db.Column(db.String(24), nullable=False, unique=True, default=new_public_id)
    kind = db.Column(db.String(8), nullable=False, default="photo")  # photo | file
    stored_name = db.Column(db.String(80), nullable=False)  # random name under the uploads dir
    content_type = db.Column(db.String(100), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    width = db.Column(db.Integer)
    height = db.Column(db.Integer)
    public = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    report_id = db.Column(db.ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    message_id = db.Column(db.ForeignKey("messages.id", ondelete="CASCADE"), index=True)

    report = db.relationship("Report", back_populates="attachments")
    message = db.relationship("Message", back_populates="attachments")


class StoredFile(db.Model):
    """The bytes of an upload when ``SESIM_UPLOADS_STORAGE=database`` (see ``core.storage``)."""

    __tablename__ = "stored_files"

    name = db.Column(db.String(80), primary_key=True)  # ``Attachment.stored_name``
    data = db.Column(db.LargeBinary, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
