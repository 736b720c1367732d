"""A page of the newest published reports (the map's list and popups, the API) reads the few
reports of a small box, a region or a rare category through their index instead of walking every
report by date (``core.publicdata.published`` with ``wanted``), and lists exactly what the walk
would have listed."""

from datetime import datetime, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from core.extensions import db
from core.publicdata import _narrowest, parse_filters, published
from tests.outputs_data import make_report, populate
from tests.test_public_counts import query_plans, recorded_statements, skip_unless_sqlite

VILLAGE = "48.70,41.55,48.75,41.60"  # a few reports among many elsewhere
START = datetime(2025, 1, 1, 12, 0)


def _village_and_town() -> None:
    """Six reports at two points of a village, one at its region's centre, 40 in Baku."""
    for day in range(3):
        make_report(title=f"Village {day}", occurred_at=START + timedelta(days=day * 10),
                    categories=["sextortion"], place_id=None, region_id="khachmaz",
                    public_latitude=41.575, public_longitude=48.725, location_precision="grid",
                    verified=day == 1)
        make_report(title=f"Village east {day}", occurred_at=START + timedelta(days=day * 10 + 5),
                    categories=["sextortion", "online"] if day else ["physical"], place_id=None,
                    region_id="khachmaz", public_latitude=41.585, public_longitude=48.745,
                    location_precision="grid", verified=day != 1)
    for day in range(40):
        make_report(title=f"Baku {day}", occurred_at=START + timedelta(days=day),
                    categories=["verbal"] if day % 2 else ["verbal", "online"])
    make_report(title="Khachmaz, region only", occurred_at=START + timedelta(days=5),
                place_id=None, region_id="khachmaz", location_precision="region",
                public_latitude=None, public_longitude=None, categories=["sextortion"])


def _filters(query: str):
    return parse_filters(MultiDict([tuple(pair.split("=")) for pair in query.split("&")]))


@pytest.mark.parametrize("query", [
    f"bbox={VILLAGE}",
    f"bbox={VILLAGE}&verified=true",
    f"bbox={VILLAGE}&since=2025-01-05&until=2025-01-25",
    "bbox=47.0,41.0,49.5,42.0",  # holds Khachmaz's centre: its region-precision report too
    "bbox=47.0,41.0,49.5,42.0&since=2025-01-04&verified=false",
    "bbox=45.00,39.00,45.10,39.10",  # nothing there
    "bbox=49.70,40.30,50.05,40.50&category=online",
    "region=khachmaz",
    "region=khachmaz&category=sextortion",
    "category=sextortion",
    "category=sextortion&category=physical&since=2025-01-01",
    "region=baku&bbox=49.70,40.30,50.05,40.50&category=workplace",
])
@pytest.mark.parametrize("point_by_point", [30, 0])  # each point's newest, or all in the box
def test_a_few_matches_are_read_through_their_index_and_listed_as_the_walk_lists_them(
        app, monkeypatch, query, point_by_point):
    monkeypatch.setattr("core.publicdata.POINT_BY_POINT", point_by_point)
    with app.app_context():
        populate()
        _village_and_town()
        db.session.commit()
        filters = _filters(query)
        assert _narrowest(filters, 10) is not None  # else this compares the walk with itself
        for wanted in (1, 2, 10):
            narrowed = [r.id for r in published(filters, wanted=wanted).limit(wanted)]
            walked = [r.id for r in published(filters).limit(wanted)]
            assert narrowed == walked


def test_the_walk_by_date_stays_when_it_reads_fewer_reports(app, monkeypatch):
    """Read as a whole box (no point by point), the forty reports in Baku are more than the walk
    reads to find the newest one there, or a day's one report in a long period; the village's
    six are fewer than the walk to the newest of them. A few reads are taken without counting."""
    with app.app_context():
        _village_and_town()
        db.session.commit()
        baku = "bbox=49.70,40.30,50.05,40.50"
        assert _narrowest(_filters(baku), 1) is not None  # one point: its newest, whatever it costs
        monkeypatch.setattr("core.publicdata.POINT_BY_POINT", 0)
        assert _narrowest(_filters(baku), 1) is None
        assert _narrowest(_filters("region=baku&category=verbal"), 2) is None
        assert _narrowest(_filters(f"{baku}&since=2025-01-03&until=2025-01-03"), 5) is None
        assert _narrowest(_filters(f"bbox={VILLAGE}"), 1) is not None


