"""The report queue (counts, search, filters, bulk actions), categories, and redaction."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.redaction import redact, suggest
from tests.test_admin_support import audit_entries, client_as, make_staff, post


@pytest.fixture
def staff(app):
    return make_staff(app)


@pytest.fixture
def reports(app):
    """Three pending reports, one published, one rejected: ``{title: id}``."""
    from core.extensions import db
    from core.models import Category, Report

    rows = [
        ("Bus stop in Nasimi", "pending", "baku-nasimi", "baku", "web", "verbal", True, 1),
        ("Market in Sabirabad", "pending", None, "sabirabad", "sms", "physical", False, 5),
        ("Office in Yasamal", "pending", "baku-yasamal", "baku", "email", "workplace", False, 10),
        ("Old published one", "published", "baku-nasimi", "baku", "web", "verbal", True, 15),
        ("Rejected one", "rejected", None, "baku", "web", "other", False, 20),
    ]
    found = {}
    with app.app_context():
        for title, status, place, region, channel, slug, verified, day in rows:
            report = Report(title=title, story=f"Story of {title}", status=status, place_id=place,
                            region_id=region, source_channel=channel, verified=verified,
                            occurred_at=datetime(2026, 1, day), public_latitude=40.4,
                            public_longitude=49.8,
                            categories=[Category.query.filter_by(slug=slug).one()])
            db.session.add(report)
            db.session.flush()
            found[title] = report.id
        db.session.commit()
    return found


def listed(client, query="") -> str:
    return client.get(f"/admin/reports?{query}").get_data(as_text=True)


def test_queue_counts_each_status(app, staff, reports):
    page = listed(client_as(app, "moderator"), "lang=en")
    assert 'data-status="pending">Pending <span class="count">3</span>' in page
    assert 'data-status="published">Published <span class="count">1</span>' in page
    assert 'data-status="rejected">Rejected <span class="count">1</span>' in page
    assert "Bus stop in Nasimi" in page and "Old published one" not in page


@pytest.mark.parametrize("query, expected", [
    ("q=market", {"Market in Sabirabad"}),
    ("q=Story+of+Office", {"Office in Yasamal"}),
    ("category=verbal", {"Bus stop in Nasimi"}),
    ("region=sabirabad", {"Market in Sabirabad"}),
    ("channel=email", {"Office in Yasamal"}),
    ("verified=true", {"Bus stop in Nasimi"}),
    ("verified=false", {"Market in Sabirabad", "Office in Yasamal"}),
    ("since=2026-01-04&until=2026-01-06", {"Market in Sabirabad"}),
    ("status=all&region=baku", {"Bus stop in Nasimi", "Office in Yasamal", "Old published one",
                                "Rejected one"}),
])
def test_queue_filters(app, staff, reports, query, expected):
    page = listed(client_as(app, "moderator"), query)
    assert {title for title in reports if f">{title}</a>" in page} == expected


@pytest.mark.parametrize("query", ["since=yesterday", "category=nope", "region=atlantis",
                                   "verified=maybe", "since=2026-02-01&until=2026-01-01"])
def test_bad_filters_are_a_clear_400(app, staff, reports, query):
    response = client_as(app, "moderator").get(f"/admin/reports?{query}")
    assert response.status_code == 400
    assert 'class="alert"' in response.get_data(as_text=True)


def test_bulk_publish_and_reject(app, staff, reports):
    from core.extensions import db
    from core.models import Report

    moderator = client_as(app, "moderator")
    ids = [reports["Bus stop in Nasimi"], reports["Market in Sabirabad"]]
    response = post(moderator, "/admin/reports/bulk", {"action": "publish", "ids": ids}, "/admin/reports")
    assert response.status_code == 302
    post(moderator, "/admin/reports/bulk", {"action": "reject", "ids": [reports["Office in Yasamal"]]},
         "/admin/reports")
    with app.app_context():
        statuses = {r.title: r.status for r in Report.query}
    assert statuses["Bus stop in Nasimi"] == statuses["Market in Sabirabad"] == "published"
    assert statuses["Office in Yasamal"] == "rejected"
    assert [e[0] for e in audit_entries(app)].count("report.publish") == 2
    with app.app_context():
        assert db.session.get(Report, ids[0]).published_at is not None


def test_categories_nest_one_level_and_are_counted(app, staff, reports):
    from core.models import Category

    admin = client_as(app, "admin")
    with app.app_context():
        verbal_id = Category.query.filter_by(slug="verbal").one().id
    fields = {"name_az": "Küçədə", "name_ru": "На улице", "name_en": "On the street",
              "colour": "#AA3366", "position": "5", "active": "y"}
    response = post(admin, "/admin/categories", {**fields, "slug": "street", "parent_id": verbal_id},
                    "/admin/categories")
    assert response.status_code == 302
    with app.app_context():
        street = Category.query.filter_by(slug="street").one()
        assert street.parent_id == verbal_id and street.colour == "#aa3366"
        street_id = street.id
    # A parent cannot become a child: the form does not even offer a child as a parent.
    response = post(admin, f"/admin/categories/{verbal_id}",
                    {**fields, "slug": "verbal", "parent_id": street_id}, f"/admin/categories/{verbal_id}")
    assert response.status_code == 400
    page = admin.get("/admin/categories").get_data(as_text=True)
    row = page.split('data-category="verbal"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">2</td>' in row and '<td class="num">1</td>' in row  # all, published
    assert "Küçədə / На улице / On the street" in page


@pytest.mark.parametrize("field, value", [("slug", "Bad Slug"), ("colour", "red"), ("name_en", ""),
                                          ("slug", "verbal"), ("position", "x")])
def test_bad_category_input_is_a_clear_400(app, staff, field, value):
    admin = client_as(app, "admin")
    data = {"slug": "new-one", "name_az": "a", "name_ru": "b", "name_en": "c", "parent_id": "0",
            "colour": "#123456", "position": "1", field: value}
    response = post(admin, "/admin/categories", data, "/admin/categories")
    assert response.status_code == 400
    assert 'class="errors"' in response.get_data(as_text=True)


@pytest.mark.parametrize("text, kinds", [
    ("Call +994 50 123 45 67 now", ["phone"]),
    ("zəng et 050-123-45-67", ["phone"]),
    ("(012) 555 12 34", ["phone"]),
    ("write to leyla.m@example.az", ["email"]),
    ("he is @bad_guy on insta", ["handle"]),
    ("on 2026-01-31 at 18:30, bus 125, 3 men", []),
    ("on 31.01.2026 near house 12", []),
    ("mail a@b.co and @handle and +994501234567", ["email", "handle", "phone"]),
])
def test_redaction_suggestions(text, kinds):
    assert [s.kind for s in suggest(text)] == kinds
    redacted = redact(text)
    for item in suggest(text):
        assert item.text not in redacted
