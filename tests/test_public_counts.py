"""Public counts (``core.publiccounts``): kept in step with every change to a report, whatever path
makes it, and answering the map exactly as counting the reports would."""

import re
from collections import Counter
from contextlib import contextmanager
from datetime import datetime

import pytest
from sqlalchemy import func
from werkzeug.datastructures import MultiDict

from core import mapgrid
from core.extensions import db
from core.models import (
    Category,
    PublicCell,
    PublicCellDay,
    PublicCount,
    PublicCountDay,
    Report,
    report_categories,
)
from core.publiccounts import FIELDS, SUMMED, category_key
from core.publicdata import counted, parse_filters, public_point, published, published_count
from plugins.map import clustering, points
from tests.conftest import on_each_statement
from tests.outputs_data import make_report, populate


def _counts(model=PublicCount, fields=FIELDS) -> Counter:
    return Counter({tuple(getattr(r, name) for name in fields): r.count
                    for r in model.query.filter(model.count != 0)})


def _report_keys():
    """``(row key, day)`` of every row of ``public_counts`` each published report is in."""
    for r in Report.query.filter_by(status="published"):
        point = (r.location_precision, r.public_latitude, r.public_longitude, r.region_id,
                 r.place_id, r.verified)
        day = r.occurred_at.date()
        yield ("total", *point, ""), day
        yield ("set", *point, category_key([c.id for c in r.categories])), day
        for c in r.categories:
            yield ("category", *point, f",{c.id},"), day


def _summed(key: tuple, fields) -> tuple:
    """A ``public_counts`` row key reduced to the ``fields`` of a table that keeps fewer facts."""
    return tuple(key[FIELDS.index(name)] for name in fields)


def _recounted(fields=FIELDS) -> Counter:
    return Counter(_summed(key, fields) for key, _day in _report_keys())


def _days(model=PublicCount, days=PublicCountDay, link="count_id") -> dict:
    """``{(row key, day): reports that occurred on or before that day}`` as stored, without the
    rows that repeat the day before (left by a report that moved or went: they change nothing)."""
    keys = dict(model.query.with_entities(model.id, model.key))
    steps, last = {}, {}
    for d in days.query.order_by(getattr(days, link), days.day):
        key = keys[getattr(d, link)]
        if d.running != last.get(key, 0):
            steps[(key, d.day)] = d.running
        last[key] = d.running
    return steps


def _recounted_days(fields=FIELDS) -> dict:
    from core.publiccounts import row_key

    by_day = Counter((row_key(_summed(key, fields)), day) for key, day in _report_keys())
    running, totals = {}, Counter()
    for (key, day), count in sorted(by_day.items()):
        totals[key] += count
        running[(key, day)] = totals[key]
    return running


def _cells() -> dict:
    return {(c.kind, c.zoom, c.cell_row, c.cell_col, c.region_id, c.verified, c.categories):
            (c.count, c.lat_sum, c.lon_sum) for c in PublicCell.query}


def _cell_days() -> dict:
    """``{(cell key, day): (reports, Σ lat, Σ lon) on or before that day}`` without repeats."""
    keys = dict(PublicCell.query.with_entities(PublicCell.id, PublicCell.key))
    steps, last = {}, {}
    for d in PublicCellDay.query.order_by(PublicCellDay.cell_id, PublicCellDay.day):
        key = keys[d.cell_id]
        values = (d.running, d.running_lat, d.running_lon)
        if values != last.get(key, (0, 0, 0)):
            steps[(key, d.day)] = values
        last[key] = values
    return steps


def _recounted_cells() -> tuple[dict, dict]:
    """The cells and their running totals by day, counted from the reports: every report drawn at
    its own public point is in one cell per band zoom, once per kind of row."""
    from core.publiccounts import row_key

    latitude = mapgrid.reference_latitude()
    cells, by_day = {}, {}

    def add(table, key, lat, lon):
        n, lats, lons = table.get(key, (0, 0, 0))
        table[key] = (n + 1, lats + round(lat * 1_000_000), lons + round(lon * 1_000_000))

    for r in Report.query.filter_by(status="published"):
        if r.location_precision in ("hidden", "region"):
            continue
        lat, lon = r.public_latitude, r.public_longitude
        kinds = [("total", ""), ("set", category_key([c.id for c in r.categories]))]
        kinds += [("category", f",{c.id},") for c in r.categories]
        for zoom in mapgrid.BANDS:
            row, col = mapgrid.cell_key(lat, lon, zoom, latitude)
            for kind, categories in kinds:
                key = (kind, zoom, row, col, r.region_id, r.verified, categories)
                add(cells, key, lat, lon)
                add(by_day, (row_key(key), r.occurred_at.date()), lat, lon)
    running, totals = {}, {}
    for (key, day), (n, lats, lons) in sorted(by_day.items()):
        held = totals.get(key, (0, 0, 0))
        totals[key] = running[(key, day)] = (held[0] + n, held[1] + lats, held[2] + lons)
    return cells, running


