"""Roles: admin-only pages, lawyers and their reports, the contact behind a reason, replies."""

from __future__ import annotations

import pytest

from core import hookimpl
from core.channels import ChannelInfo, Delivery
from tests.test_admin_support import audit_entries, client_as, make_staff, make_user, post

CONTACT = "leyla.private@example.net"
SENDER = "+994507654321"


@pytest.fixture
def app_config():
    return {"SESIM_LEGAL_HELP": True}


@pytest.fixture
def staff(app):
    return make_staff(app)


def new_report(app, title="A report", wants_legal_help=False, lawyer=None, sms=False) -> int:
    from datetime import datetime

    from core.extensions import db
    from core.intake import Inbound, receive
    from core.models import Report

    with app.app_context():
        report = Report(title=title, story="What happened, in her words.", contact=CONTACT,
                        occurred_at=datetime(2026, 2, 1), wants_legal_help=wants_legal_help,
                        assigned_lawyer_id=lawyer, latitude=40.41, longitude=49.86)
        db.session.add(report)
        db.session.commit()
        if sms:
            message, _ = receive(Inbound(channel="sms", external_id=f"m-{report.id}", text="help",
                                         sender=SENDER))
            message.report_id, message.status = report.id, "converted"
            db.session.commit()
        return report.id


@pytest.mark.parametrize("method, url, data", [
    ("get", "/admin/users", None),
    ("get", "/admin/audit", None),
    ("get", "/admin/categories", None),
    ("post", "/admin/categories", {"slug": "x", "name_az": "x", "name_ru": "x", "name_en": "x",
                                   "parent_id": "0", "colour": "#123456", "position": "1"}),
    ("post", "/admin/users/{admin}", {"action": "disable"}),
    ("post", "/admin/users/{admin}", {"action": "role", "role": "moderator"}),
])
def test_moderator_cannot_do_admin_things(app, staff, method, url, data):
    from core.extensions import db
    from core.models import Category, User

    moderator = client_as(app, "moderator")
    url = url.format(admin=staff["admin"])
    response = moderator.get(url) if method == "get" else post(moderator, url, data, "/admin/reports")
    assert response.status_code == 403
    action, _type, _id, _b, _a, note, user_id = audit_entries(app)[-1]
    assert action == "refused.role" and user_id == staff["moderator"] and url in note
    with app.app_context():
        admin = db.session.get(User, staff["admin"])
        assert admin.active and admin.role == "admin"
        assert Category.query.filter_by(slug="x").count() == 0


def test_admin_manages_staff(app, staff):
    from core.extensions import db
    from core.models import User

    admin = client_as(app, "admin")
    url = f"/admin/users/{staff['moderator']}"
    assert post(admin, url, {"action": "role", "role": "lawyer"}, "/admin/users").status_code == 302
    assert post(admin, url, {"action": "require_totp"}, "/admin/users").status_code == 302
    assert post(admin, url, {"action": "disable"}, "/admin/users").status_code == 302
    with app.app_context():
        user = db.session.get(User, staff["moderator"])
        assert (user.role, user.totp_required, user.active) == ("lawyer", True, False)
    # Disabled staff are logged out at once.
    entries = [e for e in audit_entries(app) if e[0] == "user.disable"]
    assert entries[0][3]["active"] is True and entries[0][4]["active"] is False
    # An admin cannot lock herself out.
    post(admin, f"/admin/users/{staff['admin']}", {"action": "disable"}, "/admin/users")
    with app.app_context():
        assert db.session.get(User, staff["admin"]).active


def test_disabled_staff_lose_their_session(app, staff):
    from core.extensions import db
    from core.models import User

    moderator = client_as(app, "moderator")
    with app.app_context():
        db.session.get(User, staff["moderator"]).active = False
        db.session.commit()
    assert moderator.get("/admin/reports").status_code == 302


def test_lawyer_sees_only_assigned_and_legal_help_reports(app, staff):
    mine = new_report(app, "Assigned to the lawyer", lawyer=staff["lawyer"])
    legal = new_report(app, "Wants legal help", wants_legal_help=True)
    other = new_report(app, "Not for the lawyer")
    lawyer = client_as(app, "lawyer")
    queue = lawyer.get("/admin/reports").get_data(as_text=True)
    assert "Assigned to the lawyer" in queue and "Wants legal help" in queue
    assert "Not for the lawyer" not in queue
    assert lawyer.get(f"/admin/reports/{mine}").status_code == 200
    assert lawyer.get(f"/admin/reports/{legal}").status_code == 200
    response = lawyer.get(f"/admin/reports/{other}")
    assert response.status_code == 403
    action, target_type, target_id, *_rest, user_id = audit_entries(app)[-1]
    assert (action, target_type, target_id, user_id) == ("refused.report", "reports", other,
                                                         staff["lawyer"])


def test_legal_help_reports_are_hidden_from_lawyers_when_the_deployment_has_no_legal_help(make_app):
    app = make_app(SESIM_LEGAL_HELP=False)
    make_staff(app)
    legal = new_report(app, "Wants legal help", wants_legal_help=True)
    assert client_as(app, "lawyer").get(f"/admin/reports/{legal}").status_code == 403


