"""JSON API /api/v1: public fields, filters, cursor paging, conditional requests, CORS, OpenAPI."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import update

from core.extensions import db
from core.models import ChannelCursor
from core.models.base import utcnow
from tests.outputs_data import PUBLIC_NAMES, assert_no_secrets, make_report

PUBLIC_KEYS = {"id", "title", "story", "occurred_on", "published_at", "categories", "category_names",
               "verified", "place", "region", "region_id", "lat", "lon", "source_channel"}
ROUTES = ["/api/v1/reports", "/api/v1/categories", "/api/v1/stats", "/api/v1/openapi.json"]


@pytest.fixture
def app_config():
    # Exact counts of the few sample reports; suppression of small counts: test_stats_suppression.py
    return {"SESIM_PLUGINS": "stories,export", "SESIM_STATS_MIN_COUNT": 1}



def test_reports_have_public_fields_only(client, reports):
    data = client.get("/api/v1/reports").get_json()
    assert {r["id"] for r in data["reports"]} == {reports[n] for n in PUBLIC_NAMES}
    assert all(set(r) == PUBLIC_KEYS for r in data["reports"])
    by_id = {r["id"]: r for r in data["reports"]}
    assert by_id[reports["unconsented"]]["story"] is None
    assert by_id[reports["hidden"]]["lat"] is None and by_id[reports["hidden"]]["region_id"] is None
    assert [r["occurred_on"] for r in data["reports"]] == sorted(
        (r["occurred_on"] for r in data["reports"]), reverse=True)
    assert data["next_cursor"] is None and data["count"] == 5


@pytest.mark.parametrize("url", [*ROUTES, "/api/v1/reports?lang=ru", "/api/v1/reports?region=baku&limit=1",
                                 "/api/v1/stats?lang=az", "/api/v1/reports?verified=false"])
def test_no_private_field_in_any_route(client, reports, url):
    response = client.get(url)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert_no_secrets(body)
    for name in ("pending", "rejected", "archived"):
        assert reports[name] not in body
    for key in ('"latitude"', '"longitude"', '"contact"', '"verification_note"'):
        assert key not in body


def test_cursor_paging_visits_every_report_once(app, client, reports):
    with app.app_context():
        for i in range(7):  # several reports on the same day: ties are broken by the cursor
            make_report(title=f"Same day {i}", occurred_at=datetime(2026, 2, 14, 9, 0))
        db.session.commit()
    everything = [r["id"] for r in client.get("/api/v1/reports?limit=500").get_json()["reports"]]
    seen, url = [], "/api/v1/reports?limit=3"
    while url:
        page = client.get(url).get_json()
        assert page["count"] <= 3
        seen += [r["id"] for r in page["reports"]]
        url = page["next"] and page["next"].replace("http://localhost", "")
        if page["next"]:
            assert page["next_cursor"] in page["next"]
    assert seen == everything and len(seen) == len(set(seen)) == 12


def test_filters(client, reports):
    def ids(query):
        return {r["id"] for r in client.get(f"/api/v1/reports?{query}").get_json()["reports"]}

    assert ids("category=online") == {reports["newer"]}
    assert ids("bbox=49.7,40.3,49.9,40.5") == {reports[n] for n in ("shared", "unconsented", "formula")}
    assert ids("region=khachmaz") == {reports["newer"]}
    assert ids("verified=1") == {reports["shared"]}
    assert ids("since=2026-03-01&until=2026-03-31") == {reports["shared"]}


@pytest.mark.parametrize("query, reason", [
    ("category=nope", "Unknown category"),
    ("category=verbal,nope", "Unknown category: nope"),
    ("since=2026-02-30", "since must be a date"),
    ("until=yesterday", "until must be a date"),
    ("since=2026-05-01&until=2026-01-01", "since must not be after until"),
    ("bbox=49,40,50", "bbox must be four numbers"),
    ("bbox=49,40,50,x", "bbox must be four numbers"),
    ("bbox=49,41,50,40", "bbox is outside the world"),
    ("bbox=49,40,181,41", "bbox is outside the world"),
    ("bbox=nan,nan,nan,nan", "bbox is outside the world"),
    ("region=atlantis", "Unknown region"),
    ("verified=perhaps", "verified must be true or false"),
    ("limit=501", "limit must be a whole number from 1 to 500"),
    ("limit=1000000000", "limit must be a whole number from 1 to 500"),
    ("limit=0", "limit must be a whole number"),
    ("limit=-5", "limit must be a whole number"),
    ("limit=ten", "limit must be a whole number"),
    ("cursor=garbage", "cursor is not valid"),
    ("cursor=gAAAAABtampered", "cursor is not valid"),
    ("lang=xx", "lang must be one of"),
])
def test_bad_input_is_a_json_400(client, reports, query, reason):
    response = client.get(f"/api/v1/reports?{query}", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    data = response.get_json()
    assert data["status"] == 400 and reason in data["error"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("query", ["category=nope", "bbox=1", "region=x", "since=x", "lang=xx"])
def test_bad_stats_filters_are_a_json_400(client, query):
    response = client.get(f"/api/v1/stats?{query}")
    assert response.status_code == 400 and response.get_json()["status"] == 400


def test_cursor_is_bound_to_its_filters(client, reports):
    cursor = client.get("/api/v1/reports?limit=1").get_json()["next_cursor"]
    assert cursor and "next" not in cursor
    assert client.get(f"/api/v1/reports?limit=1&cursor={cursor}").status_code == 200
    response = client.get(f"/api/v1/reports?limit=1&category=verbal&cursor={cursor}&lang=en")
    assert response.status_code == 400 and "cursor is not valid" in response.get_json()["error"]


@pytest.mark.parametrize("url", ROUTES)
def test_etag_and_304(client, reports, url):
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Access-Control-Allow-Origin"] == "*"


def test_last_modified_and_change(app, client, reports):
    with app.app_context():  # the sample reports were published a minute ago (HTTP dates: seconds)
        db.session.execute(update(ChannelCursor).where(ChannelCursor.stream == "public-version")
                           .values(updated_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    first = client.get("/api/v1/reports")
    stamp = first.headers["Last-Modified"]
    assert client.get("/api/v1/reports", headers={"If-Modified-Since": stamp}).status_code == 304
    with app.app_context():
        make_report(title="Brand new")
        db.session.commit()
    fresh = client.get("/api/v1/reports", headers={"If-None-Match": first.headers["ETag"]})
    assert fresh.status_code == 200 and "Brand new" in fresh.get_data(as_text=True)
    assert client.get("/api/v1/reports", headers={"If-Modified-Since": stamp}).status_code == 200


@pytest.mark.parametrize("url", ROUTES)
def test_cors_for_read_only_use(client, url):
    response = client.get(url, headers={"Origin": "https://journalist.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(url, headers={"Origin": "https://journalist.example",
                                             "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    assert client.post(url).status_code == 405


def test_categories(client):
    data = client.get("/api/v1/categories").get_json()
    verbal = next(c for c in data["categories"] if c["slug"] == "verbal")
    assert verbal["name"]["az"] == "Sözlü təcavüz" and verbal["colour"].startswith("#")


def test_stats_match_the_stats_page(client, reports):
    data = client.get("/api/v1/stats").get_json()
    assert data["total"] == 5 and data["verified"] == 1 and data["verified_share"] == 0.2
    assert {c["key"]: c["count"] for c in data["by_channel"]} == {"web": 3, "sms": 1, "email": 1}
    assert {"key": None, "label": None, "count": 1, "suppressed": False} in data["by_region"]


def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404 and response.get_json()["status"] == 404


def test_openapi_document_is_valid_and_lists_every_route(app, client):
    response = client.get("/api/v1/openapi.json")
    document = json.loads(response.data)
    validate(document)
    rules = {rule.rule.removeprefix("/api/v1") for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/api/v1/")}
    assert rules == set(document["paths"])
    params = {p["name"] for p in document["paths"]["/reports"]["get"]["parameters"]}
    assert {"category", "since", "until", "bbox", "region", "verified", "limit", "cursor"} <= params
    assert set(document["components"]["schemas"]["Report"]["properties"]) == PUBLIC_KEYS
