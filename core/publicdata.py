"""What the public may see of reports, in one place: the published-reports query, its filters,
and the public fields. Map, stories, export, statistics and the API all go through here, so a
private field (exact point, contact, original story, notes) cannot slip into one of them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, or_, select, union_all

from core import gazetteer
from core.models import Category, Report, report_categories
from core.models.report import shared_story, story_order

FILTER_KEYS = ("category", "since", "until", "bbox", "region", "verified")
POINT_BY_POINT = 30  # a box with up to this many public points has its newest read point by point
NARROW_BATCHES = 10  # an export of up to this many batches of matches reads them through their index


class FilterError(ValueError):
    """A filter value is malformed; ``str(error)`` is a translated reason for a 400."""


@dataclass(frozen=True)
class Filters:
    categories: tuple[str, ...] = ()  # slugs
    since: date | None = None
    until: date | None = None
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    region: str | None = None
    verified: bool | None = None


def _date(value: str, name: str) -> date:
    try:
        parsed = date.fromisoformat(value)
    except ValueError as exc:
        raise FilterError(_l("%(name)s must be a date like 2026-01-31.", name=name)) from exc
    if not 1900 <= parsed.year <= 2100:  # 9999-12-31 + 1 day would overflow
        raise FilterError(_l("%(name)s must be a date like 2026-01-31.", name=name))
    return parsed


def parse_filters(args) -> Filters:
    """Read filters from query parameters (a ``MultiDict``); raise ``FilterError`` when malformed."""
    slugs = tuple(s for value in args.getlist("category") for s in value.split(",") if s)
    if slugs:
        known = {slug for (slug,) in Category.query.with_entities(Category.slug)}
        unknown = [s for s in slugs if s not in known]
        if unknown:
            raise FilterError(_l("Unknown category: %(name)s.", name=", ".join(unknown)))
    since = _date(args["since"], "since") if args.get("since") else None
    until = _date(args["until"], "until") if args.get("until") else None
    if since and until and since > until:
        raise FilterError(_l("since must not be after until."))
    bbox = None
    if args.get("bbox"):
        try:
            west, south, east, north = (float(v) for v in args["bbox"].split(","))
        except ValueError as exc:
            raise FilterError(_l("bbox must be four numbers: west,south,east,north.")) from exc
        if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
            raise FilterError(_l("bbox is outside the world or south is above north."))
        bbox = (west, south, east, north)
    region = args.get("region") or None
    if region and gazetteer.load().region(region) is None:
        raise FilterError(_l("Unknown region: %(name)s.", name=region))
    verified = None
    if args.get("verified"):
        lowered = args["verified"].lower()
        if lowered not in ("true", "false", "1", "0"):
            raise FilterError(_l("verified must be true or false."))
        verified = lowered in ("true", "1")
    return Filters(slugs, since, until, bbox, region, verified)


def published(filters: Filters | None = None, wanted: int | None = None, older_than=None):
    """The query of published reports matching ``filters``, newest first; ``older_than``: only
    those after ``(occurred_at, id)`` in that order (a cursor).

    ``wanted``: how many the caller reads (offset + limit). Walking every report by date until
    that many match is cheap when many do, but a few among a million (a village at street zoom, a
    rare category) cost the million: when the public counts show that the box's, region's or
    categories' reports are fewer, those are read through their index and sorted instead."""
    f = filters or Filters()
    older = (or_(Report.occurred_at < older_than[0],
                 and_(Report.occurred_at == older_than[0], Report.id < older_than[1])),
             ) if older_than else ()
    query = apply(Report.query.filter(Report.status == "published", *older), f)
    narrow = _narrowest(f, wanted, older) if wanted else None
    if narrow is not None:
        # Not the date index, which SQLite would still walk, looking each report up in the list.
        query = query.filter(Report.id.in_(narrow)).with_hint(Report, "NOT INDEXED", "sqlite")
    return query.order_by(Report.occurred_at.desc(), Report.id.desc())


