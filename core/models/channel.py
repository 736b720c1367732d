from core.extensions import db
from core.models.base import utcnow


class ChannelCursor(db.Model):
    """Where a polled channel stopped (an IMAP UID, a since_id): saved only after messages are stored."""

    __tablename__ = "channel_cursors"
    __table_args__ = (db.UniqueConstraint("channel", "stream", name="uq_channel_cursors_stream"),)

    id = db.Column(db.Integer, primary_key=True)
    channel = db.Column(db.String(32), nullable=False)
    stream = db.Column(db.String(120), nullable=False, default="")
    value = db.Column(db.Text, nullable=False, default="")
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    @classmethod
    def get(cls, channel: str, stream: str = "") -> str | None:
        row = cls.query.filter_by(channel=channel, stream=stream).one_or_none()
        return row.value if row else None

    @classmethod
    def put(cls, channel: str, stream: str, value: str) -> None:
        """Set and commit, so the position survives a crash right after."""
        row = cls.query.filter_by(channel=channel, stream=stream).one_or_none()
        if row is None:
            row = cls(channel=channel, stream=stream)
            db.session.add(row)
        row.value = value
        db.session.commit()
