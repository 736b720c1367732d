"""One sender's conversation, adding messages to an existing report, saved views with counts, and
the make-report form pre-filled from the channel's suggestions."""

from __future__ import annotations

import re

import pytest

from tests.test_admin_claims import make_reports
from tests.test_admin_flow import make_report, receive, report_id_from
from tests.test_admin_support import audit_actions, client_as, make_staff, make_user, post

SENDER = "+994507770011"


@pytest.fixture
def staff(app):
    return make_staff(app)


def thread_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-message="(\d+)"', page)]


def test_conversation_groups_one_sender_per_channel_with_staff_replies(app, staff):
    from core.extensions import db
    from core.intake import queue_reply
    from core.models import Message

    first = receive(app, "t-1", text="Salam, avtobusda narahat etdilər.", sender=SENDER)
    second = receive(app, "t-2", text="Yenə bu gün gördüm onu.", sender=SENDER)
    other_sender = receive(app, "t-3", text="Another woman entirely.", sender="+994509990000")
    other_channel = receive(app, "t-4", text="Same number, other channel", sender=SENDER,
                            channel="email")
    moderator = client_as(app, "moderator")
    inbox = moderator.get("/admin/messages").get_data(as_text=True)
    assert "2 messages from this sender" in inbox
    assert SENDER not in inbox

    response = make_report(moderator, app, [first])
    report_id = report_id_from(response)
    with app.app_context():
        reply = queue_reply(db.session.get(Message, first), "We read your message; stay safe.")
        reply_id = reply.id
    page = moderator.get(f"/admin/messages/{second}").get_data(as_text=True)
    ids = thread_ids(page)
    assert ids == [first, second, reply_id]  # oldest first, the staff reply in the same thread
    assert other_sender not in ids and other_channel not in ids
    assert "We read your message" in page and "Reply from staff" in page
    assert SENDER not in page
    assert f"/admin/reports/{report_id}" in page


def test_message_added_to_an_existing_report(app, staff):
    from core.extensions import db
    from core.models import Message, Report

    first = receive(app, "a-1", text="He waits at the bus stop.", sender=SENDER)
    later = receive(app, "a-2", text="Today he followed me home.", sender=SENDER)
    moderator = client_as(app, "moderator")
    report_id = report_id_from(make_report(moderator, app, [first]))
    with app.app_context():
        public_id = db.session.get(Report, report_id).public_id

    # From the inbox's bulk form: the report is named by its public id.
    response = post(moderator, "/admin/messages/mark", {"action": "attach", "ids": [later],
                                                        "report": public_id}, "/admin/messages")
    assert response.status_code == 302
    form = moderator.get(response.headers["Location"]).get_data(as_text=True)
    assert public_id in form and "Today he followed me home." in form
    response = post(moderator, "/admin/messages/attach", {"ids": [later], "report": public_id},
                    f"/admin/messages/attach?ids={later}&report={public_id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/reports/{report_id}#messages")
    with app.app_context():
        message = db.session.get(Message, later)
        assert message.report_id == report_id and message.status == "converted"
        assert "Today he followed me home." not in db.session.get(Report, report_id).story
    page = moderator.get(f"/admin/reports/{report_id}").get_data(as_text=True)
    assert "Today he followed me home." in page
    assert "report.messages_added" in audit_actions(app)

    # The same message again, an unknown report, a rejected one: clear 400s, nothing changes.
    again = post(moderator, "/admin/messages/attach", {"ids": [later], "report": public_id},
                 f"/admin/messages/attach?ids={later}")
    assert again.status_code == 400 and "already belongs to a report" in again.get_data(as_text=True)
    third = receive(app, "a-3", text="One more.", sender=SENDER)
    unknown = post(moderator, "/admin/messages/attach", {"ids": [third], "report": "nope-nope"},
                   f"/admin/messages/attach?ids={third}")
    assert unknown.status_code == 400 and "No report has the id nope-nope" in unknown.get_data(as_text=True)
    rejected_id = make_reports(app, 1)[0]
    with app.app_context():
        db.session.get(Report, rejected_id).status = "rejected"
        db.session.commit()
    refused = post(moderator, "/admin/messages/attach", {"ids": [third], "report": str(rejected_id)},
                   f"/admin/messages/attach?ids={third}")
    assert refused.status_code == 400 and "reopen it" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Message, third).report_id is None
    assert "refused.attach" in audit_actions(app)
    missing = post(moderator, "/admin/messages/attach", {"ids": [999999], "report": public_id},
                   "/admin/messages", follow_redirects=True)
    assert missing.status_code == 200 and "Choose at least one message" in missing.get_data(as_text=True)
    assert "refused.bulk_ids" in audit_actions(app)