def _in_step():
    db.session.expire_all()
    # No running totals outlive their row: its id may be handed out again.
    assert not ({d.count_id for d in PublicCountDay.query}
                - {i for (i,) in PublicCount.query.with_entities(PublicCount.id)})
    assert not ({d.cell_id for d in PublicCellDay.query}
                - {i for (i,) in PublicCell.query.with_entities(PublicCell.id)})
    assert _counts() == _recounted()
    assert _days() == _recounted_days()
    for ledger in SUMMED:  # the same counts with fewer facts: each row sums the rows it holds
        assert not ({getattr(d, ledger.link) for d in ledger.days.query}
                    - {i for (i,) in ledger.model.query.with_entities(ledger.model.id)})
        assert _counts(ledger.model, ledger.fields) == _recounted(ledger.fields)
        assert _days(ledger.model, ledger.days, ledger.link) == _recounted_days(ledger.fields)
    cells, days = _recounted_cells()
    assert _cells() == cells
    assert _cell_days() == days


def test_counts_follow_publish_edit_withdraw_and_delete(app):
    with app.app_context():
        made = populate()
        db.session.commit()
        _in_step()
        published_reports = Report.query.filter_by(status="published").count()
        assert published_count() == published_reports > 0

        pending = next(r for r in made.values() if r.status == "pending")
        pending.status = "published"  # publish
        db.session.commit()
        _in_step()

        shared = made["shared"]
        shared.place_id, shared.public_latitude, shared.public_longitude = "khachmaz-town", 41.4591, 48.8021
        shared.categories = Category.query.filter(Category.slug.in_(["physical"])).all()
        shared.verified = False
        db.session.commit()  # moved, recategorised, unverified
        _in_step()

        made["newer"].status = "archived"  # withdrawn
        db.session.commit()
        _in_step()

        db.session.delete(made["formula"])
        db.session.commit()
        _in_step()

        before = _counts()
        made["hidden"].status = "rejected"
        db.session.rollback()  # nothing changed: nothing counted
        _in_step()
        assert _counts() == before


def test_several_changes_in_one_transaction_and_new_reports_are_counted(app):
    with app.app_context():
        first = make_report(title="one")
        db.session.flush()
        first.status = "pending"
        db.session.flush()
        first.status = "published"
        make_report(title="two", categories=["verbal", "online"], location_precision="region")
        db.session.commit()
        _in_step()
        assert published_count() == 2


COUNT_TABLES = ("public_counts", "public_count_days", "public_point_counts",
                "public_point_count_days", "public_area_counts", "public_area_count_days",
                "public_cells", "public_cell_days")


def _statements_per_table(statements) -> Counter:
    return Counter(table for sql, _parameters in statements for table in COUNT_TABLES
                   if re.search(rf"\b{table}\b", sql))


@pytest.mark.parametrize("status", ["published", "archived"])
def test_a_change_writes_each_counts_table_in_a_few_statements_whatever_it_touches(app, status):
    """A moderator's bulk action flushes many reports on many days at once: each table of counts
    and of running totals gets a few statements run over all their rows (a statement per row and
    day, each built anew, made a 100-report action take seconds), and the counts stay exact."""
    with app.app_context():
        reports = [make_report(title=f"r{n}", status="pending" if status == "published" else "published",
                               occurred_at=datetime(2026, 1 + n % 5, 1 + n, 9, 0),
                               categories=[("verbal", "online", "stalking")[n % 3], "physical"],
                               public_latitude=40.38 + n / 100, public_longitude=49.82 + n / 100)
                   for n in range(12)]
        db.session.commit()
        _in_step()
        before = set(_report_keys())
        for report in reports:
            report.status = status
        with recorded_statements() as statements:
            db.session.commit()
        _in_step()
        # Each report is in four rows of public_counts (total, set, two categories), on its own
        # point and day: 48 rows and days changed in this one table.
        assert len(set(_report_keys()) ^ before) == 48
        written = _statements_per_table(statements)
        assert set(written) == set(COUNT_TABLES)
        assert max(written.values()) <= 4, written


