"""Export plugin: CSV, GeoJSON and KML of published reports, public fields only, streamed; any
format a plugin declares is served; ``sesim export`` writes the same."""

from __future__ import annotations

import csv
import io
import json
import types
import xml.etree.ElementTree as ET  # noqa: S405 -- parses our own output

import pytest

from core import hookimpl
from core.exports import ExportFormat
from core.publicdata import iter_published
from tests.outputs_data import PUBLIC_NAMES, SECRETS, assert_no_secrets

KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture
def app_config():
    return {"SESIM_PLUGINS": "stories,export"}



def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_csv_has_published_reports_and_public_columns_only(client, reports):
    response = client.get("/export/reports.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert {r["id"] for r in rows} == {reports[n] for n in PUBLIC_NAMES}
    assert set(rows[0]) == {"id", "title", "story", "occurred_on", "published_at", "categories", "verified",
                            "place", "region", "region_id", "lat", "lon", "source_channel"}
    by_id = {r["id"]: r for r in rows}
    assert by_id[reports["shared"]]["categories"] == "verbal;stalking"
    assert by_id[reports["shared"]]["lat"] == "40.3828"
    assert by_id[reports["unconsented"]]["story"] == ""
    assert by_id[reports["hidden"]]["lat"] == "" and by_id[reports["hidden"]]["place"] == ""


def test_csv_cells_cannot_run_as_formulas(client, reports):
    row = next(r for r in csv_rows(client.get("/export/reports.csv")) if r["id"] == reports["formula"])
    assert row["title"].startswith("'=HYPERLINK")
    assert row["story"].startswith("'+cmd")
    assert row["id"] == reports["formula"] == "-dash-first-id"  # our own id is kept exact
    for r in csv_rows(client.get("/export/reports.csv")):
        assert not any(value.startswith(("=", "+", "-", "@")) for key, value in r.items() if key != "id")


def test_geojson_is_valid_with_blurred_points(client, reports):
    response = client.get("/export/reports.geojson")
    assert response.mimetype == "application/geo+json" and response.is_streamed
    data = json.loads(response.data)
    assert data["type"] == "FeatureCollection"
    features = {f["id"]: f for f in data["features"]}
    assert set(features) == {reports[n] for n in PUBLIC_NAMES}
    assert features[reports["shared"]]["geometry"] == {"type": "Point", "coordinates": [49.8291, 40.3828]}
    assert features[reports["hidden"]]["geometry"] is None
    assert features[reports["hidden"]]["properties"]["region_id"] is None


def test_kml_is_valid(client, reports):
    response = client.get("/export/reports.kml")
    assert response.mimetype == "application/vnd.google-earth.kml+xml"
    root = ET.fromstring(response.data)  # noqa: S314
    marks = root.findall(f".//{KML}Placemark")
    assert {m.get("id")[2:] for m in marks} == {reports[n] for n in PUBLIC_NAMES}
    shared = next(m for m in marks if m.get("id") == f"r-{reports['shared']}")
    assert shared.find(f"{KML}Point/{KML}coordinates").text == "49.8291,40.3828"
    hidden = next(m for m in marks if m.get("id") == f"r-{reports['hidden']}")
    assert hidden.find(f"{KML}Point") is None


@pytest.mark.parametrize("url", [
    "/export/", "/export/reports.csv", "/export/reports.geojson", "/export/reports.kml",
    "/export/reports.csv?lang=ru", "/export/reports.geojson?region=baku",
])
def test_no_private_field_in_any_export(client, reports, url):
    response = client.get(url)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert_no_secrets(body)
    for private in ("pending", "rejected", "archived"):
        assert reports[private] not in body
    for column in ("latitude", "longitude", "contact", "verification_note"):
        assert column not in body


@pytest.mark.parametrize("query, expected", [
    ("category=online", {"newer"}),
    ("category=online,workplace", {"newer", "hidden"}),
    ("region=khachmaz", {"newer"}),
    ("region=baku", {"shared", "unconsented", "formula"}),  # not the report whose place is hidden
    ("verified=true", {"shared"}),
    ("since=2026-03-01", {"shared", "newer"}),
    ("until=2025-12-31", {"hidden"}),
    ("bbox=48.5,41.0,49.0,41.6", {"newer"}),
])
def test_filters_as_query_parameters(client, reports, query, expected):
    rows = csv_rows(client.get(f"/export/reports.csv?{query}"))
    assert {r["id"] for r in rows} == {reports[n] for n in expected}


@pytest.mark.parametrize("query, reason", [
    ("category=nope", "Unknown category"),
    ("since=2026-13-01", "since must be a date"),
    ("until=tomorrow", "until must be a date"),
    ("since=2026-05-01&until=2026-01-01", "since must not be after until"),
    ("bbox=1,2,3", "bbox must be four numbers"),
    ("bbox=a,b,c,d", "bbox must be four numbers"),
    ("bbox=10,50,20,40", "bbox is outside the world"),
    ("bbox=-200,0,10,10", "bbox is outside the world"),
    ("region=atlantis", "Unknown region"),
    ("verified=yes", "verified must be true or false"),
])
@pytest.mark.parametrize("fmt", ["csv", "geojson", "kml"])
def test_bad_filters_are_a_clear_400(client, reports, fmt, query, reason):
    response = client.get(f"/export/reports.{fmt}?{query}&lang=en")
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)


