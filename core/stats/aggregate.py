"""The statistical report: counts of published reports by category, region, month and channel,
and the verified share, all counted by the database (GROUP BY), never by loading reports.

Small counts are suppressed (``SESIM_STATS_MIN_COUNT``): "2 reports in this village in March"
can point at one woman. A suppressed cell has ``count = None``; where the cells of a section add
up to the total (region, month, channel), a second cell is suppressed when only one was, so the
total minus the others cannot give the hidden one back."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import case, func, select

from core import gazetteer
from core.extensions import db
from core.models import Category, Report, report_categories
from core.publicdata import Filters, published


@dataclass
class Count:
    key: str  # slug, region id, YYYY-MM or channel name: stable across languages
    label: str
    count: int | None  # None: fewer than the threshold, not shown
    colour: str = "#7a4ea3"

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass
class Statistics:
    total: int | None = 0
    verified: int | None = 0
    min_count: int = 0  # counts below this are suppressed (None)
    by_category: list[Count] = field(default_factory=list)
    by_region: list[Count] = field(default_factory=list)
    by_month: list[Count] = field(default_factory=list)
    by_channel: list[Count] = field(default_factory=list)

    @property
    def verified_share(self) -> float | None:
        if self.total is None or self.verified is None:
            return None
        return self.verified / self.total if self.total else 0.0

    def share(self, count: int | None) -> float | None:
        """``count`` as a part of the total, or None when either is suppressed."""
        if count is None or self.total is None:
            return None
        return count / self.total if self.total else 0.0

    def sections(self):
        return {"category": self.by_category, "region": self.by_region,
                "month": self.by_month, "channel": self.by_channel}


PARTITIONS = ("region", "month", "channel")  # each report counts once: cells add up to the total


def _small(count: int | None, threshold: int) -> bool:
    return count is not None and 0 < count < threshold


def suppress(stats: Statistics, threshold: int) -> Statistics:
    """Hide every count from 1 to ``threshold - 1`` (zero reveals no one and stays)."""
    stats.min_count = threshold
    if threshold <= 1:
        return stats
    if _small(stats.total, threshold):
        stats.total = None
    if _small(stats.verified, threshold) or stats.total is None:
        stats.verified = None
    for key, counts in stats.sections().items():
        for c in counts:
            if _small(c.count, threshold):
                c.count = None
        hidden = [c for c in counts if c.count is None]
        shown = [c for c in counts if c.count is not None]
        if key in PARTITIONS and len(hidden) == 1 and shown and stats.total is not None:
            min(shown, key=lambda c: c.count).count = None
    return stats


def compute(filters: Filters | None = None, language: str = "en",
            min_count: int | None = None) -> Statistics:
    """The public figures for ``filters``, small counts suppressed (``min_count``, by default
    ``SESIM_STATS_MIN_COUNT``)."""
    if min_count is None:
        min_count = int(current_app.config["SESIM_STATS_MIN_COUNT"])
    return suppress(_count(filters, language), min_count)


def _count(filters: Filters | None, language: str) -> Statistics:
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