def test_a_bulk_statement_recounts_at_commit(app):
    with app.app_context():
        populate()
        db.session.commit()
        Report.query.filter(Report.status == "published").update({"status": "archived"})
        db.session.commit()
        _in_step()
        assert not _counts()
        db.session.execute(db.update(Report).values(status="published"))
        db.session.commit()
        _in_step()
        assert published_count() == Report.query.count()


@pytest.mark.parametrize("args", [
    {}, {"category": "verbal"}, {"category": "verbal,online"}, {"category": ["stalking", "online"]},
    {"region": "baku"}, {"region": "khachmaz"}, {"verified": "true"}, {"verified": "false"},
    {"bbox": "49.7,40.3,50.0,40.5"}, {"bbox": "44.76,38.39,50.63,41.91", "category": "online"},
    {"region": "baku", "verified": "true", "category": "stalking"},
])
def test_counted_filters_agree_with_the_reports(app, args):
    with app.app_context():
        populate()
        make_report(title="region only", location_precision="region", region_id="khachmaz",
                    categories=["online", "verbal"])
        make_report(title="grid", location_precision="grid", public_latitude=40.425,
                    public_longitude=49.875, verified=True, categories=["stalking"])
        db.session.commit()
        with app.test_request_context():
            filters = parse_filters(MultiDict(args))
            assert counted(filters) is not None
            assert published_count(filters) == published(filters).order_by(None).count()


@pytest.mark.parametrize("args", [
    {"since": "2026-04-01"}, {"until": "2026-02-01"}, {"since": "2026-01-05", "until": "2026-03-10"},
    {"since": "2026-03-11", "until": "2026-03-31"}, {"since": "2030-01-01"}, {"until": "2000-01-01"},
    {"since": "2026-01-01", "until": "2026-12-31", "category": "verbal"},
    {"since": "2026-01-01", "category": "verbal,online", "verified": "true"},
    {"until": "2026-05-02", "region": "baku", "bbox": "49.7,40.3,50.0,40.5"},
])
def test_a_date_filter_reads_running_totals_by_day_and_agrees_with_the_reports(app, args):
    with app.app_context():
        made = populate()
        for i in range(6):
            make_report(title=f"dated {i}", categories=["verbal", "online"][: 1 + i % 2],
                        verified=bool(i % 2), occurred_at=datetime(2026, 5, 1 + i % 3, 9 + i))
        db.session.commit()
        made["shared"].occurred_at = datetime(2026, 1, 20)  # moved to another day
        db.session.commit()
        _in_step()
        with app.test_request_context():
            filters = parse_filters(MultiDict(args))
            assert published_count(filters) == published(filters).order_by(None).count()


def test_map_cells_from_counts_equal_cells_from_reports(app):
    """At every kind of zoom (read from band cells, from cells and points at the box's border, or
    from points alone) and with every filter, the map's cells are the ones the reports give."""
    with app.app_context():
        populate()
        for i in range(5):
            make_report(title=f"extra {i}", categories=["verbal", "online"][: 1 + i % 2],
                        verified=bool(i % 2), occurred_at=datetime(2026, 5, 1 + i))
        make_report(title="grid", location_precision="grid", public_latitude=40.425,
                    public_longitude=49.875, categories=["stalking"])
        make_report(title="region", location_precision="region", region_id="khachmaz",
                    categories=["online"])
        make_report(title="a region no longer known", location_precision="region", region_id="gone",
                    public_latitude=40.4, public_longitude=49.8, categories=["online"])
        latitude = mapgrid.reference_latitude()
        border = 75 * mapgrid.cell_size(7, latitude)[0]  # on the edge of a zoom 7 cell
        for lat in (40.0, 40.2, border):  # the box below cuts the cell holding the first two
            make_report(title=f"at {lat}", location_precision="grid", public_latitude=lat,
                        public_longitude=49.5, categories=["verbal"])
        db.session.commit()
        with app.test_request_context():
            for args in ({}, {"category": "online"}, {"category": "verbal,online"},
                         {"verified": "true", "region": "baku"},
                         {"bbox": "49.7,40.3,50.0,40.5"}, {"since": "2026-05-02"},
                         {"bbox": "44.76,38.39,50.63,41.91", "since": "2026-03-01",
                          "until": "2026-05-03", "category": "online"},
                         {"bbox": "48.5,40.0,49.88,41.6", "verified": "false"},
                         {"bbox": "48.0,40.1,50.0,41.0"},
                         {"bbox": "48.0,40.1,50.0,41.0", "category": "verbal"},
                         {"until": "2026-05-01", "verified": "false"}):
                filters = parse_filters(MultiDict(args))
                expected_points = grouped_reports(filters)
                assert expected_points
                for zoom in (3, 7, 8, 10, 11, 14):
                    expected = clustering.grid(
                        ((lat, lon, count, cats) for (lat, lon), (count, cats) in expected_points.items()),
                        zoom, latitude)
                    assert dict(points._cells(filters, zoom, latitude)) == dict(expected), (args, zoom)


