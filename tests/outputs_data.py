"""Reports for the output tests (stories, export, stats, API): public ones and every kind of
private detail, each marked so a test can assert that none of them reaches any output."""

from __future__ import annotations

from datetime import datetime

from core.extensions import db
from core.models import Category, Report

# Strings and numbers that must never appear in public output.
SECRETS = {
    "original story": "ORIGINAL-UNREDACTED-Leyla-Aliyeva",
    "contact": "+994501234567",
    "moderator note": "MODNOTE-checked-with-her-sister",
    "unconsented story": "UNCONSENTED-story-text",
    "pending title": "PENDING-report-title",
    "pending story": "PENDING-story-text",
    "rejected title": "REJECTED-report-title",
    "archived title": "ARCHIVED-report-title",
    "exact latitude": "40.412345",
    "exact longitude": "49.876543",
    "hidden place": "Yasamal",
}


# The sample reports that are public (the others are pending, rejected or archived).
PUBLIC_NAMES = {"shared", "newer", "unconsented", "hidden", "formula"}


def make_report(**fields) -> Report:
    slugs = fields.pop("categories", ["verbal"])
    values = dict(
        title="Public title", story=SECRETS["original story"], public_story="Redacted public story.",
        occurred_at=datetime(2026, 3, 10, 18, 30), status="published",
        published_at=datetime(2026, 3, 12, 9, 0), verified=False,
        verification_note=SECRETS["moderator note"],
        latitude=float(SECRETS["exact latitude"]), longitude=float(SECRETS["exact longitude"]),
        place_id="baku-nasimi", region_id="baku", public_latitude=40.3828, public_longitude=49.8291,
        location_precision="place", source_channel="web", consent_publish=True,
        contact=SECRETS["contact"], language="az",
    )
    values.update(fields)
    report = Report(**values)
    report.categories = Category.query.filter(Category.slug.in_(slugs)).all()
    db.session.add(report)
    return report


def populate() -> dict[str, Report]:
    """One of each kind; returns them by name. Call inside an app context."""
    made = {
        "shared": make_report(title="Shared story in Nasimi", categories=["verbal", "stalking"],
                              verified=True),
        "newer": make_report(title="Newer shared story", public_story="Second redacted story.",
                             occurred_at=datetime(2026, 4, 2, 8, 0), published_at=datetime(2026, 4, 3),
                             categories=["online"], source_channel="sms", place_id="khachmaz-town",
                             region_id="khachmaz", public_latitude=41.4591, public_longitude=48.8021),
        "unconsented": make_report(title="Published without consent", consent_publish=False,
                                   public_story=SECRETS["unconsented story"],
                                   occurred_at=datetime(2026, 1, 5, 12, 0),
                                   published_at=datetime(2026, 1, 6), categories=["physical"]),
        "hidden": make_report(title="Place hidden by moderator", location_precision="hidden",
                              place_id="baku-yasamal", public_story="Hidden place story.",
                              occurred_at=datetime(2025, 12, 24, 12, 0), published_at=datetime(2025, 12, 27),
                              categories=["workplace"], source_channel="email"),
        "formula": make_report(public_id="-dash-first-id", title="=HYPERLINK(\"http://evil.example\",\"x\")",
                               public_story="+cmd|' /C calc'!A0", categories=["other"],
                               occurred_at=datetime(2026, 2, 1, 10, 0), published_at=datetime(2026, 2, 2)),
        "pending": make_report(title=SECRETS["pending title"], story=SECRETS["pending story"],
                               public_story=SECRETS["pending story"], status="pending", published_at=None),
        "rejected": make_report(title=SECRETS["rejected title"], status="rejected", published_at=None),
        "archived": make_report(title=SECRETS["archived title"], status="archived"),
    }
    db.session.commit()
    return made


def assert_no_secrets(text: str) -> None:
    leaked = [name for name, value in SECRETS.items() if value in text]
    assert not leaked, f"private data in public output: {leaked}"
