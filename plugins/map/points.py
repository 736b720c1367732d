"""The map's data, read only through ``core.publicdata``: clustered points for a bounding box and
report counts per area. Counts come from the public counts (``core.publiccounts``: per point,
per area and per grid cell, kept in step with every change to a report) and, for a date filter,
their running totals by day, so the work grows with the number of distinct blurred points, not
with the reports (tests/test_public_counts.py checks them against counting the reports
themselves)."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import replace

from flask import url_for
from flask_babel import ngettext
from sqlalchemy import and_, case, func, not_

from core import gazetteer, mapgrid
from core.models import Category, PublicCell, Report
from core.publicdata import (
    Filters,
    category_ids,
    cell_columns,
    counted,
    counted_cells,
    counted_column,
    counts_model,
    public_fields,
    public_point,
    published,
)
from plugins.map import clustering
from plugins.map.clustering import Cluster
from plugins.map.outlines import Areas

DETAIL_LIMIT = 200  # at most this many reports in view: popups list their titles
POPUP_LIST = 10  # a cluster of up to this many reports lists them in its popup
DEFAULT_COLOUR = "#7f8c8d"
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MARGIN = 1e-6  # of a cell: far above rounding, far below any distance between public points

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


def _in_bbox(point, bbox) -> bool:
    if bbox is None:
        return True
    west, south, east, north = bbox
    return south <= point[0] <= north and west <= point[1] <= east


def _cells(filters: Filters, zoom: int, latitude: float) -> dict:
    """``{(row, column) at zoom: Cluster}`` of the matching reports, before close ones merge.

    At a zoom served by bands (``core.mapgrid.BANDS``, the ones at or above it) the cells lying
    wholly inside the box are read from ``public_cells``: the coarsest band's (a few dozen at a
    country view), then of each finer band the ring between the box's side and the cells already
    read. Only the points in the thin strips left along the sides, and reports drawn at a region's
    centre, come from ``public_counts``. Above the finest band every point does. Either way the
    cost follows the cells and points in view, not the reports, and the answer is the one counting
    the reports would give (tests/test_public_counts.py)."""
    cells: dict = defaultdict(Cluster)
    band = inner = None
    reads = []
    for finer in (b for b in mapgrid.BANDS if b >= zoom):
        ring = _inner_cells(filters.bbox, finer, latitude)
        if ring is None:
            continue
        reads.append((finer, ring, _block(finer, band, inner)))
        band, inner = finer, ring
        if ring[0] is None:  # no box: the coarsest band holds every place
            break
    chosen = _chosen(filters)
    _add_bands(cells, filters, chosen, zoom, reads)
    _add_points(cells, filters, chosen, zoom, latitude, band, inner)
    return cells


def _inner_cells(bbox, band: int, latitude: float):
    """``(rows, cols)``: inclusive ranges of the cells of ``band`` wholly inside ``bbox`` (with a
    margin far above rounding), None for unbounded; None when no cell is."""
    if bbox is None:
        return None, None
    lat_step, lon_step = mapgrid.cell_size(band, latitude)
    west, south, east, north = bbox
    rows = (math.ceil(south / lat_step + MARGIN), math.floor(north / lat_step - MARGIN) - 1)
    cols = (math.ceil(west / lon_step + MARGIN), math.floor(east / lon_step - MARGIN) - 1)
    if rows[0] > rows[1] or cols[0] > cols[1]:
        return None
    return rows, cols


def _block(band: int, coarser: int | None, read):
    """The cells of ``band`` inside the coarser band's cells ``read`` already, as inclusive
    ``(rows, cols)``, or None."""
    if coarser is None:
        return None
    shift = band - coarser
    return tuple((first << shift, ((last + 1) << shift) - 1) for first, last in read)


def _add_bands(cells: dict, filters: Filters, chosen: set[int], zoom: int, reads: list) -> None:
    """Add the cells of each ``(band, inner cells, block)``, leaving out ``block`` (read from a
    coarser band), folded into the cells of ``zoom`` (cells nest: a shift): one query for all,
    ``total`` rows for the counts and ``category`` rows for the histogram, or with a category filter
    the rows ``counted_cells`` reads for both."""
    if not reads:
        return
    count, lat_sum, lon_sum = cell_columns(filters)
    grouped = (PublicCell.zoom, PublicCell.cell_row, PublicCell.cell_col, PublicCell.kind,
               PublicCell.categories)
    sums = (lat_sum, lon_sum)
    if not chosen:  # ``category`` rows only feed the histogram: their coordinates are never read
        sums = tuple(case((PublicCell.kind == "category", 0), else_=column) for column in sums)
    selects = []
    for band, (rows, cols), block in reads:
        query = counted_cells(filters, band, rows, cols, kind=None if chosen else ("total", "category"),
                              ids=sorted(chosen) or None)
        if block is not None:
            query = query.filter(not_(and_(PublicCell.cell_row.between(*block[0]),
                                           PublicCell.cell_col.between(*block[1]))))
        selects.append(query.with_entities(*grouped, func.sum(count), *map(func.sum, sums))
                       .group_by(*grouped))
    for band, row, col, kind, categories, n, lat, lon in (
            selects[0].union_all(*selects[1:]) if len(selects) > 1 else selects[0]):
        if n:
            cell = cells[(row >> (band - zoom), col >> (band - zoom))]
            if chosen or kind != "category":
                cell.add(int(n), int(lat), int(lon))  # PostgreSQL sums bigints as numeric
            _add_categories(cell.categories, categories, int(n), chosen)


def _add_points(cells: dict, filters: Filters, chosen: set[int], zoom: int, latitude: float, band,
                inner) -> None:
    """Add the public points not in the band's inner cells: ``total`` rows and their ``category``
    rows, or with a category filter the rows ``counted`` reads (that category's, or the ``set``
    rows holding a chosen one, whose lists give the histogram). Without a verified filter these
    are rows per point (``PublicPointCount``), a third of those split by place and verification."""
    model = counts_model(filters, points=True)
    point = (model.location_precision.label("location_precision"),
             model.public_latitude.label("public_latitude"),
             model.public_longitude.label("public_longitude"),
             # An expression, not the column: with a region filter the region is a constant, which
             # SQLite drops from the grouping, and it then read the region centres' part through
             # the latitude index (every row of the kind). No index serves an expression, so the
             # filter's columns choose the index (kind, precision, region) again.
             func.coalesce(model.region_id, "").label("region_id"))
    amount = func.sum(counted_column(filters, model))
    unboxed = replace(filters, bbox=None)  # the box is read part by part below
    kinds = None if chosen else ("total", "category")
    query = counted(unboxed, kind=kinds, model=model)
    columns = (*point, model.kind, model.categories)
    selects = [query.filter(*part).with_entities(*columns, amount).group_by(*_first(columns, lead))
               for part, lead in _parts(model, filters.bbox, band, inner, latitude)]
    drawn: dict = {}  # per point (several rows each): (cell, micro-degrees), or None
    seen: set = set()  # a corner is in two strips
    for row in selects[0].union_all(*selects[1:]) if len(selects) > 1 else selects[0]:
        precision, lat, lon, region, kind, categories, n = row
        if not n or row[:-1] in seen:
            continue
        seen.add(row[:-1])
        place = (precision, lat, lon, region)
        if place not in drawn:
            where = _drawn_at(row, filters.bbox, band, inner, latitude)
            drawn[place] = where and (cells[mapgrid.cell_key(*where, zoom, latitude)],
                                      mapgrid.micro(where[0]), mapgrid.micro(where[1]))
        if drawn[place] is None:
            continue
        cell, micro_lat, micro_lon = drawn[place]
        if chosen or kind != "category":
            cell.add(n, micro_lat * n, micro_lon * n)
        _add_categories(cell.categories, categories, n, chosen)


def _first(columns, lead: str | None) -> list:
    """``columns`` with the one labelled ``lead`` first after the precision (the first)."""
    named = [c for c in columns[1:] if getattr(c, "name", None) == lead]
    return [columns[0], *named, *(c for c in columns[1:] if c not in named)]


def _parts(model, bbox, band, inner, latitude: float) -> list[tuple]:
    """The points rows ``_add_points`` reads, as parts ``(conditions, grouping column)``: each one
    range of one indexed column (kind with latitude, longitude, or precision and region), grouped
    in that column's order, so the database reads each part through that index whatever its
    statistics. The reports drawn at a region's centre; then the points in the box, or (at a band
    zoom) those outside the band's inner cells, as strips along its sides. A point in two strips
    (a corner) is read twice: ``_add_points`` keeps it once, and ``_drawn_at`` only in the box
    and outside the inner cells."""
    precision = model.location_precision
    lat, lon = model.public_latitude, model.public_longitude
    centres = ((precision == "region",), "region_id")  # in the box or not: ``_drawn_at``
    if bbox is None:
        return [((), None)] if inner is None else [centres]
    west, south, east, north = bbox
    placed = precision.notin_(("hidden", "region"))
    if inner is None:
        return [centres, ((placed, lat.between(south, north), lon.between(west, east)), "public_latitude")]
    (first_row, last_row), (first_col, last_col) = inner
    lat_step, lon_step = mapgrid.cell_size(band, latitude)
    edge = MARGIN * min(lat_step, lon_step)
    return [centres,
            ((placed, lat >= south, lat < first_row * lat_step + edge), "public_latitude"),
            ((placed, lat >= (last_row + 1) * lat_step - edge, lat <= north), "public_latitude"),
            ((placed, lon >= west, lon < first_col * lon_step + edge), "public_longitude"),
            ((placed, lon >= (last_col + 1) * lon_step - edge, lon <= east), "public_longitude")]


def _drawn_at(row, bbox, band, inner, latitude: float):
    """Where a points row is drawn, or None: hidden, outside the box, or already counted in one of
    the band's inner cells (decided by the same ``cell_key`` that filed it there; a region's
    reports are never in cells)."""
    where = public_point(row)
    if where is None or not _in_bbox(where, bbox):
        return None
    if row.location_precision == "region":
        # A region no longer known matches no box, as in ``core.publicdata``.
        known = gazetteer.load().region(row.region_id or "") is not None
        return where if known or bbox is None else None
    if inner is not None:
        rows, cols = inner
        if rows is None:
            return None
        cell_row, cell_col = mapgrid.cell_key(*where, band, latitude)
        if rows[0] <= cell_row <= rows[1] and cols[0] <= cell_col <= cols[1]:
            return None
    return where


def _chosen(filters: Filters) -> set[int]:
    """The ids of the categories a filter chose (none: every report counts)."""
    return set(category_ids(filters.categories)) if filters.categories else set()


def _add_categories(counter: Counter, key: str, count: int, chosen: set[int]) -> None:
    """Count ``key``'s categories; with a category filter only the chosen ones: a cluster takes
    the colour of the chosen category most of its reports have, never of one left out."""
    for category_id in map(int, filter(None, key.split(","))):
        if not chosen or category_id in chosen:
            counter[category_id] += count


def _colours() -> dict[int, tuple[str, str]]:
    """``{category id: (slug, colour)}``; a colour that is not ``#rrggbb`` falls back to grey."""
    rows = Category.query.with_entities(Category.id, Category.slug, Category.colour)
    return {i: (slug, colour if HEX_COLOUR.match(colour or "") else DEFAULT_COLOUR)
            for i, slug, colour in rows}


