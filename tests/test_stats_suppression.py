"""Public statistics hide small counts (``SESIM_STATS_MIN_COUNT``, default 5) in every cell, on
/stats, /stats.csv and /api/v1/stats alike, and say so on the page."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from core.extensions import db
from tests.outputs_data import make_report


@pytest.fixture
def figures(app):
    """Baku: 6 reports (web 6); Khachmaz: 2 (sms 2); one month each side of a small one."""
    with app.app_context():
        for i in range(6):
            make_report(title=f"Baku {i}", occurred_at=datetime(2026, 3, 1 + i), verified=i < 5)
        for i in range(2):
            make_report(title=f"Khachmaz {i}", place_id="khachmaz-town", region_id="khachmaz",
                        public_latitude=41.4591, public_longitude=48.8021, source_channel="sms",
                        occurred_at=datetime(2026, 4, 2 + i), categories=["online"])
        db.session.commit()


def test_api_suppresses_small_cells_and_one_more_where_the_total_would_tell(client, figures):
    data = client.get("/api/v1/stats").get_json()
    assert data["min_count"] == 5 and data["total"] == 8 and data["verified"] == 5
    regions = {c["key"]: (c["count"], c["suppressed"]) for c in data["by_region"]}
    # Khachmaz (2) is hidden; Baku (6) too, or 8 - 6 would give Khachmaz back.
    assert regions == {"baku": (None, True), "khachmaz": (None, True)}
    months = {c["key"]: c["count"] for c in data["by_month"]}
    assert months == {"2026-03": None, "2026-04": None}
    categories = {c["key"]: c["count"] for c in data["by_category"]}
    assert categories == {"verbal": 6, "online": None}  # categories overlap: no second hiding


def test_page_and_csv_say_fewer_than_the_threshold(client, figures):
    page = client.get("/stats?lang=en").get_data(as_text=True)
    assert "fewer than 5" in page and 'id="suppression"' in page
    assert ">2<" not in page
    body = client.get("/stats.csv?lang=en").get_data(as_text=True).lstrip("\ufeff")
    rows = {(r["section"], r["key"]): r for r in csv.DictReader(io.StringIO(body))}
    assert rows[("region", "khachmaz")]["count"] == "<5" and rows[("region", "khachmaz")]["share"] == ""
    assert rows[("total", "")]["count"] == "8"
    assert "Counts below 5 are not shown." in rows[("note", "")]["label"]


def test_a_small_total_hides_everything(client, app):
    with app.app_context():
        make_report(title="Alone in a village")
        db.session.commit()
    data = client.get("/api/v1/stats").get_json()
    assert data["total"] is None and data["verified"] is None and data["verified_share"] is None
    assert all(c["count"] is None for c in data["by_region"] + data["by_category"])
    assert "fewer than 5" in client.get("/stats?lang=en").get_data(as_text=True)


def test_the_threshold_is_a_setting(make_app, figures):
    app = make_app(SESIM_STATS_MIN_COUNT=2)
    data = app.test_client().get("/api/v1/stats").get_json()
    assert {c["key"]: c["count"] for c in data["by_region"]} == {"baku": 6, "khachmaz": 2}


@pytest.mark.parametrize("lang,words", [("az", "5-dən az"), ("ru", "меньше 5")])
def test_suppression_is_translated(client, figures, lang, words):
    assert words in client.get(f"/stats?lang={lang}").get_data(as_text=True)
