"""Legal-aid statistics for the organisation: requests, cases taken, median time to the first
answer and outcomes, by region, category and month. Counted in Python over the legal cases (a
deployment has hundreds, not millions); staff-only, never on a public page."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median

from core import gazetteer
from core.extensions import db
from core.models import LegalCase, Report
from core.models.legal import OUTCOMES


@dataclass
class Row:
    """One line of a table: a region, a category, a month or the total."""

    key: str
    label: str
    requests: int = 0
    taken: int = 0
    closed: int = 0
    waits: list = field(default_factory=list)  # hours from request to first answer
    outcomes: dict = field(default_factory=dict)

    @property
    def median_hours(self) -> float | None:
        return round(median(self.waits), 1) if self.waits else None

    def add(self, case: LegalCase) -> None:
        self.requests += 1
        if case.taken_at is not None or case.state != "requested":
            self.taken += 1
        if case.state == "closed":
            self.closed += 1
            if case.outcome:
                self.outcomes[case.outcome] = self.outcomes.get(case.outcome, 0) + 1
        if case.first_answer_at is not None and case.first_answer_at >= case.requested_at:
            self.waits.append((case.first_answer_at - case.requested_at).total_seconds() / 3600)


@dataclass
class LegalStats:
    total: Row
    by_region: list[Row]
    by_category: list[Row]
    by_month: list[Row]
    since: date | None = None
    until: date | None = None


def compute(language: str, since: date | None = None, until: date | None = None) -> LegalStats:
    """Every legal case requested in ``[since, until]`` (dates of the request, both included)."""
    query = db.session.query(LegalCase, Report).join(Report, Report.id == LegalCase.report_id)
    if since:
        query = query.filter(LegalCase.requested_at >= datetime.combine(since, datetime.min.time()))
    if until:
        query = query.filter(LegalCase.requested_at < datetime.combine(until, datetime.max.time()))
    gaz = gazetteer.load()
    total = Row("total", "")
    regions: dict[str, Row] = {}
    categories: dict[str, Row] = {}
    months: dict[str, Row] = {}
    for case, report in query.order_by(LegalCase.requested_at).all():
        total.add(case)
        region = gaz.region(report.region_id or "")
        key = region.id if region else ""
        regions.setdefault(key, Row(key, region.name(language) if region else "")).add(case)
        for category in report.categories or [None]:
            key = category.slug if category else ""
            categories.setdefault(key, Row(key, category.name_in(language) if category else "")).add(case)
        month = case.requested_at.strftime("%Y-%m")
        months.setdefault(month, Row(month, month)).add(case)
    by_name = sorted(regions.values(), key=lambda r: (r.key == "", r.label))
    by_category = sorted(categories.values(), key=lambda r: (r.key == "", -r.requests, r.label))
    return LegalStats(total, by_name, by_category, sorted(months.values(), key=lambda r: r.key),
                      since, until)


CSV_COLUMNS = ["table", "key", "label", "requests", "taken", "closed",
               "median_hours_to_first_answer", *[f"outcome_{o}" for o in OUTCOMES]]


def to_csv(stats: LegalStats) -> str:
    """One table of all the breakdowns, a ``table`` column saying which one each line belongs to."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    tables = [("total", [stats.total]), ("region", stats.by_region),
              ("category", stats.by_category), ("month", stats.by_month)]
    for name, rows in tables:
        for row in rows:
            median_hours = row.median_hours
            writer.writerow([name, row.key, _safe(row.label), row.requests, row.taken, row.closed,
                             "" if median_hours is None else median_hours,
                             *[row.outcomes.get(o, 0) for o in OUTCOMES]])
    return out.getvalue()


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
