"""``GET /stats`` (charts and tables, printable) and ``GET /stats.csv`` (the same figures)."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from core import channels
from core.errors import bad_request
from core.exports import csv_cell
from core.i18n import current_language
from core.publicdata import FilterError, filter_args, filter_choices, parse_filters
from core.stats import charts
from core.stats.aggregate import compute

bp = Blueprint("stats", __name__, template_folder="templates", static_folder="static",
               static_url_path="/stats/static")



def channel_label(name: str) -> str:
    """The channel's own label, capitalised as a table row ("Web form")."""
    text = str(channels.channel_label(name))
    return text[:1].upper() + text[1:]


def _statistics():
    filters = parse_filters(request.args)
    stats = compute(filters, current_language())
    for count in stats.by_channel:
        count.label = channel_label(count.key)
    for count in stats.by_region:
        count.label = count.label or _("Not disclosed")
    return filters, stats


def section_titles() -> dict:
    return {"category": _("Reports by category"), "region": _("Reports by region"),
            "month": _("Reports by month"), "channel": _("Reports by channel")}


@bp.route("/stats")
def index():
    try:
        filters, stats = _statistics()
    except FilterError as exc:
        return bad_request(exc)
    language = current_language()
    sections = [
        (key, section_titles()[key], counts,
         charts.bars(counts))
        for key, counts in stats.sections().items()
    ]
    return render_template(
        "stats/index.html",
        stats=stats,
        sections=sections,
        chosen=filters,
        filter_args=filter_args(request.args),
        **filter_choices(language),
    )


@bp.route("/stats.csv")
def download():
    try:
        _filters, stats = _statistics()
    except FilterError as exc:
        return bad_request(exc)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["section", "key", "label", "count", "share"])
    few = f"<{stats.min_count}"  # a suppressed count: fewer than the threshold

    def figure(count):
        return few if count is None else count

    def part(value):
        return "" if value is None else f"{value:.4f}"

    writer.writerow(["total", "", _("Published reports"), figure(stats.total),
                     part(stats.share(stats.total))])
    writer.writerow(["verified", "", _("Verified"), figure(stats.verified), part(stats.verified_share)])
    for section, counts in stats.sections().items():
        for c in counts:
            writer.writerow([csv_cell(v) for v in (section, c.key, c.label, figure(c.count),
                                                   part(stats.share(c.count)))])
    if stats.min_count > 1:
        writer.writerow(["note", "", _("Counts below %(count)d are not shown.", count=stats.min_count),
                         "", ""])
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="sesim-statistics.csv"'
    return response
