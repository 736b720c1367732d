"""Publishing never silently drops an edited public story: the story is saved and published in one
step (or saved and the refusal said), and the public page never claims she refused consent when
she was never asked or did consent."""

from __future__ import annotations

import re

import pytest

from core.extensions import db
from core.models import Report
from tests.test_admin_flow import make_report, receive, report_id_from
from tests.test_admin_support import client_as, make_staff, post


@pytest.fixture
def moderator(app):
    make_staff(app)
    return client_as(app, "moderator")


def report_page(moderator, report_id):
    return moderator.get(f"/admin/reports/{report_id}").get_data(as_text=True)


def form_of(page: str, action: str) -> str:
    return re.search(r'<form[^>]*action="[^"]*/' + action + r'"[^>]*>(.*?)</form>', page, re.S).group(1)


def state(app, report_id):
    with app.app_context():
        report = db.session.get(Report, report_id)
        return report.status, report.public_story


def test_the_publish_button_is_in_the_same_form_as_the_public_story(app, moderator):
    report_id = report_id_from(make_report(moderator, app, [receive(app, "sp-1")]))
    page = report_page(moderator, report_id)
    moderation = form_of(page, "moderate")
    assert 'name="public_story"' in moderation and 'name="then" value="publish"' in moderation
    assert 'value="publish"' not in form_of(page, "status")  # no publish that drops her story


def test_save_and_publish_publishes_the_story_just_written(app, moderator):
    report_id = report_id_from(make_report(moderator, app, [receive(app, "sp-2")]))
    page = f"/admin/reports/{report_id}"
    response = post(moderator, f"{page}/moderate", {
        "location_precision": "region", "public_story": "A man followed her from the metro.",
        "then": "publish"}, page, follow_redirects=True)
    assert "Saved and published." in response.get_data(as_text=True)
    assert state(app, report_id) == ("published", "A man followed her from the metro.")
    with app.app_context():
        public_id = db.session.get(Report, report_id).public_id
    assert "A man followed her from the metro." in app.test_client().get(
        f"/reports/{public_id}").get_data(as_text=True)


def test_a_refused_publish_still_saves_her_story_and_says_so(app, moderator):
    report_id = report_id_from(make_report(moderator, app, [receive(app, "sp-3")]))
    page = f"/admin/reports/{report_id}"
    response = post(moderator, f"{page}/moderate", {
        "location_precision": "region", "public_story": "He wrote from 050-765-43-21 every night.",
        "then": "publish"}, page)
    assert response.status_code == 400
    assert "Saved, but not published" in response.get_data(as_text=True)
    assert state(app, report_id) == ("pending", "He wrote from 050-765-43-21 every night.")

    # The audited override works in the same single step.
    response = post(moderator, f"{page}/moderate", {
        "location_precision": "region", "public_story": "He wrote from 050-765-43-21 every night.",
        "then": "publish", "override": "story", "override_reason": "It is the police hotline."},
        page)
    assert response.status_code == 302 and state(app, report_id)[0] == "published"


@pytest.mark.parametrize("channel, consent, public_story, shown, not_shown", [
    ("web", False, None, "chose not to publish the story", "The story of this report is not"),
    ("sms", False, None, "The story of this report is not published.", "chose not to publish"),
    ("web", True, None, "The story of this report is not published.", "chose not to publish"),
    ("web", True, "Her words, redacted.", "Her words, redacted.", "not published"),
])
def test_the_public_page_says_what_is_true_about_consent(app, channel, consent, public_story, shown,
                                                         not_shown):
    from core.models.base import utcnow

    with app.app_context():
        report = Report(title="On the bus", story="private", occurred_at=utcnow(),
                        status="published", published_at=utcnow(), source_channel=channel,
                        consent_publish=consent, public_story=public_story)
        db.session.add(report)
        db.session.commit()
        public_id = report.public_id
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/reports/{public_id}").get_data(as_text=True)
    assert shown in page and not_shown not in page