@pytest.mark.parametrize("path, index", [
    (f"/map?lang=en&bbox={VILLAGE}", "ix_reports_status_public_point"),
    (f"/map/points.geojson?bbox={VILLAGE}&zoom=17", "ix_reports_status_public_point"),
    (f"/api/v1/reports?bbox={VILLAGE}", "ix_reports_status_public_point"),
    ("/api/v1/reports?bbox=47.0,41.0,49.5,42.0", "ix_reports_status_region_centre"),
    ("/api/v1/reports?category=sextortion", "ix_report_categories_category_id"),
])
def test_a_small_box_or_rare_category_is_not_read_by_walking_every_report(make_app, path, index):
    """A fresh SQLite database has no statistics: without being told, its planner walked the
    reports by date (every one of a million) and looked each up in the village's list."""
    app = make_app(SESIM_PLUGINS="map")
    client = app.test_client()
    with app.app_context():
        skip_unless_sqlite()
        _village_and_town()
        db.session.commit()
        with recorded_statements() as statements:
            response = client.get(path)
        assert response.status_code == 200
        assert b"Village 2" in response.data
        plans = query_plans(statements, lambda sql: "FROM reports" in sql
                            and "ORDER BY reports.occurred_at DESC" in sql)
    for plan in plans:
        assert not any("occurred_at" in step for step in plan), plan
        assert any("INTEGER PRIMARY KEY" in step for step in plan), plan
        assert any(index in step for step in plan), plan


def test_a_view_of_large_clusters_only_reads_no_report(make_app):
    """Popups list the reports of clusters of ten or fewer: a village's ninety-three reports in
    one cluster were read for nothing (bench/map_geojson.py)."""
    app = make_app(SESIM_PLUGINS="map")
    client = app.test_client()
    with app.app_context():
        _village_and_town()
        db.session.commit()
        with recorded_statements() as statements:
            data = client.get("/map/points.geojson?bbox=49.70,40.30,50.05,40.50&zoom=12").get_json()
        assert [f["properties"]["count"] for f in data["features"]] == [40]
        assert not [sql for sql, _ in statements if "FROM reports" in sql]
        with recorded_statements() as statements:
            data = client.get(f"/map/points.geojson?bbox={VILLAGE}&zoom=12").get_json()
        assert sum(len(f["properties"]["reports"]) for f in data["features"]) == 6
        assert [sql for sql, _ in statements if "FROM reports" in sql]


@pytest.mark.parametrize("query", [f"bbox={VILLAGE}", "bbox=47.0,41.0,49.5,42.0&verified=false",
                                   "category=sextortion"])
def test_the_apis_cursor_pages_through_every_report_of_a_small_box(make_app, query):
    """Each point keeps its newest reports after the cursor, not its newest: page 2 once ended
    after one report and had no next page."""
    app = make_app(SESIM_PLUGINS="map")
    client = app.test_client()
    with app.app_context():
        _village_and_town()
        for day in range(20):
            make_report(title=f"Village late {day}", occurred_at=START + timedelta(days=40 + day % 7),
                        categories=["sextortion"], place_id=None, region_id="khachmaz",
                        public_latitude=41.575, public_longitude=48.725, location_precision="grid",
                        verified=day % 3 == 0)
        db.session.commit()
        expected = [r.public_id for r in published(_filters(query))]
        seen, url = [], f"/api/v1/reports?{query}&limit=3"
        while url:
            page = client.get(url).get_json()
            seen += [r["id"] for r in page["reports"]]
            url = page["next"] and page["next"].split("localhost", 1)[-1]
    assert len(expected) > 9 and seen == expected


@pytest.mark.parametrize("query, index", [
    (f"bbox={VILLAGE}", "ix_reports_status_public_point"),
    ("bbox=47.0,41.0,49.5,42.0&verified=false", "ix_reports_status_region_centre"),
    ("category=sextortion", "ix_report_categories_category_id"),
])
def test_an_export_of_a_small_box_reads_its_reports_not_every_report(make_app, query, index):
    """An export wants every match: those of a village were found by walking every report by id
    (108 ms at 100,000 reports against 22 ms at 10,000, for the same few)."""
    app = make_app(SESIM_PLUGINS="export")
    client = app.test_client()
    with app.app_context():
        populate()
        _village_and_town()
        db.session.commit()
        expected = sorted(r.public_id for r in published(_filters(query)))
        with recorded_statements() as statements:
            response = client.get(f"/export/reports.csv?{query}")
        assert response.status_code == 200
        rows = response.get_data(as_text=True).splitlines()[1:]
        assert expected and sorted(row.split(",")[0] for row in rows) == expected
        if db.engine.dialect.name != "sqlite":
            return
        plans = query_plans(statements, lambda sql: "FROM reports" in sql)
    assert any(index in step for plan in plans for step in plan), plans
    assert not any("rowid>?" in step for plan in plans for step in plan), plans  # no walk by id


@pytest.mark.parametrize("narrow_batches", [10, 0])  # read through the index, or walked by id
@pytest.mark.parametrize("query", [f"bbox={VILLAGE}", "category=sextortion&since=2025-01-04", "region=baku"])
def test_an_export_in_small_batches_yields_every_match_once(app, monkeypatch, query, narrow_batches):
    from core.publicdata import iter_published

    monkeypatch.setattr("core.publicdata.NARROW_BATCHES", narrow_batches)
    with app.app_context():
        populate()
        _village_and_town()
        db.session.commit()
        expected = sorted(r.public_id for r in published(_filters(query)))
        exported = [row["id"] for row in iter_published(_filters(query), batch_size=2)]
    assert len(expected) > 2 and sorted(exported) == expected
