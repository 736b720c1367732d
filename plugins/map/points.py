"""The map's data, read only through ``core.publicdata``: clustered points for a bounding box and
report counts per area. Counts come from ``public_counts`` (kept in step with every change to a
report) and, for a date filter, their running totals by day, so the work grows with the number of
distinct blurred points, not with the reports (tests/test_public_counts.py checks them against
counting the reports themselves)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import replace

from flask import url_for
from flask_babel import ngettext
from sqlalchemy import func

from core import gazetteer
from core.models import Category, PublicCount, Report
from core.publicdata import (
    Filters,
    category_ids,
    counted,
    counted_column,
    holding_any,
    public_fields,
    public_point,
    published,
)
from plugins.map import clustering
from plugins.map.outlines import Areas

DETAIL_LIMIT = 200  # at most this many reports in view: popups list their titles
POPUP_LIST = 10  # a cluster of up to this many reports lists them in its popup
DEFAULT_COLOUR = "#7f8c8d"
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

# Everything ``public_point`` reads, labelled as the Report attributes it reads.
POINT_COLUMNS = (
    Report.location_precision.label("location_precision"),
    Report.public_latitude.label("public_latitude"),
    Report.public_longitude.label("public_longitude"),
    Report.region_id.label("region_id"),
)


def count_label(count: int) -> str:
    """"1 report", "5 reports" in the reader's language (plural rules differ: ru has three)."""
    return ngettext("%(num)s report", "%(num)s reports", count)


def reference_latitude() -> float:
    """One latitude for the cell shape of the whole deployment, so clusters never shift on pan."""
    bounds = gazetteer.load().bounds
    return (bounds["south"] + bounds["north"]) / 2


def _in_bbox(point, bbox) -> bool:
    if bbox is None:
        return True
    west, south, east, north = bbox
    return south <= point[0] <= north and west <= point[1] <= east


def _grouped_points(filters: Filters):
    """``{public point: [count, Counter(category id → count)]}`` of the matching reports, from the
    public counts (a cost that does not grow with the reports; a date filter reads their running
    totals by day): the ``total`` and ``category`` rows, or with a category filter the ``set`` rows
    (their category lists give the histogram)."""
    point = (PublicCount.location_precision.label("location_precision"),
             PublicCount.public_latitude.label("public_latitude"),
             PublicCount.public_longitude.label("public_longitude"),
             PublicCount.region_id.label("region_id"))
    amount = func.sum(counted_column(filters))
    if filters.categories:
        by_set = replace(filters, categories=())  # the set rows, not one category's rows
        rows = _set_rows(filters, by_set)
        totals = rows.with_entities(*point, PublicCount.categories, amount)
        histogram = None
    else:
        totals = counted(filters).with_entities(*point, amount)
        histogram = counted(filters, kind="category")
    groups: dict = {}
    for row in totals.group_by(*point, *([] if histogram is not None else [PublicCount.categories])):
        where = public_point(row)
        if not row[-1] or where is None or not _in_bbox(where, filters.bbox):
            continue
        entry = groups.setdefault(where, [0, Counter()])
        entry[0] += row[-1]
        if histogram is None:
            _add_categories(entry[1], row.categories, row[-1])
    if histogram is not None:
        columns = (*point, PublicCount.categories)
        for row in histogram.with_entities(*columns, amount).group_by(*columns):
            entry = groups.get(public_point(row))
            if entry is not None and row[-1]:
                _add_categories(entry[1], row.categories, row[-1])
    return groups


def _set_rows(filters: Filters, unfiltered: Filters):
    """The ``set`` rows holding any chosen category (every category of those reports counts in
    the histogram, as counting the reports would)."""
    return holding_any(counted(unfiltered, kind="set"), category_ids(filters.categories))


def _add_categories(counter: Counter, key: str, count: int) -> None:
    for category_id in filter(None, key.split(",")):
        counter[int(category_id)] += count


def _colours() -> dict[int, tuple[str, str]]:
    """``{category id: (slug, colour)}``; a colour that is not ``#rrggbb`` falls back to grey."""
    rows = Category.query.with_entities(Category.id, Category.slug, Category.colour)
    return {i: (slug, colour if HEX_COLOUR.match(colour or "") else DEFAULT_COLOUR)
            for i, slug, colour in rows}


def _details(filters: Filters, language: str, zoom: int, latitude: float) -> dict:
    """``{cell key: [popup entries]}`` for a small view: title, date, link, verified."""
    listed: dict = defaultdict(list)
    for report in published(filters).limit(DETAIL_LIMIT):
        fields = public_fields(report, language)
        if fields["lat"] is None:
            continue
        key = clustering.cell_key(fields["lat"], fields["lon"], zoom, latitude)
        listed[key].append({
            "title": fields["title"],
            "occurred_on": fields["occurred_on"],
            "verified": fields["verified"],
            "categories": fields["category_names"],
            "url": url_for("public.report_detail", public_id=fields["id"]),
        })
    return listed


def feature_collection(filters: Filters, zoom: int, language: str, list_args: dict) -> dict:
    """GeoJSON of the clusters in ``filters.bbox`` at ``zoom``: one Point per grid cell with its
    count, dominant category and colour, a link to the list of its reports, and, when few reports
    are in view, their titles and links for the popup."""
    latitude = reference_latitude()
    groups = _grouped_points(filters)
    cells = clustering.cluster(
        ((lat, lon, count, cats) for (lat, lon), (count, cats) in groups.items()), zoom, latitude
    )
    total = sum(cell.count for cell in cells.values())
    details = _details(filters, language, zoom, latitude) if 0 < total <= DETAIL_LIMIT else {}
    colours = _colours()
    features = []
    for cell in cells.values():
        slug, colour = colours.get(cell.dominant, (None, DEFAULT_COLOUR))
        lat, lon = cell.point
        bbox = ",".join(f"{v:.5f}" for v in cell.bounds)
        properties = {
            "count": cell.count,
            "label": count_label(cell.count),
            "category": slug,
            "colour": colour,
            "list_url": url_for("map.index", **{**list_args, "bbox": bbox}) + "#reports",
        }
        listed = [entry for member in cell.keys for entry in details.get(member, ())]
        if cell.count <= POPUP_LIST and listed:
            properties["reports"] = sorted(listed, key=lambda r: r["occurred_on"], reverse=True)
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
            "properties": properties,
        })
    return {"type": "FeatureCollection", "features": features, "total": total, "zoom": zoom,
            "label": ngettext("%(num)s report in view", "%(num)s reports in view", total)}


def area_counts(filters: Filters, areas: Areas) -> tuple[Counter, Counter]:
    """``(reports per outline id, reports per region without a finer outline)``."""
    unboxed = replace(filters, bbox=None)
    columns = (PublicCount.region_id, PublicCount.place_id, PublicCount.location_precision)
    rows = (counted(unboxed).with_entities(*columns, func.sum(counted_column(unboxed)))
            .group_by(*columns))
    counts: Counter = Counter()
    unplaced: Counter = Counter()
    for region_id, place_id, precision, count in rows:
        if not count:
            continue
        area = areas.area_of(region_id, place_id, precision)
        if area is not None:
            counts[area] += count
        elif precision != "hidden" and region_id:
            unplaced[region_id] += count
    return counts, unplaced
