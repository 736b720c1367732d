from core.crypto import EncryptedText
from core.extensions import db
from core.models.base import new_public_id, utcnow
from core.models.category import report_categories
from core.models.moderation import Claimable

STATUSES = ("pending", "published", "rejected", "archived", "withdrawn")  # withdrawn: by her, with her code
PRECISIONS = ("place", "region", "grid", "hidden")


class Report(Claimable, db.Model):
    """One account of harassment. Exact location and contact never leave the admin area."""

    __tablename__ = "reports"
    # Public lists: published reports, newest incident first, read in index order at any size.
    __table_args__ = (
        db.Index("ix_reports_status_occurred_at", "status", "occurred_at"),
        # The reports in a small box, each public point's newest first (``core.publicdata``).
        db.Index("ix_reports_status_public_point", "status", "public_latitude", "public_longitude",
                 "occurred_at"),
        # And those drawn at a region's centre, the newest first.
        db.Index("ix_reports_status_region_centre", "status", "location_precision", "region_id",
                 "occurred_at"),
    )

    id = db.Column(db.Integer, primary_key=True)
    public_id = db.Column(db.String(24), nullable=False, unique=True, default=new_public_id)
    case_code_hash = db.Column(db.String(64), unique=True)

    title = db.Column(db.String(200), nullable=False)
    story = db.Column(db.Text, nullable=False)  # as the reporter wrote it; never public
    public_story = db.Column(db.Text)  # redacted by a moderator; public only with consent
    language = db.Column(db.String(5), nullable=False, default="az")

    occurred_at = db.Column(db.DateTime, nullable=False, index=True)  # public lists sort on it
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    published_at = db.Column(db.DateTime)

    status = db.Column(db.String(16), nullable=False, default="pending", index=True)
    verified = db.Column(db.Boolean, nullable=False, default=False)
    verification_note = db.Column(db.Text)
    verified_at = db.Column(db.DateTime)
    verified_by_id = db.Column(db.ForeignKey("users.id", ondelete="SET NULL"))

    # Private: what the reporter gave.
    latitude = db.Column(db.Float)
    longitude = db.Column(db.Float)
    place_id = db.Column(db.String(64))
    region_id = db.Column(db.String(64), index=True)
    # Public: blurred to a place centre or a grid cell, chosen by ``location_precision``.
    public_latitude = db.Column(db.Float)
    public_longitude = db.Column(db.Float)
    location_precision = db.Column(db.String(16), nullable=False, default="place")

    source_channel = db.Column(db.String(32), nullable=False, default="web")
    consent_publish = db.Column(db.Boolean, nullable=False, default=False)
    wants_legal_help = db.Column(db.Boolean, nullable=False, default=False)
    contact = db.Column(EncryptedText)  # follow-up contact, encrypted at rest
    assigned_lawyer_id = db.Column(db.ForeignKey("users.id", ondelete="SET NULL"))
    # The follow-up on /case: staff may close the conversation; she may withdraw the report.
    conversation_closed_at = db.Column(db.DateTime)
    withdrawn_at = db.Column(db.DateTime)

    categories = db.relationship(
        "Category", secondary=report_categories, order_by="Category.position", lazy="selectin"
    )
    messages = db.relationship("Message", back_populates="report")
    attachments = db.relationship("Attachment", back_populates="report")
    assigned_lawyer = db.relationship("User", foreign_keys=[assigned_lawyer_id])
    verified_by = db.relationship("User", foreign_keys=[verified_by_id])
    claimed_by = db.relationship("User", foreign_keys="Report.claimed_by_id")
    revisions = db.relationship(
        "ReportRevision", back_populates="report", order_by="ReportRevision.id",
        cascade="all, delete-orphan", passive_deletes=True,
    )
    legal_case = db.relationship("LegalCase", back_populates="report", uselist=False,
                                 cascade="all, delete-orphan", passive_deletes=True)
    notes = db.relationship(
        "ReportNote", back_populates="report", order_by="ReportNote.id",
        cascade="all, delete-orphan", passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Report {self.public_id} {self.status}>"


def shared_story():
    """The terms of a story on the wall. ``core.publicdata.shared_stories`` uses these same terms
    with their values written out: SQLite reads a partial index only for a query that repeats its
    terms, and a parameter does not count."""
    return db.and_(Report.status == db.literal_column("'published'"), Report.consent_publish.is_(True),
                   Report.public_story.is_not(None), Report.public_story != db.literal_column("''"))


def story_order():
    """The wall's order, newest publication first (what a feed reader expects)."""
    return db.func.coalesce(Report.published_at, Report.created_at)


# The story wall and its feeds read the newest shared stories in this index's order, not every
# published report (a few stories among a million reports were a read of the million). SQLite
# cannot reflect an index on an expression: a later migration that rebuilds ``reports`` in batch
# mode on SQLite must create it again (tests/test_stories.py fails without it).
db.Index("ix_reports_shared_stories", story_order(), Report.id,
         sqlite_where=shared_story(), postgresql_where=shared_story())