def test_the_grid_cells_are_filed_on_stays_put():
    """Cells are filed by the gazetteer's middle latitude. A release that moves it (new bounds)
    moves every cell: it must ship a migration that calls ``core.publiccounts.rebuild``, then
    update this figure."""
    assert mapgrid.reference_latitude() == 40.15


@contextmanager
def recorded_statements():
    """The ``(SQL, parameters)`` the app's engine runs inside the block."""
    statements: list = []
    with on_each_statement(lambda statement, parameters: statements.append((statement, parameters))):
        yield statements


def skip_unless_sqlite() -> None:
    """Query plans are checked on SQLite, whose fresh database has no statistics to go by."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's planner reads statistics (kept by autovacuum)")


def query_plans(statements, keep) -> list[list[str]]:
    """SQLite's plan (its steps) of each recorded statement whose SQL ``keep`` accepts; at least
    one must be."""
    reads = [(sql, params) for sql, params in statements if keep(sql)]
    assert reads
    with db.engine.connect() as conn:
        return [[row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)]
                for sql, params in reads]


def test_a_country_view_reads_cells_not_points(app):
    """At a band zoom, points well inside the box are read from their cell, not one by one."""
    with app.app_context():
        populate()
        db.session.commit()
        with recorded_statements() as statements, app.test_request_context():
            points._cells(parse_filters(MultiDict({})), 7, mapgrid.reference_latitude())
        from_points = [s for s, _ in statements if "FROM public_point_counts" in s]
        assert any("FROM public_cells" in s for s, _ in statements)
        assert from_points and all("location_precision = " in s for s in from_points)


@pytest.mark.parametrize("args", [{}, {"since": "2026-01-05", "until": "2026-03-10"},
                                  {"category": "verbal"}, {"region": "baku"}])
def test_the_choropleth_reads_counts_per_area_unless_verification_is_asked(app, args):
    """Without the verified filter the choropleth reads ``public_area_counts`` (a few rows per
    region and place); its figures are those of the verified and the unverified ones, each read
    from ``public_counts``, added up."""
    from plugins.map.outlines import drawn

    with app.app_context():
        populate()
        db.session.commit()
        areas = drawn(app.config)
        with recorded_statements() as statements, app.test_request_context():
            either = points.area_counts(parse_filters(MultiDict(args)), areas)
        assert any("FROM public_area_counts" in s for s, _ in statements)
        assert not any("FROM public_counts" in s for s, _ in statements)
        with recorded_statements() as statements, app.test_request_context():
            split = [points.area_counts(parse_filters(MultiDict({**args, "verified": value})), areas)
                     for value in ("true", "false")]
        assert all("FROM public_area_counts" not in s for s, _ in statements)
        assert either[2] > 0
        assert either == tuple(a + b for a, b in zip(*split, strict=True))


def test_two_sessions_publishing_at_the_same_point_at_once_keep_the_counts_in_step(app):
    """Two requests publish reports at one point on interleaved days at the same moment (threads,
    each with its own connection): the counts and running totals by day end up exact."""
    import threading

    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def publish(offset: int):
        try:
            with app.app_context():
                start.wait()
                for i in range(6):
                    report = make_report(title=f"at once {offset}-{i}", status="pending",
                                         occurred_at=datetime(2026, 6, 1 + (i * 2 + offset) % 9))
                    db.session.commit()
                    report.status = "published"
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=publish, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        _in_step()
        assert published_count() == 12
        with app.test_request_context():
            june = parse_filters(MultiDict({"since": "2026-06-03", "until": "2026-06-06"}))
            assert published_count(june) == published(june).order_by(None).count() > 0


def test_a_transaction_flushing_twice_and_another_publishing_in_the_same_cell_both_commit(app):
    """A bulk action flushes once per report; meanwhile someone publishes at a point it reaches
    later. Points and the cell they share are taken in different orders, and neither deadlocks."""
    import threading
    import time

    with app.app_context():
        first = make_report(title="A", status="pending", public_latitude=40.40, public_longitude=49.85,
                            place_id="baku-yasamal")
        later = make_report(title="B", status="pending")  # both at the default Nasimi point
        other = make_report(title="C", status="pending")
        db.session.commit()
        ids = first.id, later.id, other.id
    started = threading.Event()
    errors: list[BaseException] = []

    def publish_other():
        try:
            with app.app_context():
                db.session.get(Report, ids[2]).status = "published"
                started.set()
                db.session.commit()
                db.session.remove()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    with app.app_context():
        db.session.get(Report, ids[0]).status = "published"
        db.session.flush()  # the bulk action's first report: its point and its cells
        thread = threading.Thread(target=publish_other)
        thread.start()
        started.wait()
        time.sleep(0.5)  # the other transaction is at its commit
        db.session.get(Report, ids[1]).status = "published"
        db.session.flush()  # the bulk action reaches the other's point
        db.session.commit()
        thread.join(30)
        assert errors == []
        _in_step()
        assert published_count() == 3


def grouped_reports(filters):
    """What ``points._cells`` reads from the counts, counted from the reports themselves (GROUP BY
    on the public point): the oracle the counts are checked against."""
    base = published(filters).order_by(None)
    groups: dict = {}
    columns = points.POINT_COLUMNS
    for row in base.with_entities(*columns, func.count(Report.id)).group_by(*columns):
        point = public_point(row)
        # ``public_point`` may move a report (region precision → region centre): check again.
        if point is not None and points._in_bbox(point, filters.bbox):
            entry = groups.setdefault(point, [0, Counter()])
            entry[0] += row[-1]
    if not groups:
        return groups
    by_category = (
        base.join(report_categories, report_categories.c.report_id == Report.id)
        .with_entities(*columns, report_categories.c.category_id, func.count(Report.id))
        .group_by(*columns, report_categories.c.category_id)
    )
    chosen = {c.id for c in Category.query.filter(Category.slug.in_(filters.categories))}
    for row in by_category:
        entry = groups.get(public_point(row))
        # With a category filter a cluster is coloured by the chosen categories only.
        if entry is not None and (not chosen or row[-2] in chosen):
            entry[1][row[-2]] += row[-1]
    return groups


@pytest.mark.parametrize("query", [
    "bbox=49.70,40.30,50.05,40.50&zoom=12&region=baku&verified=true&category=physical",
    "bbox=44.76,38.39,50.63,41.91&zoom=9&region=khachmaz",
    "bbox=49.70,40.30,50.05,40.50&zoom=13",
])
def test_each_part_of_a_points_request_reads_through_its_own_index(make_app, query):
    """A fresh SQLite database has no statistics, so its planner picks indexes by the query's
    shape alone. Every read of the counts must still narrow by more than the kind (a range of
    latitude or longitude, or the precision): a read of a whole kind grows with the table. A
    region filter once made the reports at region centres a read of every row of their kind."""
    app = make_app(SESIM_PLUGINS="map")
    client = app.test_client()
    with app.app_context():
        skip_unless_sqlite()
        populate()
        db.session.commit()
        with recorded_statements() as statements:
            assert client.get(f"/map/points.geojson?{query}").status_code == 200
        counts = ("public_counts", "public_point_counts")  # with a verified filter, the first
        reads = query_plans(statements, lambda sql: any(f"FROM {t} " in sql for t in counts))
        plans = [step for plan in reads for step in plan if any(f"{t} " in step for t in counts)]
    assert plans
    for step in plans:
        assert step.startswith("SEARCH") and "(kind=?)" not in step, step
