from flask_babel import get_locale

from core.extensions import db
from core.models.base import utcnow

RESOURCE_KINDS = ("hotline", "shelter", "legal_clinic", "psychological", "police", "judiciary", "ngo")
PAGE_KINDS = ("rights", "publication")
LANGUAGES = ("az", "ru", "en")


class Translated:
    """``text("name")`` reads ``name_<reader's language>``, falling back to az, then en."""

    def text(self, field: str, language: str | None = None) -> str:
        if language is None:
            locale = get_locale()
            language = locale.language if locale else "az"
        for lang in (language, "az", "en", "ru"):
            value = getattr(self, f"{field}_{lang}", None)
            if value:
                return value
        return ""


class SupportResource(Translated, db.Model):
    """A place she can turn to (hotline, shelter, legal clinic…), for one region or the whole
    country (``region_id`` empty). Public: only what an organisation publishes about itself."""

    __tablename__ = "support_resources"

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(24), nullable=False, default="hotline")
    region_id = db.Column(db.String(64), index=True)
    name_az = db.Column(db.String(200), nullable=False, default="")
    name_ru = db.Column(db.String(200), nullable=False, default="")
    name_en = db.Column(db.String(200), nullable=False, default="")
    address_az = db.Column(db.String(300), nullable=False, default="")
    address_ru = db.Column(db.String(300), nullable=False, default="")
    address_en = db.Column(db.String(300), nullable=False, default="")
    hours_az = db.Column(db.String(200), nullable=False, default="")
    hours_ru = db.Column(db.String(200), nullable=False, default="")
    hours_en = db.Column(db.String(200), nullable=False, default="")
    phone = db.Column(db.String(40), nullable=False, default="")
    email = db.Column(db.String(200), nullable=False, default="")
    website = db.Column(db.String(300), nullable=False, default="")
    position = db.Column(db.Integer, nullable=False, default=0)
    active = db.Column(db.Boolean, nullable=False, default=True)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class AwarenessPage(Translated, db.Model):
    """A know-your-rights page or one of the organisation's publications (a summary here, the
    report itself as a PDF download). ``body_*`` is HTML already cleaned by nh3 when saved."""

    __tablename__ = "awareness_pages"

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(80), nullable=False, unique=True)
    kind = db.Column(db.String(16), nullable=False, default="rights")
    title_az = db.Column(db.String(200), nullable=False, default="")
    title_ru = db.Column(db.String(200), nullable=False, default="")
    title_en = db.Column(db.String(200), nullable=False, default="")
    summary_az = db.Column(db.Text, nullable=False, default="")
    summary_ru = db.Column(db.Text, nullable=False, default="")
    summary_en = db.Column(db.Text, nullable=False, default="")
    body_az = db.Column(db.Text, nullable=False, default="")
    body_ru = db.Column(db.Text, nullable=False, default="")
    body_en = db.Column(db.Text, nullable=False, default="")
    pdf_stored_name = db.Column(db.String(80))  # random name under the uploads folder
    pdf_size = db.Column(db.Integer)
    published = db.Column(db.Boolean, nullable=False, default=False)
    position = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