@pytest.mark.parametrize("url, data", [
    ("/admin/reports/{id}/status", {"action": "publish"}),
    ("/admin/reports/{id}/moderate", {"verified": "y", "location_precision": "place"}),
    ("/admin/reports/{id}/assign", {"lawyer_id": ""}),
    ("/admin/reports/bulk", {"action": "publish", "ids": "{id}"}),
])
def test_lawyer_cannot_moderate(app, staff, url, data):
    from core.extensions import db
    from core.models import Report

    report_id = new_report(app, lawyer=staff["lawyer"])
    lawyer = client_as(app, "lawyer")
    data = {k: v.format(id=report_id) for k, v in data.items()}
    response = post(lawyer, url.format(id=report_id), data, f"/admin/reports/{report_id}")
    assert response.status_code == 403
    assert audit_entries(app)[-1][0] == "refused.role"
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report.status == "pending" and not report.verified


def test_lawyer_cannot_open_the_inbox(app, staff):
    assert client_as(app, "lawyer").get("/admin/messages").status_code == 403


def test_moderator_assigns_a_lawyer_who_adds_a_note(app, staff):
    report_id = new_report(app)
    moderator = client_as(app, "moderator")
    url = f"/admin/reports/{report_id}"
    assert post(moderator, f"{url}/assign", {"lawyer_id": staff["lawyer"]}, url).status_code == 302
    lawyer = client_as(app, "lawyer")
    assert post(lawyer, f"{url}/note", {"body": "Called the prosecutor's office."}, url).status_code == 302
    page = moderator.get(url).get_data(as_text=True)
    assert "Called the prosecutor" in page and "lawyer@sesim.test" in page
    bad = post(moderator, f"{url}/assign", {"lawyer_id": staff["moderator"]}, url)
    assert bad.status_code == 400  # only a lawyer can be assigned


def test_contact_needs_a_reason_and_never_reaches_the_audit_log(app, staff):
    report_id = new_report(app, sms=True)
    moderator = client_as(app, "moderator")
    url = f"/admin/reports/{report_id}"
    page = moderator.get(url).get_data(as_text=True)
    assert CONTACT not in page and SENDER not in page
    response = post(moderator, f"{url}/contact", {"reason": ""}, url)
    assert response.status_code == 400 and CONTACT not in response.get_data(as_text=True)
    response = post(moderator, f"{url}/contact", {"reason": "She asked for a call back"}, url)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and CONTACT in text and SENDER in text
    entry = audit_entries(app)[-1]
    assert entry[0] == "report.contact_viewed" and entry[5] == "She asked for a call back"
    assert CONTACT not in str(audit_entries(app)) and SENDER not in str(audit_entries(app))
    assert "40.41" not in str(audit_entries(app))


class Gateway:
    def __init__(self):
        self.sent = []

    @hookimpl
    def sesim_channel_info(self):
        return ChannelInfo("sms", "SMS", send=self.send)

    def send(self, message):
        self.sent.append((message.sender, message.text))
        return Delivery.sent()


@pytest.mark.parametrize("role", ["lawyer", "moderator"])
def test_reply_goes_back_through_her_channel(app, staff, role):
    from core.models import Message

    gateway = Gateway()
    app.extensions["sesim"].manager.register(gateway, name="test-gateway")
    report_id = new_report(app, sms=True, lawyer=staff["lawyer"])
    client = client_as(app, role)
    url = f"/admin/reports/{report_id}"
    response = post(client, f"{url}/reply", {"text": "We can help. Call the hotline."}, url)
    assert response.status_code == 302
    assert gateway.sent == [(SENDER, "We can help. Call the hotline.")]
    with app.app_context():
        reply = Message.query.filter_by(direction="out").one()
        assert reply.report_id == report_id and reply.status == "sent" and reply.channel == "sms"
    assert audit_entries(app)[-1][0] == "report.reply_sent"
    assert SENDER not in str(audit_entries(app))


def test_a_reply_to_a_web_report_waits_for_her_on_the_case_page(app, staff):
    from core.models import Message

    report_id = new_report(app)  # a web report without a message: she reads replies on /case
    moderator = client_as(app, "moderator")
    url = f"/admin/reports/{report_id}"
    response = post(moderator, f"{url}/reply", {"text": "Hello"}, url)
    assert response.status_code == 302
    with app.app_context():
        reply = Message.query.one()
        assert (reply.channel, reply.direction, reply.report_id) == ("web", "out", report_id)


def test_lawyer_cannot_open_a_legal_help_report_taken_by_another_lawyer(app, staff):
    colleague = make_user(app, "colleague@sesim.test", "lawyer")
    taken = new_report(app, "Taken by a colleague", wants_legal_help=True, lawyer=colleague)
    lawyer = client_as(app, "lawyer")
    assert "Taken by a colleague" not in lawyer.get("/admin/reports").get_data(as_text=True)
    assert lawyer.get(f"/admin/reports/{taken}").status_code == 403