def _details(filters: Filters, language: str, zoom: int, latitude: float) -> dict:
    """``{cell key: [popup entries]}`` for a small view: title, date, link, verified."""
    listed: dict = defaultdict(list)
    for report in published(filters, wanted=DETAIL_LIMIT).limit(DETAIL_LIMIT):
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
    latitude = mapgrid.reference_latitude()
    cells = clustering.merged(_cells(filters, zoom, latitude), zoom, latitude)
    total = sum(cell.count for cell in cells.values())
    # Popups list the reports of small clusters only: with none, nothing is read for them.
    listing = 0 < total <= DETAIL_LIMIT and any(cell.count <= POPUP_LIST for cell in cells.values())
    details = _details(filters, language, zoom, latitude) if listing else {}
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


def area_counts(filters: Filters, areas: Areas) -> tuple[Counter, Counter, int]:
    """``(reports per outline id, reports per region without a finer outline, every matching
    report)``, the box left aside: without one, the last is ``published_count`` from the same
    rows (a page needs not read a period's running totals twice). Without a verified filter these
    are a few dozen rows per region and place (``PublicAreaCount``), however many points."""
    unboxed = replace(filters, bbox=None)
    model = counts_model(unboxed)
    columns = (model.region_id, model.place_id, model.location_precision)
    rows = (counted(unboxed, model=model).with_entities(*columns, func.sum(counted_column(unboxed, model)))
            .group_by(*columns))
    counts: Counter = Counter()
    unplaced: Counter = Counter()
    everywhere = 0
    for region_id, place_id, precision, count in rows:
        if not count:
            continue
        everywhere += count
        area = areas.area_of(region_id, place_id, precision)
        if area is not None:
            counts[area] += count
        elif precision != "hidden" and region_id:
            unplaced[region_id] += count
    return counts, unplaced, int(everywhere)
