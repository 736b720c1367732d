"""Odd input to every public output: a clear 400, never a 500; and places only as published."""

from datetime import datetime

import pytest

from tests.outputs_data import make_report

ALL_OUTPUTS = ["/api/v1/reports", "/api/v1/stats", "/stats", "/map", "/map/points.geojson",
               "/stories/", "/stories/feed.atom", "/export/reports.csv"]


@pytest.fixture
def app_config():
    return {"SESIM_PLUGINS": "map,stories,export"}


@pytest.mark.parametrize("path", ALL_OUTPUTS)
@pytest.mark.parametrize("query", ["until=9999-12-31", "since=0001-01-01", "until=2026-13-01",
                                   "bbox=1,2,3", "category=%00", "region=atlantis"])
def test_malformed_filters_are_a_400_everywhere(client, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400, (path, query, response.status_code)


@pytest.mark.parametrize(("path", "query"), [
    ("/api/v1/reports", "limit=%C2%B2"), ("/api/v1/reports", "limit=99999999999999999999"),
    ("/stories/", "page=%C2%B2"), ("/map", "page=%C2%B3"), ("/map/points.geojson", "zoom=%C2%B9"),
])
def test_unicode_digits_and_huge_numbers_are_a_400(client, path, query):
    assert client.get(f"{path}?{query}").status_code == 400


def test_a_region_precision_report_is_found_only_at_its_region_centre(app, client):
    with app.app_context():
        from core.extensions import db

        make_report(title="Region only", location_precision="region", place_id="baku-pirallahi",
                    public_latitude=40.47, public_longitude=50.33, occurred_at=datetime(2026, 2, 1))
        db.session.commit()
    around_district = "50.2,40.4,50.4,40.5"  # Pirallahı, far from Baku's centre
    around_centre = "49.8,40.35,49.9,40.45"
    titles = lambda bbox: [r["title"] for r in client.get(f"/api/v1/reports?bbox={bbox}").json["reports"]]  # noqa: E731
    assert "Region only" not in titles(around_district)  # the district cannot be found by narrowing
    assert "Region only" in titles(around_centre)


@pytest.mark.parametrize("path", ["/reports/%00", "/stories/?region=%00", "/map?category=a%00"])
def test_nul_in_a_url_is_a_400(client, path):
    assert client.get(path).status_code == 400


def test_nul_and_control_characters_are_removed_from_what_is_stored(app, client):
    from datetime import date, timedelta

    from core.intake import Inbound, receive
    from core.models import Category, Message, Report
    from tests.conftest import post_form

    with app.app_context():
        category = str(Category.query.first().id)
        message, _ = receive(Inbound(channel="test", external_id="n\x00ul", text="a\x00b\x0bc\nd",
                                     sender="+994\x00", data={"k": "v\x00"}))
        stored = Message.query.one()
        assert (stored.external_id, stored.text, stored.sender, stored.data["k"]) == ("nul", "abc\nd",
                                                                                      "+994", "v")
    data = {"title": "Followed\x0b near\x00 metro", "story": "s\x00tory", "place": "baku",
            "occurred_on": (date.today() - timedelta(days=1)).isoformat(), "categories": [category]}
    assert post_form(client, "/report", data).status_code == 303
    with app.app_context():
        report = Report.query.one()
        assert (report.title, report.story) == ("Followed near metro", "story")
