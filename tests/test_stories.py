"""Story wall: consented, redacted stories only, newest first, paged, filtered, with feeds."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 -- parses our own feeds
from datetime import datetime, timedelta

import pytest

from core.extensions import db
from tests.conftest import QUICK_EXIT_SCRIPT
from tests.outputs_data import assert_no_secrets, make_report, populate

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def app_config():
    return {"SESIM_PLUGINS": "stories,export"}



def test_wall_shows_consented_redacted_stories_newest_first(client, reports):
    page = client.get("/stories/?lang=en").get_data(as_text=True)
    assert "Redacted public story." in page and "Second redacted story." in page
    assert page.index("Newer shared story") < page.index("Shared story in Nasimi")
    assert "Verbal harassment" in page and "Stalking" in page  # categories
    assert "Nasimi" in page and "Khachmaz" in page  # places
    assert reports["shared"] in page
    for hidden in ("unconsented", "pending", "rejected", "archived"):
        assert reports[hidden] not in page
    assert "Published without consent" not in page
    assert "<script" not in page.replace(QUICK_EXIT_SCRIPT, "")  # no script of its own


@pytest.mark.parametrize("url", [
    "/stories/", "/stories/?lang=en", "/stories/?lang=ru", "/stories/feed.atom", "/stories/feed.rss",
    "/stories/?category=workplace", "/stories/feed.atom?region=baku",
])
def test_no_private_field_in_any_story_output(client, reports, url):
    response = client.get(url)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert_no_secrets(body)
    assert reports["unconsented"] not in body


def test_feeds_are_linked_and_valid(client, reports):
    page = client.get("/stories/").get_data(as_text=True)
    assert 'rel="alternate" type="application/atom+xml"' in page
    assert 'rel="alternate" type="application/rss+xml"' in page

    atom = client.get("/stories/feed.atom")
    assert atom.mimetype == "application/atom+xml"
    root = ET.fromstring(atom.data)  # noqa: S314
    entries = root.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles[0] == "Newer shared story"
    assert "Published without consent" not in titles
    assert all(e.find(f"{ATOM}link").get("href").startswith("http://localhost/reports/") for e in entries)

    rss = client.get("/stories/feed.rss")
    assert rss.mimetype == "application/rss+xml"
    items = ET.fromstring(rss.data).findall("./channel/item")  # noqa: S314
    assert [i.find("title").text for i in items] == titles
    assert items[0].find("description").text == "Second redacted story."
    assert items[0].find("pubDate").text.endswith("+0000")


def test_feed_follows_filters(client, reports):
    root = ET.fromstring(client.get("/stories/feed.atom?category=online").data)  # noqa: S314
    assert [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")] == ["Newer shared story"]


@pytest.mark.parametrize("query, shown, absent", [
    ("category=online", "Newer shared story", "Shared story in Nasimi"),
    ("region=khachmaz", "Newer shared story", "Shared story in Nasimi"),
    ("since=2026-03-01&until=2026-03-31", "Shared story in Nasimi", "Newer shared story"),
    ("verified=true", "Shared story in Nasimi", "Newer shared story"),
])
def test_filters_as_query_parameters(client, reports, query, shown, absent):
    page = client.get(f"/stories/?{query}").get_data(as_text=True)
    assert shown in page and absent not in page


def test_paging_without_javascript(app, client):
    start = datetime(2025, 1, 1)
    with app.app_context():
        for i in range(25):
            make_report(title=f"Story number {i:02d}", published_at=start + timedelta(days=i),
                        occurred_at=start + timedelta(days=i))
        db.session.commit()
    first = client.get("/stories/?category=verbal").get_data(as_text=True)
    assert first.count('class="story"') == 20
    assert "Story number 24" in first and "Story number 04" not in first
    assert 'rel="next" href="/stories/?page=2&amp;category=verbal"' in first
    assert 'rel="prev"' not in first
    second = client.get("/stories/?page=2&category=verbal").get_data(as_text=True)
    assert second.count('class="story"') == 5
    assert "Story number 04" in second and 'rel="next"' not in second and 'rel="prev"' in second


@pytest.mark.parametrize("url, reason", [
    ("/stories/?category=nope", "Unknown category"),
    ("/stories/?since=yesterday", "since must be a date"),
    ("/stories/?since=2026-05-01&until=2026-01-01", "since must not be after until"),
    ("/stories/?region=atlantis", "Unknown region"),
    ("/stories/?verified=maybe", "verified must be true or false"),
    ("/stories/?page=0", "page must be a whole number"),
    ("/stories/?page=abc", "page must be a whole number"),
    ("/stories/?page=-3", "page must be a whole number"),
    ("/stories/?page=99999999999999999999", "page must be a whole number"),
    ("/stories/feed.atom?category=nope", "Unknown category"),
    ("/stories/feed.rss?until=31.12.2026", "until must be a date"),
])
def test_bad_input_is_a_clear_400(client, reports, url, reason):
    response = client.get(url + "&lang=en")
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)


def test_nav_item_on_every_page(client):
    assert 'href="/stories/"' in client.get("/").get_data(as_text=True)


def test_translated(client, reports):
    assert "Hekayələr" in client.get("/stories/?lang=az").get_data(as_text=True)
    assert "Истории" in client.get("/stories/?lang=ru").get_data(as_text=True)


def test_feed_links_use_the_public_address_behind_a_proxy(make_app):
    app = make_app(SESIM_PLUGINS="stories", SESIM_PUBLIC_URL="https://sesim.example.org/")
    with app.app_context():
        public_id = populate()["shared"].public_id
    feed = app.test_client().get("/stories/feed.atom").get_data(as_text=True)
    assert f"https://sesim.example.org/reports/{public_id}" in feed
    assert "http://localhost" not in feed


@pytest.mark.parametrize("query", [
    "", "category=verbal", "category=verbal&category=online", "region=baku", "verified=true",
    "since=2025-01-10&until=2025-01-20", "bbox=49.70,40.30,50.05,40.50",
    "region=khachmaz&category=online&verified=true",
])
def test_the_wall_reads_the_stories_index_and_lists_what_counting_them_lists(make_app, query):
    """Ten stories among forty reports without one. A fresh SQLite database has no statistics: its
    planner read every published report and sorted them (1.7 s at a million reports); the wall
    reads the index of shared stories in its order, and lists the same stories as filtering every
    report would."""
    from werkzeug.datastructures import MultiDict

    from core.publicdata import parse_filters, published
    from tests.test_public_counts import query_plans, recorded_statements

    app = make_app(SESIM_PLUGINS="stories")
    start = datetime(2025, 1, 1, 9, 0)
    with app.app_context():
        for i in range(50):
            story = i % 5 == 0
            make_report(title=f"Report {i:02d}", occurred_at=start + timedelta(days=i % 30),
                        published_at=start + timedelta(days=i, hours=i), verified=i % 3 == 0,
                        public_story="A redacted story." if story else (None if i % 2 else ""),
                        consent_publish=story or i % 7 == 0,
                        categories=["verbal"] if i % 4 else ["online", "verbal"],
                        **({} if i % 6 else {"place_id": "khachmaz-town", "region_id": "khachmaz",
                                             "public_latitude": 41.4591, "public_longitude": 48.8021}))
        db.session.commit()
        pairs = [tuple(pair.split("=")) for pair in query.split("&") if pair]
        matching = published(parse_filters(MultiDict(pairs))).all()
        expected = [r.title for r in sorted(
            (r for r in matching if r.consent_publish and r.public_story),
            key=lambda r: (r.published_at, r.id), reverse=True)]
        with recorded_statements() as statements:
            page = app.test_client().get(f"/stories/?lang=en&{query}").get_data(as_text=True)
        shown = [title for title in (f"Report {i:02d}" for i in range(50)) if title in page]
        assert sorted(shown) == sorted(expected) and expected
        assert [page.index(title) for title in expected] == sorted(page.index(t) for t in expected)
        if db.engine.dialect.name == "sqlite":
            for plan in query_plans(statements, lambda sql: "public_story" in sql):
                assert plan[0] == "SCAN reports USING INDEX ix_reports_shared_stories", plan
                assert not any("TEMP B-TREE" in step for step in plan), plan
