"""/stats: counts in SQL, accessible server-side SVG charts with tables, printable, CSV download."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import event

from core.models import Report
from tests.outputs_data import assert_no_secrets


@pytest.fixture
def app_config():
    # Exact counts of the few sample reports; suppression of small counts: test_stats_suppression.py
    return {"SESIM_PLUGINS": "stories,export", "SESIM_STATS_MIN_COUNT": 1}



def stats_csv(client, query=""):
    body = client.get(f"/stats.csv?lang=en&{query}").get_data(as_text=True).lstrip("\ufeff")
    return {(r["section"], r["key"]): r for r in csv.DictReader(io.StringIO(body))}


def test_counts_by_category_region_month_channel(client, reports):
    rows = stats_csv(client)
    count = {key: int(row["count"]) for key, row in rows.items()}
    assert count[("total", "")] == 5  # pending, rejected and archived are not counted
    assert count[("verified", "")] == 1 and rows[("verified", "")]["share"] == "0.2000"
    assert count[("category", "verbal")] == 1 and count[("category", "online")] == 1
    assert ("category", "sextortion") not in count
    assert count[("region", "baku")] == 3 and count[("region", "khachmaz")] == 1
    assert count[("region", "")] == 1 and rows[("region", "")]["label"] == "Not disclosed"  # hidden place
    assert count[("month", "2026-03")] == 1 and count[("month", "2025-12")] == 1
    assert count[("channel", "web")] == 3
    assert count[("channel", "sms")] == 1 and count[("channel", "email")] == 1


def test_filters_apply_to_every_figure(client, reports):
    count = {key: int(row["count"]) for key, row in stats_csv(client, "region=baku").items()}
    # The report whose place a moderator hid is not revealed by a region filter.
    assert count[("total", "")] == 3 and ("region", "khachmaz") not in count and ("region", "") not in count


def test_page_has_accessible_svg_charts_tables_and_print_css(client, reports):
    page = client.get("/stats?lang=en").get_data(as_text=True)
    assert "<script" not in page
    svgs = re.findall(r"<svg .*?</svg>", page, re.S)
    assert len(svgs) == 4
    for svg in svgs:
        assert 'role="img"' in svg and "aria-labelledby=" in svg
        assert re.search(r"<title id=\"t-\w+\">Reports by \w+</title>", svg)
        assert "<desc" in svg and "<rect" in svg
    assert "Verbal harassment: 1" in page  # in the chart description
    assert page.count("<table>") == 4 and '<th scope="row">Khachmaz District</th>' in page
    css_link = re.search(r'href="(/stats/static/stats\.css)"', page).group(1)
    with client.get(css_link) as response:
        css = response.get_data(as_text=True)
    assert "@media print" in css
    assert 'href="/stats.csv"' in page
    assert 'href="/stats"' in client.get("/").get_data(as_text=True)  # nav


def test_empty_statistics(client):
    page = client.get("/stats?lang=en")
    assert page.status_code == 200
    assert "No published reports match these filters." in page.get_data(as_text=True)


def test_counted_in_sql_without_loading_reports(app, client, reports):
    loaded = []

    def on_load(target, context):
        loaded.append(target)

    event.listen(Report, "load", on_load)
    try:
        assert client.get("/stats").status_code == 200
        assert client.get("/stats.csv").status_code == 200
    finally:
        event.remove(Report, "load", on_load)
    assert loaded == []


def test_csv_is_safe_in_spreadsheets(client, reports):
    body = client.get("/stats.csv").get_data(as_text=True).lstrip("\ufeff")
    for row in csv.reader(io.StringIO(body)):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


@pytest.mark.parametrize("url", ["/stats", "/stats.csv", "/stats?lang=ru", "/stats?verified=false"])
def test_no_private_field(client, reports, url):
    response = client.get(url)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert_no_secrets(body)
    for name in ("pending", "rejected", "archived"):
        assert reports[name] not in body


@pytest.mark.parametrize("url, reason", [
    ("/stats?category=nope", "Unknown category"),
    ("/stats?since=01/02/2026", "since must be a date"),
    ("/stats?region=atlantis", "Unknown region"),
    ("/stats?bbox=1,2,3,4,5", "bbox must be four numbers"),
    ("/stats?verified=2", "verified must be true or false"),
    ("/stats.csv?until=never", "until must be a date"),
])
def test_bad_filters_are_a_clear_400(client, reports, url, reason):
    response = client.get(url + "&lang=en")
    assert response.status_code == 400 and reason in response.get_data(as_text=True)


def test_translated(client, reports):
    assert "Statistika" in client.get("/stats?lang=az").get_data(as_text=True)
    assert "Сообщения по регионам" in client.get("/stats?lang=ru").get_data(as_text=True)