def _narrowest(f: Filters, wanted: int, older: tuple = ()):
    """A subquery of the ids of the reports to sort instead of walking them all by date, or None.

    The reports of ``f``'s box (each of its public points' newest ``wanted``, when it has few),
    region or categories, whichever are fewest, if they are few or fewer than the walk by date
    would read to find ``wanted`` matches (all the period's reports when fewer match). Each
    subquery has one filter, so the database reads it through that filter's index; those that
    keep only the newest ``wanted`` keep them among the ``older`` (the cursor's conditions)."""
    paths = []
    if f.bbox:
        paths.append(_box_path(f, wanted, older))
    if f.region:
        paths.append((published_count(Filters(region=f.region)),
                      lambda: select(Report.id).where(Report.status == "published",
                                                      Report.region_id == f.region)))
    if f.categories:
        paths.append((published_count(Filters(categories=f.categories)),
                      lambda: select(report_categories.c.report_id)
                      .where(report_categories.c.category_id.in_(category_ids(f.categories)))))
    if not paths:
        return None
    reads, narrow = min(paths, key=lambda path: path[0])
    # A few hundred reads cost little whichever way: counting what the walk would read costs more.
    if reads > wanted * (POINT_BY_POINT + 1):
        matching = published_count(f)
        dated = published_count(Filters(since=f.since, until=f.until))
        if reads >= (dated if matching <= wanted else dated * wanted / matching):
            return None
    return narrow()


def _box_path(f: Filters, wanted: int, older: tuple) -> tuple:
    """``(reports read, subquery builder)`` for the box: with up to ``POINT_BY_POINT`` public
    points in it, the newest ``wanted`` matching reports of each (a point's reports lie in the
    index of public points in date order), else every report in it; and the newest ``wanted`` of
    each region whose centre is in it."""
    from core.models import PublicPointCount as Point

    points = (Point.query.filter(Point.kind == "total", _placed_in(Point, f.bbox))
        .with_entities(Point.public_latitude, Point.public_longitude).distinct()
        .limit(POINT_BY_POINT + 1).all())
    centres = len(_regions_in(f.bbox)) * wanted
    if len(points) > POINT_BY_POINT:
        return published_count(Filters(bbox=f.bbox)) + centres, lambda: _in_box(f, wanted, older)
    # Each point's and region's read stops once it has ``wanted`` (more with other filters).
    return len(points) * wanted + centres, lambda: _newest_at(points, f, wanted, older)


def _in_box(f: Filters, wanted: int, older: tuple):
    """The ids of every report drawn at a public point in ``f``'s box (through the index of
    public points) and of the newest ``wanted`` at its regions' centres."""
    placed = (select(Report.id).where(Report.status == "published", _placed_in(Report, f.bbox))
              .with_hint(Report, "INDEXED BY ix_reports_status_public_point", "sqlite"))
    return placed.union_all(*_at_centres(f, wanted, older))  # (a union of one is that select)


def _newest_at(points, f: Filters, wanted: int, older: tuple):
    """The ids of the newest ``wanted`` reports matching ``f`` at each of ``points`` (each read
    newest first through the index of public points), and at its regions' centres."""
    arms = [_newest(select(Report.id).where(
        Report.status == "published", Report.location_precision.notin_(("hidden", "region")),
        Report.public_latitude == lat, Report.public_longitude == lon),
        f, wanted, older, "ix_reports_status_public_point") for lat, lon in points]
    arms += _at_centres(f, wanted, older)
    return union_all(*arms) if arms else select(Report.id).where(false())  # an empty box


def _at_centres(f: Filters, wanted: int, older: tuple) -> list:
    """Per region whose centre is in ``f``'s box, the ids of the newest ``wanted`` matching
    reports drawn there (region precision), read newest first through their index."""
    return [_newest(select(Report.id).where(
        Report.status == "published", Report.location_precision == "region", Report.region_id == region),
        f, wanted, older, "ix_reports_status_region_centre") for region in _regions_in(f.bbox)]


