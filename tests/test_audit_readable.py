"""The audit log reads as words in az, ru and en: actions, targets by public id and name,
before/after values as text (place and category names in the reader's script), never raw JSON."""

from __future__ import annotations

import re

import pytest

from tests.test_admin_flow import category_ids, make_report, receive, report_id_from
from tests.test_admin_support import client_as, make_staff, post


@pytest.fixture
def history(app):
    from core.extensions import db
    from core.models import Report

    make_staff(app)
    moderator = client_as(app, "moderator")
    message_id = receive(app, "audit-1", text="Metroda söz atdılar.")
    report_id = report_id_from(make_report(moderator, app, [message_id]))
    post(moderator, f"/admin/reports/{report_id}/edit", {
        "title": "Söz atdılar", "story": "Metroda söz atdılar.", "occurred_on": "2026-03-01",
        "place": "masalli-town", "categories": category_ids(app, "verbal"), "language": "az",
        "consent_publish": "y"}, f"/admin/reports/{report_id}")
    post(moderator, "/admin/reports/bulk", {"action": "reject", "ids": [report_id, 999999]},
         "/admin/reports")
    post(moderator, f"/admin/reports/{report_id}/claim", {"action": "claim"}, f"/admin/reports/{report_id}")
    with app.app_context():
        return db.session.get(Report, report_id).public_id


def audit_page(app, language):
    admin = client_as(app, "admin")
    return admin.get(f"/admin/audit?lang={language}").get_data(as_text=True)


def test_audit_in_english_reads_as_words(app, history):
    page = audit_page(app, "en")
    assert "edited a report" in page and "made a report from messages" in page
    assert "refused: a bulk action on messages or reports that do not exist" in page
    assert f"report {history}: Söz atdılar" in page
    row = re.search(r'data-action="report.edited".*?</tr>', page, re.S).group(0)
    assert "<dt>title</dt>" in row and "Followed from the metro" in row and "Söz atdılar" in row
    assert "<dt>categories</dt>" in row and "Verbal harassment" in row
    assert "Masalli" in row and "masalli-town" not in row and "place_id" not in row
    assert "{&#34;" not in page and '{"' not in page  # no JSON
    claimed = re.search(r'data-action="claim.taken".*?</tr>', page, re.S).group(0)
    assert "<dt>held by</dt>" in claimed and "<ins>moderator@sesim.test</ins>" in claimed


@pytest.mark.parametrize(("language", "action", "place", "script"), [
    ("ru", "изменил(а) случай", "Масаллы", re.compile("[А-Яа-я]")),
    ("az", "bildirişi dəyişdi", "Masallı", re.compile("[əğıöüşç]")),
])
def test_audit_in_the_readers_script(app, history, language, action, place, script):
    from core.models import Category

    page = audit_page(app, language)
    assert action in page
    row = re.search(r'data-action="report.edited".*?</tr>', page, re.S).group(0)
    with app.app_context():
        verbal = Category.query.filter_by(slug="verbal").one().name_in(language)
    assert verbal in row and script.search(verbal)
    assert place in row
    assert "verbal" not in row  # the slug is not shown


def test_report_history_uses_words(app, history):
    from core.models import Report

    admin = client_as(app, "admin")
    with app.app_context():
        report_id = Report.query.filter_by(public_id=history).one().id
    page = admin.get(f"/admin/reports/{report_id}").get_data(as_text=True)
    assert "edited a report" in page and "report.edited" not in page
