"""/stats counts every matching report, so its figures are kept until a published report changes:
a crowd of visitors costs one count per change, and no change is ever missed (on any server)."""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import update

from core.extensions import db
from core.models import Category, Message, Report
from core.publiccounts import version
from tests.conftest import on_each_statement, sample_reports
from tests.test_admin_flow import make_report, receive, report_id_from
from tests.test_admin_support import client_as, make_staff, post
from tests.test_stats import stats_csv


@pytest.fixture
def app_config():
    return {"SESIM_STATS_MIN_COUNT": 1}


def figures(client, query: str = "") -> dict:
    """``{(section, key): count}`` of /stats.csv."""
    return {key: int(row["count"]) for key, row in stats_csv(client, query).items() if row["count"]}


def reads_of_reports(statements) -> list[str]:
    return [sql for sql in statements if re.search(r"\breports\b", sql)]


def test_visitors_after_the_first_read_no_report(app, client, reports):
    statements: list[str] = []
    with on_each_statement(lambda sql, _params: statements.append(sql), app):
        first = figures(client)
    assert first[("total", "")] == 5 and reads_of_reports(statements)  # counted once

    statements.clear()
    with on_each_statement(lambda sql, _params: statements.append(sql), app):
        assert figures(client) == first
        assert "Statistika" in client.get("/stats?lang=az").get_data(as_text=True)  # any language
        assert client.get("/api/v1/stats").get_json()["total"] == 5
    assert statements and reads_of_reports(statements) == []

    with on_each_statement(lambda sql, _params: statements.append(sql), app):  # other filters: counted
        assert figures(client, "region=khachmaz")[("total", "")] == 1
    assert reads_of_reports(statements)


def test_visitors_arriving_during_a_count_wait_for_it(app, reports):
    """A crowd arriving just after a change costs one count in a process, not one per visitor; a
    visitor whose figures are kept does not wait for it."""
    kept = figures(app.test_client(), "region=khachmaz")
    counting, release, readers, results = threading.Event(), threading.Event(), set(), {}

    def on_statement(sql, _params):
        if reads_of_reports([sql]):
            readers.add(threading.get_ident())
            if not counting.is_set():
                counting.set()
                release.wait(10)  # the first visitor is still counting when the others come

    def visit(name):
        results[name] = (threading.get_ident(), figures(app.test_client()))

    with on_each_statement(on_statement, app):
        first = threading.Thread(target=visit, args=("first",))
        first.start()
        assert counting.wait(10)
        assert figures(app.test_client(), "region=khachmaz") == kept
        assert first.is_alive()  # served while the count still ran
        others = [threading.Thread(target=visit, args=(name,)) for name in ("second", "third")]
        for thread in others:
            thread.start()
        time.sleep(0.3)  # they reach the count and wait
        release.set()
        for thread in (first, *others):
            thread.join(30)
            assert not thread.is_alive()
    assert readers == {results["first"][0]}  # only the first counted
    assert results["first"][1][("total", "")] == 5
    assert results["second"][1] == results["third"][1] == results["first"][1]


def _categories(report, *slugs):
    report.categories = Category.query.filter(Category.slug.in_(slugs)).all()


GONE = {("total", ""): -1, ("channel", "sms"): -1, ("category", "online"): -1,
        ("region", "khachmaz"): -1, ("month", "2026-04"): -1}
# Each changes the sample "newer" report (published; online; SMS; Khachmaz; April 2026; not verified).
CHANGES = {
    "taken down": (lambda r: setattr(r, "status", "archived"), GONE),
    "verified": (lambda r: setattr(r, "verified", True), {("verified", ""): 1}),
    "category changed": (lambda r: _categories(r, "verbal"),
                         {("category", "online"): -1, ("category", "verbal"): 1}),
    "place hidden": (lambda r: setattr(r, "location_precision", "hidden"),
                     {("region", "khachmaz"): -1, ("region", ""): 1}),
    "another month": (lambda r: setattr(r, "occurred_at", datetime(2025, 12, 5)),
                      {("month", "2026-04"): -1, ("month", "2025-12"): 1}),
    # Not in the map's counts at all: the figures must still follow.
    "another channel": (lambda r: setattr(r, "source_channel", "email"),
                        {("channel", "sms"): -1, ("channel", "email"): 1}),
    "deleted": (lambda r: db.session.delete(r), GONE),
    "bulk statement": (lambda r: db.session.execute(
        update(Report).where(Report.id == r.id).values(verified=True)), {("verified", ""): 1}),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_to_a_published_report_shows(app, client, reports, change):
    apply, moved = CHANGES[change]
    before = figures(client)  # now kept
    with app.app_context():
        apply(Report.query.filter_by(public_id=reports["newer"]).one())
        db.session.commit()
    after = figures(client)
    changed = {key: after.get(key, 0) - before.get(key, 0) for key in set(before) | set(after)}
    assert {key: n for key, n in changed.items() if n} == moved


def test_a_change_made_on_another_server_shows(make_app):
    visitor_side, moderator_side = make_app(SESIM_STATS_MIN_COUNT=1), make_app()
    public_ids = sample_reports(visitor_side)
    visitors = visitor_side.test_client()
    assert figures(visitors)[("total", "")] == 5
    with moderator_side.app_context():
        Report.query.filter_by(public_id=public_ids["newer"]).one().status = "archived"
        db.session.commit()
    assert figures(visitors)[("total", "")] == 4


def test_a_moderator_publishing_shows_at_once(app, client):
    make_staff(app)
    moderator = client_as(app, "moderator")
    assert figures(client).get(("total", ""), 0) == 0
    report_id = report_id_from(make_report(moderator, app, [receive(app, "cache-1")]))
    page = f"/admin/reports/{report_id}"
    assert post(moderator, f"{page}/status", {"action": "publish"}, page).status_code == 302
    assert figures(client)[("total", "")] == 1 and figures(client)[("category", "stalking")] == 1
    assert post(moderator, f"{page}/status", {"action": "archive"}, page).status_code == 302
    assert figures(client).get(("total", ""), 0) == 0


def test_messages_and_unpublished_reports_leave_the_version_alone(app, reports):
    """A new message or a draft's edit keeps the kept figures; a public report's edit does not."""
    with app.app_context():
        now = version(db.session.connection())
        db.session.rollback()
    receive(app, "cache-2")
    with app.app_context():
        Report.query.filter_by(public_id=reports["pending"]).one().title = "Edited draft"
        db.session.commit()
        assert Message.query.count() == 1
        assert version(db.session.connection()) == now
        Report.query.filter_by(public_id=reports["newer"]).one().title = "Edited public title"
        db.session.commit()
        assert version(db.session.connection()) != now


def test_a_short_name_given_to_another_category_counts_that_one(app, client, reports):
    """The sample's one verbal report came by the web form, its one online report by SMS."""
    assert figures(client, "category=verbal")[("channel", "web")] == 1
    with app.app_context():
        old, new = (Category.query.filter_by(slug=slug).one() for slug in ("verbal", "online"))
        old.slug = "verbal-old"
        db.session.flush()
        new.slug = "verbal"
        db.session.commit()
    now = figures(client, "category=verbal")
    assert now[("channel", "sms")] == 1 and ("channel", "web") not in now
