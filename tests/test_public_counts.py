"""Public counts (``core.publiccounts``): kept in step with every change to a report, whatever path
makes it, and answering the map exactly as counting the reports would."""

from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import func
from werkzeug.datastructures import MultiDict

from core.extensions import db
from core.models import Category, PublicCount, PublicCountDay, Report, report_categories
from core.publiccounts import category_key
from core.publicdata import counted, parse_filters, public_point, published, published_count
from plugins.map import points
from tests.outputs_data import make_report, populate


def _counts() -> Counter:
    return Counter({(r.kind, r.location_precision, r.public_latitude, r.public_longitude,
                     r.region_id, r.place_id, r.verified, r.categories): r.count
                    for r in PublicCount.query.filter(PublicCount.count != 0)})


def _recounted() -> Counter:
    found = Counter()
    for r in Report.query.filter_by(status="published"):
        point = (r.location_precision, r.public_latitude, r.public_longitude, r.region_id,
                 r.place_id, r.verified)
        found[("total", *point, "")] += 1
        found[("set", *point, category_key(c.id for c in r.categories))] += 1
        for c in r.categories:
            found[("category", *point, f",{c.id},")] += 1
    return found


def _days() -> dict:
    """``{(row key, day): reports that occurred on or before that day}`` as stored, without the
    rows that repeat the day before (left by a report that moved or went: they change nothing)."""
    steps, last = {}, {}
    for d in PublicCountDay.query.order_by(PublicCountDay.key, PublicCountDay.day):
        if d.running != last.get(d.key, 0):
            steps[(d.key, d.day)] = d.running
        last[d.key] = d.running
    return steps


def _recounted_days() -> dict:
    from core.publiccounts import row_key

    by_day = Counter()
    for r in Report.query.filter_by(status="published"):
        point = (r.location_precision, r.public_latitude, r.public_longitude, r.region_id,
                 r.place_id, r.verified)
        day = r.occurred_at.date()
        by_day[(row_key(("total", *point, "")), day)] += 1
        by_day[(row_key(("set", *point, category_key(c.id for c in r.categories))), day)] += 1
        for c in r.categories:
            by_day[(row_key(("category", *point, f",{c.id},")), day)] += 1
    running, totals = {}, Counter()
    for (key, day), count in sorted(by_day.items()):
        totals[key] += count
        running[(key, day)] = totals[key]
    return running


def _in_step():
    db.session.expire_all()
    assert _counts() == _recounted()
    assert _days() == _recounted_days()


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


def test_map_points_from_counts_equal_points_from_reports(app):

    with app.app_context():
        populate()
        for i in range(5):
            make_report(title=f"extra {i}", categories=["verbal", "online"][: 1 + i % 2],
                        verified=bool(i % 2), occurred_at=datetime(2026, 5, 1 + i))
        db.session.commit()
        with app.test_request_context():
            for args in ({}, {"category": "online"}, {"category": "verbal,online"},
                         {"verified": "true", "region": "baku"},
                         {"bbox": "49.7,40.3,50.0,40.5"}, {"since": "2026-05-02"},
                         {"since": "2026-03-01", "until": "2026-05-03", "category": "online"},
                         {"until": "2026-05-01", "verified": "false"}):
                filters = parse_filters(MultiDict(args))
                assert points._grouped_points(filters) == grouped_reports(filters)


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


def grouped_reports(filters):
    """What ``points._grouped_points`` reads from the counts, counted from the reports themselves
    (GROUP BY on the public point): the oracle the counts are checked against."""
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
    for row in by_category:
        entry = groups.get(public_point(row))
        if entry is not None:
            entry[1][row[-2]] += row[-1]
    return groups
