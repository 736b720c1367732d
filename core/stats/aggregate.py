"""The statistical report: counts of published reports by category, region, month and channel,
and the verified share, all counted by the database (GROUP BY), never by loading reports, and
kept until a published report changes (``_tally``).

Small counts are suppressed (``SESIM_STATS_MIN_COUNT``): "2 reports in this village in March"
can point at one woman. A suppressed cell has ``count = None``; where the cells of a section add
up to the total (region, month, channel), a second cell is suppressed when only one was, so the
total minus the others cannot give the hidden one back."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import case, func

from core import gazetteer
from core.extensions import db
from core.models import Category, Report, report_categories
from core.publiccounts import version
from core.publicdata import Filters, category_ids, published


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
    return suppress(_labelled(_tally(filters or Filters()), language), min_count)


@dataclass(frozen=True)
class Tally:
    """The counts behind the figures, in no language: what is kept between requests."""

    total: int
    verified: int
    categories: tuple[tuple[int, int], ...]  # (category id, reports)
    regions: tuple[tuple[str | None, int], ...]  # None: not disclosed, or no region
    months: tuple[tuple[str, int], ...]  # ("YYYY-MM", reports), in order
    channels: tuple[tuple[str, int], ...]


CACHED = 256  # filter combinations kept per process


class _Kept:
    """The tallies of a process, the least recently read dropped first, each counted once however
    many visitors ask for it at the same time: those arriving during its count wait for it (a
    process's threads would otherwise share its CPU among as many counts), and a visitor whose
    tally is kept never waits for another's count."""

    def __init__(self, size: int):
        self._size = size
        self._kept: OrderedDict = OrderedDict()
        self._counting: dict = {}  # key → the lock its count holds
        self._lock = threading.Lock()  # held only to look into the two dicts

    def get(self, key: tuple, count) -> Tally:
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
            counting = self._counting.setdefault(key, threading.Lock())
        with counting:
            with self._lock:
                if key in self._kept:  # counted while this one waited
                    return self._kept[key]
            try:
                tally = count(*key)
                with self._lock:
                    self._kept[key] = tally
                    while len(self._kept) > self._size:
                        self._kept.popitem(last=False)
            finally:
                with self._lock:
                    self._counting.pop(key, None)
        return tally


def _tally(filters: Filters) -> Tally:
    """Counting reads every matching report (half a second at 100,000): the result is kept, per process,
    until the public data's version changes (``core.publiccounts.version``), so a crowd of
    visitors costs one count per change, not one per visit."""
    kept = current_app.extensions.setdefault("sesim_stats_tallies", _Kept(CACHED))
    # The categories' ids too: a slug given to another category since means other reports.
    chosen = tuple(category_ids(filters.categories)) if filters.categories else ()
    return kept.get((version(db.session.connection()), filters, chosen), _count)


def _count(public_version: str, filters: Filters, chosen: tuple) -> Tally:
    """Count, in two passes over the matching reports (``public_version`` and ``chosen``, the
    ids of the filter's categories, only key the cache)."""
    matching = published(filters).order_by(None)
    # Total, verified, region, month and channel all add up from the groups of one pass.
    # A moderator may hide a report's place; such reports count as "not disclosed".
    region = case((Report.location_precision == "hidden", None), else_=Report.region_id)
    year, month = func.extract("year", Report.occurred_at), func.extract("month", Report.occurred_at)
    groups = (matching.with_entities(region, year, month, Report.source_channel, Report.verified,
                                     func.count(Report.id))
              .group_by(region, year, month, Report.source_channel, Report.verified).all())
    total = verified = 0
    regions, months, channels = Counter(), Counter(), Counter()
    for region_id, y, m, channel, is_verified, n in groups:
        total += n
        verified += n if is_verified else 0
        regions[region_id] += n
        months[f"{int(y):04d}-{int(m):02d}"] += n
        channels[channel] += n
    categories = (matching.join(report_categories, report_categories.c.report_id == Report.id)
                  .with_entities(report_categories.c.category_id, func.count(Report.id))
                  .group_by(report_categories.c.category_id).all())
    return Tally(total, verified, tuple(map(tuple, categories)), tuple(regions.items()),
                 tuple(sorted(months.items())),
                 tuple(sorted(channels.items(), key=lambda item: (-item[1], item[0]))))


def _labelled(tally: Tally, language: str) -> Statistics:
    """Fresh figures from ``tally`` with the names of ``language`` (suppression changes them)."""
    stats = Statistics(total=tally.total, verified=tally.verified)
    counted = dict(tally.categories)
    stats.by_category = [Count(c.slug, c.name_in(language), counted[c.id], c.colour)
                         for c in Category.query.order_by(Category.position) if c.id in counted]
    regions = dict(tally.regions)
    for item in gazetteer.load().regions:
        if regions.get(item.id):
            stats.by_region.append(Count(item.id, item.name(language), regions.pop(item.id)))
    stats.by_region.sort(key=lambda c: -c.count)
    unplaced = sum(regions.values())
    if unplaced:
        stats.by_region.append(Count("", "", unplaced))
    stats.by_month = [Count(key, key, n) for key, n in tally.months]
    stats.by_channel = [Count(channel, channel, n) for channel, n in tally.channels]
    return stats