def _newest(ids, f: Filters, wanted: int, older: tuple, index: str):
    """``ids`` narrowed by ``f`` but its box and by ``older``, read through ``index`` newest first,
    ``wanted`` of them (a subquery's select: SQLite takes ORDER BY and LIMIT in a union only so)."""
    arm = (apply(ids.where(*older), replace(f, bbox=None)).with_hint(Report, f"INDEXED BY {index}", "sqlite")
           .order_by(Report.occurred_at.desc(), Report.id.desc()).limit(wanted).subquery())
    return select(arm.c.id)


def _placed_in(model, bbox):
    """The rows of ``model`` (reports or counts by point) drawn at their own public point in
    ``bbox``: not hidden, not at a region's centre."""
    west, south, east, north = bbox
    return and_(model.location_precision.notin_(("hidden", "region")),
                model.public_latitude.between(south, north), model.public_longitude.between(west, east))


def _regions_in(bbox) -> list[str]:
    """The regions whose centre is in ``bbox``: where their region-precision reports are drawn."""
    west, south, east, north = bbox
    return [r.id for r in gazetteer.load().regions if west <= r.lon <= east and south <= r.lat <= north]


def apply(query, f: Filters, public: bool = True):
    """Narrow a report query by ``f``. Public queries match places only as they are published: a
    hidden place matches no region or box, a region-precision report only its region's centre."""
    if f.categories:
        query = query.filter(Report.categories.any(Category.slug.in_(f.categories)))
    if f.since:
        query = query.filter(Report.occurred_at >= datetime.combine(f.since, datetime.min.time()))
    if f.until:
        end = datetime.combine(f.until + timedelta(days=1), datetime.min.time())
        query = query.filter(Report.occurred_at < end)
    return _places(query, Report, f, public)


def _places(query, model, f: Filters, public: bool = True):
    """The box, region and verified filters, on reports or on counts rows alike."""
    if f.bbox:
        query = query.filter(or_(
            _placed_in(model, f.bbox),
            and_(model.location_precision == "region", model.region_id.in_(_regions_in(f.bbox))),
        ))
    if f.region:
        query = query.filter(model.region_id == f.region)
        if public:  # a hidden place must not be revealed by filtering on it
            query = query.filter(model.location_precision != "hidden")
    if f.verified is not None:
        query = query.filter(model.verified.is_(f.verified))
    return query


def counts_model(filters: Filters | None = None, points: bool = False):
    """The counts table with the fewest rows that answers ``filters``: ``PublicCount`` for the
    verified filter (only it keeps verification), else ``PublicPointCount`` for a box or when the
    caller reads public points (``points``), else ``PublicAreaCount`` (a few dozen rows)."""
    from core.models import PublicAreaCount, PublicCount, PublicPointCount

    f = filters or Filters()
    if f.verified is not None:
        return PublicCount
    return PublicPointCount if points or f.bbox else PublicAreaCount


def counted(filters: Filters | None = None, kind: str | tuple | None = None, model=None):
    """Counts rows (of ``model``, by default ``counts_model(filters)``) matching ``filters``.
    Without a category filter these are the ``total`` rows (or ``kind``: ``category`` for how
    many of them have each category, or a tuple of kinds); with one category, that category's
    rows; with several, the ``set`` rows of the sets that hold a chosen category (a report with
    two of them is counted once). Summing ``counted_column(filters, model)`` over them gives what
    ``published`` would count, reading a few thousand rows however many reports there are; a date
    filter reads each row's running totals by day."""
    f = filters or Filters()
    model = model or counts_model(f)
    return _places(_of_kind(model.query, model, f, kind), model, f)


def _of_kind(query, model, f: Filters, kind: str | tuple | None, ids: list[int] | None = None):
    """The rows of ``query`` (on a counts table or ``PublicCell``) of ``kind`` (by default
    ``total``; a tuple: any of them), or with a category filter the rows ``of_categories`` reads
    (``ids``: the categories', when known)."""
    if f.categories:
        return of_categories(query, ids if ids is not None else category_ids(f.categories), model)
    if isinstance(kind, tuple):
        return query.filter(model.kind.in_(kind))
    if (kind or "total") == "total":
        return query.filter(model.kind == "total", model.categories == "")
    return query.filter(model.kind == kind)