def test_unknown_format_is_404(client):
    assert client.get("/export/reports.xlsx").status_code == 404


def test_a_plugin_can_add_a_format(app, client, reports):
    def write_ids(rows):
        for row in rows:
            yield row["id"] + "\n"

    extra = types.SimpleNamespace(sesim_export_formats=hookimpl(
        lambda: [ExportFormat("ids", "text/plain", write_ids)]))
    app.extensions["sesim"].manager.register(extra, name="test-ids")
    response = client.get("/export/reports.ids")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert set(response.get_data(as_text=True).split()) == {reports[n] for n in PUBLIC_NAMES}
    assert "reports.ids" in client.get("/export/").get_data(as_text=True)


def test_downloads_page_in_nav_with_filtered_links(client, reports):
    assert 'href="/export/"' in client.get("/").get_data(as_text=True)
    page = client.get("/export/?category=online&lang=en").get_data(as_text=True)
    assert 'href="/export/reports.geojson?category=online"' in page


def test_batches_cover_every_report_once(app, reports):
    with app.app_context():
        small = [r["id"] for r in iter_published(batch_size=2)]
        whole = [r["id"] for r in iter_published(batch_size=1000)]
    assert small == whole and sorted(small) == sorted(reports[n] for n in PUBLIC_NAMES)


@pytest.mark.parametrize("fmt", ["csv", "geojson", "kml"])
def test_cli_writes_the_same_file(runner, client, reports, tmp_path, fmt):
    out = tmp_path / f"reports.{fmt}"
    result = runner.invoke(args=["export", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    written = out.read_bytes()
    assert written == client.get(f"/export/reports.{fmt}?lang=en").data
    assert_no_secrets(written.decode("utf-8"))


def test_cli_to_stdout_and_bad_format(runner, reports):
    result = runner.invoke(args=["export", "--format", "geojson"])
    assert result.exit_code == 0
    assert len(json.loads(result.output)["features"]) == len(PUBLIC_NAMES)
    bad = runner.invoke(args=["export", "--format", "docx"])
    assert bad.exit_code == 2 and "choose one of: csv, geojson, kml" in bad.output


def test_private_columns_exist_in_the_database(app, reports):
    """Guard for the leak tests above: the secrets really are stored, so their absence means something."""
    from core.models import Report

    with app.app_context():
        shared = Report.query.filter_by(public_id=reports["shared"]).one()
        assert shared.contact == SECRETS["contact"] and shared.story == SECRETS["original story"]
