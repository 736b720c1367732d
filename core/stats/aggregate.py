"""The statistical report: counts of published reports by category, region, month and channel,
and the verified share, all counted by the database (GROUP BY), never by loading reports."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from core import gazetteer
from core.extensions import db
from core.models import Category, Report, report_categories
from core.publicdata import Filters, published


@dataclass
class Count:
    key: str  # slug, region id, YYYY-MM or channel name: stable across languages
    label: str
    count: int
    colour: str = "#7a4ea3"


@dataclass
class Statistics:
    total: int = 0
    verified: int = 0
    by_category: list[Count] = field(default_factory=list)
    by_region: list[Count] = field(default_factory=list)
    by_month: list[Count] = field(default_factory=list)
    by_channel: list[Count] = field(default_factory=list)

    @property
    def verified_share(self) -> float:
        return self.verified / self.total if self.total else 0.0

    def sections(self):
        return {"category": self.by_category, "region": self.by_region,
                "month": self.by_month, "channel": self.by_channel}


def compute(filters: Filters | None = None, language: str = "en") -> Statistics:
    matching = published(filters).order_by(None).with_entities(Report.id).subquery()
    in_matching = Report.id.in_(select(matching.c.id))
    stats = Statistics()

    total, verified = db.session.query(
        func.count(Report.id), func.coalesce(func.sum(case((Report.verified.is_(True), 1), else_=0)), 0)
    ).filter(in_matching).one()
    stats.total, stats.verified = int(total), int(verified)

    rows = (
        db.session.query(Category, func.count(report_categories.c.report_id))
        .join(report_categories, report_categories.c.category_id == Category.id)
        .filter(report_categories.c.report_id.in_(select(matching.c.id)))
        .group_by(Category.id)
        .order_by(Category.position)
    )
    stats.by_category = [Count(c.slug, c.name_in(language), int(n), c.colour) for c, n in rows]

    # A moderator may hide a report's place; such reports count as "not disclosed".
    region = case((Report.location_precision == "hidden", None), else_=Report.region_id)
    gaz = gazetteer.load()
    region_counts = dict(
        db.session.query(region, func.count(Report.id)).filter(in_matching).group_by(region).all()
    )
    for item in gaz.regions:
        if region_counts.get(item.id):
            stats.by_region.append(Count(item.id, item.name(language), int(region_counts.pop(item.id))))
    stats.by_region.sort(key=lambda c: -c.count)
    unplaced = sum(int(n) for n in region_counts.values())
    if unplaced:
        stats.by_region.append(Count("", "", unplaced))

    year, month = func.extract("year", Report.occurred_at), func.extract("month", Report.occurred_at)
    months = (
        db.session.query(year, month, func.count(Report.id))
        .filter(in_matching)
        .group_by(year, month)
        .order_by(year, month)
    )
    stats.by_month = [Count(f"{int(y):04d}-{int(m):02d}", f"{int(y):04d}-{int(m):02d}", int(n))
                      for y, m, n in months]

    channels = (
        db.session.query(Report.source_channel, func.count(Report.id))
        .filter(in_matching)
        .group_by(Report.source_channel)
        .order_by(func.count(Report.id).desc(), Report.source_channel)
    )
    stats.by_channel = [Count(ch, ch, int(n)) for ch, n in channels]
    return stats
