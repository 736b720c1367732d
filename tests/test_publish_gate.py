"""The publish gate: a title or public story that may identify her is not published, unless the
moderator ticks the field and writes why (audited); a public report's text cannot gain one."""

from __future__ import annotations

import pytest

from tests.test_admin_flow import Recorder, make_report, receive, report_id_from
from tests.test_admin_support import audit_entries, client_as, make_staff, post


@pytest.fixture
def staff(app):
    return make_staff(app)


@pytest.fixture
def recorder(app):
    recorder = Recorder()
    app.extensions["sesim"].manager.register(recorder, name="test-recorder")
    return recorder


def pending_report(app, moderator, key, title="Followed from the metro", public_story=None):
    report_id = report_id_from(make_report(moderator, app, [receive(app, key)], title=title))
    if public_story is not None:
        page = f"/admin/reports/{report_id}"
        response = post(moderator, f"{page}/moderate", {
            "location_precision": "region", "public_story": public_story}, page)
        assert response.status_code == 302
    return report_id


def status_of(app, report_id):
    from core.extensions import db
    from core.models import Report

    with app.app_context():
        report = db.session.get(Report, report_id)
        return report.status, report.public_story


def publish(moderator, report_id, **form):
    page = f"/admin/reports/{report_id}"
    return post(moderator, f"{page}/status", {"action": "publish", **form}, page)


@pytest.mark.parametrize("story, found", [
    ("He wrote from 050-765-43-21 every night.", "public story: phone number"),
    ("His page is instagram.com/bad.guy.baku.", "public story: link"),
    ("Write to him: rauf at gmail dot com.", "public story: e-mail address"),
    ("It happened at 40.4093, 49.8671.", "public story: exact location or map link"),
    ("His car was 10-AB-123.", "public story: car plate"),
    ("It happened in Lahıc, near the school.", "public story: name of a small village"),
    ("He is @Игорь_Баку on Telegram.", "public story: account name (@handle)"),
    ("He took my passport AA1234567.", "public story: ID or passport number"),
])
def test_a_public_story_that_may_identify_her_is_not_published(app, staff, recorder, story, found):
    moderator = client_as(app, "moderator")
    report_id = pending_report(app, moderator, "gate-story", public_story=story)
    page = moderator.get(f"/admin/reports/{report_id}").get_data(as_text=True)
    assert 'id="publish-flags"' in page and 'name="override" value="story"' in page
    response = publish(moderator, report_id)
    assert response.status_code == 400
    assert f"The public text may identify her ({found})" in response.get_data(as_text=True)
    assert status_of(app, report_id) == ("pending", story)
    assert recorder.published == []


def test_title_and_story_are_both_checked_and_each_needs_its_own_override(app, staff, recorder):
    moderator = client_as(app, "moderator")
    report_id = pending_report(app, moderator, "gate-both", title="Taxi 90 XX 123",
                               public_story="Call him on +994 55 765 43 21.")
    response = publish(moderator, report_id)
    assert "(title: car plate; public story: phone number)" in response.get_data(as_text=True)

    only_title = publish(moderator, report_id, override="title", override_reason="Known company taxi")
    assert only_title.status_code == 400
    assert "(public story: phone number)" in only_title.get_data(as_text=True)

    no_reason = publish(moderator, report_id, override=["title", "story"], override_reason="ok")
    assert no_reason.status_code == 400
    assert "Write why the flagged text may stay public" in no_reason.get_data(as_text=True)
    assert status_of(app, report_id)[0] == "pending" and recorder.published == []


def test_an_explicit_override_publishes_and_is_audited_without_the_identifier(app, staff, recorder):
    moderator = client_as(app, "moderator")
    report_id = pending_report(app, moderator, "gate-override",
                               public_story="The police hotline 012 590 99 99 did not answer.")
    reason = "This is the public police hotline, not hers"
    response = publish(moderator, report_id, override="story", override_reason=reason)
    assert response.status_code == 302
    assert status_of(app, report_id)[0] == "published" and len(recorder.published) == 1
    entry = [e for e in audit_entries(app) if e[0] == "report.publish_override"]
    assert len(entry) == 1
    _action, target_type, target_id, _before, after, note, user_id = entry[0]
    assert (target_type, target_id, user_id) == ("reports", report_id, staff["moderator"])
    assert after == {"fields": ["story"], "kinds": {"story": ["phone"]}}
    assert note == reason
    assert "590 99 99" not in str(entry)