def category_ids(slugs) -> list[int]:
    return sorted(i for (i,) in Category.query.filter(Category.slug.in_(slugs))
                  .with_entities(Category.id))


def of_categories(query, ids, model):
    """The rows of ``query`` (on a counts table or ``PublicCell``) counting the reports with any
    of the category ``ids``: one category's ``category`` rows, or for several the ``set`` rows
    holding one (a report with two of them is counted once)."""
    if len(ids) == 1:
        return query.filter(model.kind == "category", model.categories == f",{ids[0]},")
    return query.filter(model.kind == "set",
                        or_(*(model.categories.like(f"%,{i},%") for i in ids)))


def counted_column(filters: Filters | None = None, model=None):
    """What one ``counted`` row (of ``model``, by default ``counts_model(filters)``) contributes:
    its ``count``, or with a date filter its reports that occurred in the period (running total
    on ``until`` minus running total before ``since``). May be 0 for a row: callers skip points
    whose sum is 0."""
    from core.publiccounts import running_link

    f = filters or Filters()
    model = model or counts_model(f)
    return _in_period(model, running_link(model), "count", "running", f)


def counted_cells(filters: Filters, zoom: int, rows=None, cols=None, kind: str | tuple | None = None,
                  ids: list[int] | None = None):
    """``PublicCell`` rows of band ``zoom`` (``core.mapgrid.BANDS``) in the inclusive cell ranges
    ``rows`` and ``cols`` (None: every cell) matching the category and verified filters, as
    ``counted`` reads ``PublicCount``: ``total`` rows (or ``kind``, or a tuple of kinds), or with a
    category filter that category's rows, or the ``set`` rows holding a chosen category (``ids``:
    theirs, when known)."""
    from core.models import PublicCell

    query = _of_kind(PublicCell.query.filter(PublicCell.zoom == zoom), PublicCell, filters, kind, ids)
    for column, span in ((PublicCell.cell_row, rows), (PublicCell.cell_col, cols)):
        if span is not None:
            query = query.filter(column.between(*span))
    if filters.region:
        query = query.filter(PublicCell.region_id == filters.region)
    if filters.verified is not None:
        query = query.filter(PublicCell.verified.is_(filters.verified))
    return query


def cell_columns(filters: Filters):
    """``(reports, Σ latitude, Σ longitude)`` of one ``counted_cells`` row (micro-degrees), in the
    period of a date filter as ``counted_column``."""
    from core.models import PublicCell
    from core.publiccounts import running_link

    return tuple(_in_period(PublicCell, running_link(PublicCell), value, running, filters)
                 for value, running
                 in (("count", "running"), ("lat_sum", "running_lat"), ("lon_sum", "running_lon")))


def _in_period(model, link, value: str, running: str, f: Filters):
    """``value`` of a counts row, or with a date filter its running total on ``until`` minus the
    one before ``since`` (two index look-ups, whatever the period) from the running totals whose
    column ``link`` holds the row's id."""
    from sqlalchemy import func, select

    days = link.class_

    def running_on(day):
        return func.coalesce(
            select(getattr(days, running))
            .where(link == model.id, days.day <= day)
            .order_by(days.day.desc()).limit(1)
            .correlate(model).scalar_subquery(), 0)

    total = running_on(f.until) if f.until else getattr(model, value)
    if f.since:
        total = total - running_on(f.since - timedelta(days=1))
    return total


def published_count(filters: Filters | None = None) -> int:
    """How many published reports match ``filters``."""
    from sqlalchemy import func

    model = counts_model(filters)
    rows = counted(filters, model=model)
    return int(rows.with_entities(func.coalesce(func.sum(counted_column(filters, model)), 0)).scalar())


def public_point(report: Report) -> tuple[float, float] | None:
    """``(lat, lon)`` as published: blurred, or nothing when the moderator hid the place."""
    if report.location_precision == "hidden" or report.public_latitude is None:
        return None
    if report.location_precision == "region":
        region = gazetteer.load().region(report.region_id or "")
        if region:
            return region.lat, region.lon
    return report.public_latitude, report.public_longitude


