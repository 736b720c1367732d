from flask_babel import get_locale

from core.extensions import db

report_categories = db.Table(
    "report_categories",
    db.Column("report_id", db.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    db.Column("category_id", db.ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
    # The reports of a rare category (``core.publicdata.published``).
    db.Index("ix_report_categories_category_id", "category_id", "report_id"),
)


class Category(db.Model):
    """A kind of harassment; named in every deployment language, nested one level at most."""

    __tablename__ = "categories"

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(64), nullable=False, unique=True)
    name_az = db.Column(db.String(120), nullable=False)
    name_ru = db.Column(db.String(120), nullable=False)
    name_en = db.Column(db.String(120), nullable=False)
    parent_id = db.Column(db.ForeignKey("categories.id", ondelete="SET NULL"))
    colour = db.Column(db.String(7), nullable=False, default="#7a4ea3")
    position = db.Column(db.Integer, nullable=False, default=0)
    active = db.Column(db.Boolean, nullable=False, default=True)

    parent = db.relationship("Category", remote_side=[id], back_populates="children")
    children = db.relationship("Category", back_populates="parent", order_by="Category.position")

    def name_in(self, language: str) -> str:
        return getattr(self, f"name_{language}", None) or self.name_en

    @property
    def name(self) -> str:
        locale = get_locale()
        return self.name_in(locale.language if locale else "en")

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"