def test_saved_views_show_counts_and_belong_to_their_owner(app, staff):
    from core.extensions import db
    from core.models import Report, SavedView

    make_user(app, "other@sesim.test", "moderator")
    ids = make_reports(app, 3)
    with app.app_context():
        for rid in ids[:2]:
            report = db.session.get(Report, rid)
            report.region_id, report.source_channel = "masalli", "sms"
        db.session.commit()
    moderator = client_as(app, "moderator")
    response = post(moderator, "/admin/views", {
        "target": "reports", "name": "Masallı, SMS, unverified",
        "query": "region=masalli&channel=sms&verified=false&status=pending&page=3&evil=1"},
        "/admin/reports")
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"] and "page=" not in response.headers["Location"]
    receive(app, "v-1", sender=SENDER)
    post(moderator, "/admin/views", {"target": "messages", "name": "SMS new",
                                     "query": "channel=sms&status=new"}, "/admin/messages")
    listing = moderator.get("/admin/reports").get_data(as_text=True)
    view = re.search(r'data-view="Masallı, SMS, unverified"><a href="([^"]+)">[^<]+</a> '
                     r'<span class="count">(\d+)</span>', listing)
    assert view and view.group(2) == "2"
    assert "Report 0" in moderator.get(view.group(1).replace("&amp;", "&")).get_data(as_text=True)
    inbox = moderator.get("/admin/messages").get_data(as_text=True)
    assert re.search(r'data-view="SMS new"><a [^>]+>SMS new</a> <span class="count">1</span>', inbox)

    from tests.test_admin_support import login

    other = app.test_client()
    login(other, "other@sesim.test")
    assert "Masallı, SMS, unverified" not in other.get("/admin/reports").get_data(as_text=True)
    with app.app_context():
        view_id = SavedView.query.filter_by(name="SMS new").one().id
    assert post(other, f"/admin/views/{view_id}/delete", {}, "/admin/reports").status_code == 404
    assert "refused.view" in audit_actions(app)
    assert post(moderator, f"/admin/views/{view_id}/delete", {}, "/admin/reports").status_code == 302
    with app.app_context():
        assert SavedView.query.count() == 1
    assert post(moderator, "/admin/views", {"target": "nothing", "name": "x"},
                "/admin/reports").status_code == 400
    lawyer = client_as(app, "lawyer")
    assert post(lawyer, "/admin/views", {"target": "messages", "name": "x"},
                "/admin/reports").status_code == 403


def test_make_report_form_preselects_suggested_place_and_categories(app, staff):
    from core.models import Category

    message_id = receive(app, "p-1", text="Masallıda bazarda söz atdılar",
                         suggestions={"places": ["masalli-town"], "categories": ["verbal", "physical"],
                                      "language": "az"})
    moderator = client_as(app, "moderator")
    page = moderator.get(f"/admin/messages/report?ids={message_id}").get_data(as_text=True)
    with app.app_context():
        wanted = {c.id for c in Category.query.filter(Category.slug.in_(["verbal", "physical"]))}
        unwanted = Category.query.filter_by(slug="online").one().id
    tags = re.findall(r'<input[^>]*name="categories"[^>]*>', page)
    checked = {int(re.search(r'value="(\d+)"', t).group(1)) for t in tags if "checked" in t}
    assert wanted <= checked and unwanted not in checked
    option = re.search(r'<option[^>]*value="masalli-town"[^>]*>', page).group(0)
    assert "selected" in option


def test_inbox_bulk_categorise_is_ticked_in_the_report_form(app, staff):
    from core.models import Category

    one, two = receive(app, "k-1", text="Birinci"), receive(app, "k-2", text="İkinci", sender="+994501")
    with app.app_context():
        stalking = Category.query.filter_by(slug="stalking").one().id
    moderator = client_as(app, "moderator")
    response = post(moderator, "/admin/messages/mark",
                    {"action": "categorise", "ids": [one, two], "category": stalking},
                    "/admin/messages", follow_redirects=True)
    assert "2 messages changed" in response.get_data(as_text=True)
    page = moderator.get(f"/admin/messages/report?ids={one}").get_data(as_text=True)
    ticked = [t for t in re.findall(r'<input[^>]*name="categories"[^>]*>', page) if "checked" in t]
    assert len(ticked) == 1 and f'value="{stalking}"' in ticked[0]
    assert audit_actions(app).count("message.categorised") == 2
    response = post(moderator, "/admin/messages/mark", {"action": "categorise", "ids": [one],
                                                        "category": "x"}, "/admin/messages",
                    follow_redirects=True)
    assert "Choose a category" in response.get_data(as_text=True)