def test_bulk_publish_never_overrides(app, staff, recorder):
    moderator = client_as(app, "moderator")
    flagged = pending_report(app, moderator, "gate-bulk-1", public_story="He is vk.com/id123456")
    clean = pending_report(app, moderator, "gate-bulk-2", public_story="He followed me home.")
    response = post(moderator, "/admin/reports/bulk", {"ids": [flagged, clean], "action": "publish"},
                    "/admin/reports")
    assert response.status_code == 302
    assert status_of(app, flagged)[0] == "pending" and status_of(app, clean)[0] == "published"


def test_a_published_report_cannot_gain_an_identifier(app, staff, recorder):
    moderator = client_as(app, "moderator")
    report_id = pending_report(app, moderator, "gate-after", public_story="He followed me home.")
    assert publish(moderator, report_id).status_code == 302
    page = f"/admin/reports/{report_id}"
    response = post(moderator, f"{page}/moderate", {
        "location_precision": "region", "public_story": "He is t.me/samir_bk, write him."}, page)
    assert response.status_code == 400
    assert "This report is public and the new text may identify her" in response.get_data(as_text=True)
    assert status_of(app, report_id) == ("published", "He followed me home.")
    public_id = recorder.published[0]
    assert "samir_bk" not in app.test_client().get(f"/reports/{public_id}").get_data(as_text=True)


def test_a_public_place_that_is_a_small_village_is_not_published_as_it_is(app, staff, recorder):
    """Nabran has about 600 people: a pin there (precision "place") can point at her. The gate
    asks for the region (or hidden) instead, or a written reason to keep the village."""
    moderator = client_as(app, "moderator")
    report_id = report_id_from(make_report(moderator, app, [receive(app, "gate-village")],
                                           place="khachmaz-nabran"))
    page = f"/admin/reports/{report_id}"
    assert post(moderator, f"{page}/moderate", {"location_precision": "place",
                                                "public_story": "Followed home."}, page).status_code == 302
    refused = publish(moderator, report_id)
    assert refused.status_code == 400
    assert "public place (choose “region only” or “hidden” to blur it): name of a small village" in \
        refused.get_data(as_text=True)
    assert 'name="override" value="point"' in moderator.get(page).get_data(as_text=True)
    assert status_of(app, report_id)[0] == "pending" and recorder.published == []

    assert post(moderator, f"{page}/moderate", {"location_precision": "region",
                                                "public_story": "Followed home."}, page).status_code == 302
    assert publish(moderator, report_id).status_code == 302
    assert status_of(app, report_id)[0] == "published"


def test_a_small_village_may_stay_public_with_a_written_reason(app, staff, recorder):
    moderator = client_as(app, "moderator")
    report_id = report_id_from(make_report(moderator, app, [receive(app, "gate-village-2")],
                                           place="khachmaz-nabran"))
    page = f"/admin/reports/{report_id}"
    post(moderator, f"{page}/moderate", {"location_precision": "place",
                                         "public_story": "A checkpoint on the main road."}, page)
    kept = publish(moderator, report_id, override="point",
                   override_reason="A public checkpoint, she asked for the village to be named")
    assert kept.status_code == 302 and status_of(app, report_id)[0] == "published"
    [after] = [e[4] for e in audit_entries(app) if e[0] == "report.publish_override"]
    assert after == {"fields": ["point"], "kinds": {"point": ["place"]}}


def test_a_village_kept_at_publishing_does_not_lock_the_report_but_moving_there_is_checked(
        app, staff, recorder):
    moderator = client_as(app, "moderator")
    report_id = report_id_from(make_report(moderator, app, [receive(app, "gate-village-3")],
                                           place="khachmaz-nabran"))
    page = f"/admin/reports/{report_id}"
    post(moderator, f"{page}/moderate", {"location_precision": "place",
                                         "public_story": "A checkpoint on the main road."}, page)
    assert publish(moderator, report_id, override="point",
                   override_reason="A public checkpoint, she asked for the village").status_code == 302
    verified = post(moderator, f"{page}/moderate", {
        "location_precision": "place", "verified": "y",
        "public_story": "A checkpoint on the main road."}, page)
    assert verified.status_code == 302  # verifying later is not refused for the kept village

    other = report_id_from(make_report(moderator, app, [receive(app, "gate-village-4")]))
    other_page = f"/admin/reports/{other}"
    post(moderator, f"{other_page}/moderate", {"location_precision": "place",
                                               "public_story": "Followed home."}, other_page)
    assert publish(moderator, other).status_code == 302  # Nəsimi: a district, not a village
    moved = post(moderator, f"{other_page}/edit", {
        "title": "Followed from the metro", "story": "He followed me.", "occurred_on": "2026-03-01",
        "place": "khachmaz-nabran", "language": "en", "consent_publish": "y"}, other_page)
    assert moved.status_code == 400
    assert "This report is public and the new text may identify her (public place" in \
        moved.get_data(as_text=True)