def public_place(report: Report, language: str = "en") -> tuple[str | None, str | None]:
    """``(place name, region name)`` as published."""
    if report.location_precision == "hidden":
        return None, None
    gaz = gazetteer.load()
    region = gaz.region(report.region_id or "")
    place = gaz.place(report.place_id or "") if report.location_precision != "region" else None
    return (place.name(language) if place else None), (region.name(language) if region else None)


def public_fields(report: Report, language: str = "en") -> dict:
    """The public view of a published report. Nothing else about a report may leave the server."""
    point = public_point(report)
    place, region = public_place(report, language)
    return {
        "id": report.public_id,
        "title": report.title,
        "story": report.public_story if report.consent_publish else None,
        "occurred_on": report.occurred_at.date().isoformat(),
        "published_at": report.published_at.isoformat() if report.published_at else None,
        "categories": [c.slug for c in report.categories],
        "category_names": [c.name_in(language) for c in report.categories],
        "verified": report.verified,
        "place": place,
        "region": region,
        "region_id": report.region_id if report.location_precision != "hidden" else None,
        "lat": point[0] if point else None,
        "lon": point[1] if point else None,
        "source_channel": report.source_channel,
    }


def iter_published(filters: Filters | None = None, language: str = "en", batch_size: int = 1000):
    """Yield ``public_fields`` of every matching published report, fetching ``batch_size`` rows at a
    time by keyset on the primary key: memory stays flat however many reports there are, and no
    database cursor stays open between batches (exports stream for minutes)."""
    base = published(filters).order_by(None)
    matches = published_count(filters)
    if matches <= NARROW_BATCHES * batch_size:
        # A few (a village, a rare category) are found through their index, as a page of the map
        # finds them, instead of walking every report by id; their ids once, first: a point's
        # newest would shift if reports were published there while the export streams.
        ids = sorted(i for (i,) in published(filters, wanted=max(1, matches)).order_by(None)
                     .with_entities(Report.id))
        for start in range(0, len(ids), batch_size):
            chunk = ids[start:start + batch_size]
            yield from _public_batch(base.filter(Report.id.in_(chunk)).order_by(Report.id).all(),
                                     language)
        return
    last_id = 0
    while True:
        batch = base.filter(Report.id > last_id).order_by(Report.id).limit(batch_size).all()
        if not batch:
            return
        last_id, last = batch[-1].id, len(batch) < batch_size
        yield from _public_batch(batch, language)
        if last:
            return


def _public_batch(batch: list, language: str):
    """``public_fields`` of each, then every report dropped from the session so that the identity
    map cannot grow."""
    from core.extensions import db

    for report in batch:
        yield public_fields(report, language)
    for report in batch:
        db.session.expunge(report)


def shared_stories(filters: Filters | None = None):
    """Published reports whose reporter consented to share the story and whose redacted story a
    moderator wrote; newest publication first (what a feed reader expects)."""
    # In the index's order: the newest stories first, however many reports have none. Without
    # statistics SQLite would read every published report and sort them.
    return (published(filters).filter(shared_story()).order_by(None)
            .order_by(story_order().desc(), Report.id.desc())
            .with_hint(Report, "INDEXED BY ix_reports_shared_stories", "sqlite"))


def last_change():
    """When public output last changed: when a report that was or became public last changed
    (published, edited, withdrawn, taken down, deleted), as ``core.publiccounts`` records it with
    the public data's version: one row, however many reports."""
    from core.extensions import db
    from core.publiccounts import changed_at

    return changed_at(db.session.connection())


def filter_args(args, keys=FILTER_KEYS) -> dict:
    """The filters in ``args`` as query arguments (category may repeat), for links that keep them."""
    found = {key: [v for v in args.getlist(key) if v] for key in keys}
    return {key: values for key, values in found.items() if values}


def filter_choices(language: str) -> dict:
    """What a public filter form offers: active categories and the gazetteer's regions."""
    return {
        "categories": Category.query.filter_by(active=True).order_by(Category.position).all(),
        "regions": [(r.id, r.name(language)) for r in gazetteer.load().regions],
    }
