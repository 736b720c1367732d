"""She withdraws her report with her code: after a confirmation step it leaves every public output
at once (each one checked), her words, contact and photos are deleted, the staff see
"withdrawn", and the audit log records it without content."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from core import casecodes
from core.extensions import db
from core.media import uploads_dir
from core.models import Attachment, AuditLog, Message, Report, ReportRevision
from tests.conftest import csrf_token, post_form
from tests.test_admin_support import client_as, make_staff

STORY = "WITHDRAWN-STORY-her-own-words"


@pytest.fixture
def app_config():
    return {"SESIM_PLUGINS": "map,stories,export", "SESIM_STATS_MIN_COUNT": 1}


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def withdrawable(app, reports):
    """The sample "shared" report, given a case code, an earlier edit, a photo, her SMS and a
    staff reply: ``(public id, code)``."""
    from core.media import store_upload

    with app.app_context():
        code, code_hash = casecodes.issue()
        report = Report.query.filter_by(public_id=reports["shared"]).one()
        report.case_code_hash = code_hash
        db.session.add(ReportRevision(report=report, changes={"story": [STORY, "edited"]}))
        db.session.add(AuditLog(action="report.edited", target_type="reports", target_id=report.id,
                                before={"story": STORY}, after={"story": "edited"}))
        message = Message(channel="sms", external_id="w-1", sender="+994509998877", text=STORY,
                          status="converted", report_id=report.id, data={"gateway": "smssync"})
        db.session.add(message)
        db.session.add(Message(channel="sms", external_id="out-w-2", direction="out", status="queued",
                               sender="+994509998877", text="A reply waiting for the phone",
                               report_id=report.id, data={"kind": "staff"}))
        store_upload(photo_bytes(), report=report, message=message)
        db.session.commit()
    return reports["shared"], code


PUBLIC_OUTPUTS = [
    "/map?lang=en", "/map/points.geojson?zoom=20", "/stories/", "/stories/feed.atom",
    "/stories/feed.rss", "/export/reports.csv", "/export/reports.geojson", "/export/reports.kml",
    "/api/v1/reports",
]


def totals(client) -> dict:
    stats = client.get("/api/v1/stats").get_json()
    areas = client.get("/map/areas.geojson").get_json()
    csv_total = next(line for line in client.get("/stats.csv").get_data(as_text=True).splitlines()
                     if line.startswith("total,"))
    return {"api": stats["total"], "csv": csv_total.split(",")[3],
            "map areas": sum(f["properties"]["count"] for f in areas["features"]),
            "stats page": "<dd>5</dd>" in client.get("/stats?lang=en").get_data(as_text=True)}


def test_withdrawal_removes_the_report_from_every_output_and_erases_her(app, client, withdrawable):
    public_id, code = withdrawable
    for url in PUBLIC_OUTPUTS:
        assert public_id in client.get(url).get_data(as_text=True), url
    assert client.get(f"/reports/{public_id}").status_code == 200
    assert totals(client) == {"api": 5, "csv": "5", "map areas": 4, "stats page": True}

    client.get("/case?lang=en")
    post_form(client, "/case", {"code": code})
    confirm = client.post("/case/withdraw", data={"csrf_token": csrf_token(client, "/case")})
    assert confirm.status_code == 200
    assert 'name="confirm" value="yes"' in confirm.get_data(as_text=True)
    assert client.get(f"/reports/{public_id}").status_code == 200  # nothing happened yet

    done = client.post("/case/withdraw", data={"confirm": "yes", "csrf_token": csrf_token(client, "/case")})
    assert done.status_code == 303
    page = client.get("/case").get_data(as_text=True)
    assert "Your report was withdrawn" in page and "Withdrawn" in page
    assert 'action="/case/reply"' not in page and 'action="/case/withdraw"' not in page

    for url in PUBLIC_OUTPUTS:
        assert public_id not in client.get(url).get_data(as_text=True), url
    assert client.get(f"/reports/{public_id}").status_code == 404
    assert totals(client) == {"api": 4, "csv": "4", "map areas": 3, "stats page": False}

    with app.app_context():
        report = Report.query.filter_by(public_id=public_id).one()
        assert report.status == "withdrawn" and report.withdrawn_at is not None
        assert (report.title, report.story, report.public_story, report.contact) == ("", "", None, None)
        assert report.latitude is None and report.verification_note is None
        assert Attachment.query.filter_by(report_id=report.id).count() == 0
        assert not list(uploads_dir().iterdir())
        assert ReportRevision.query.filter_by(report_id=report.id).count() == 0
        for message in Message.query.filter_by(report_id=report.id):
            assert (message.text, message.sender, message.sender_hash) == ("", None, None)
            assert message.data["processed"]  # no plugin is called on what is left of it
        waiting = Message.query.filter_by(external_id="out-w-2").one()
        assert waiting.status == "failed"  # never sent to her phone any more
        entries = AuditLog.query.filter_by(target_type="reports", target_id=report.id).all()
        assert STORY not in repr([(e.before, e.after, e.note) for e in entries])
        [entry] = [e for e in entries if e.action == "report.withdrawn"]
        assert entry.after == {"status": "withdrawn"} and entry.user_id is None
        report_id = report.id

    make_staff(app)
    moderator = client_as(app, "moderator")
    assert "Withdrawn" in moderator.get(f"/admin/reports/{report_id}").get_data(as_text=True)
    assert STORY not in moderator.get(f"/admin/reports/{report_id}").get_data(as_text=True)
    from tests.test_admin_support import post

    refused = post(moderator, f"/admin/reports/{report_id}/status", {"action": "publish"},
                   f"/admin/reports/{report_id}")
    assert refused.status_code == 400


def test_withdrawal_needs_an_open_case_and_a_fresh_form(app, client, withdrawable):
    public_id, code = withdrawable
    client.get("/case?lang=en")
    alone = client.post("/case/withdraw", data={"confirm": "yes"})
    assert alone.status_code == 400 and "Enter your case code first" in alone.get_data(as_text=True)
    post_form(client, "/case", {"code": code})
    stale = client.post("/case/withdraw", data={"confirm": "yes", "csrf_token": "old"})
    assert stale.status_code == 400 and "This form expired" in stale.get_data(as_text=True)
    assert client.get(f"/reports/{public_id}").status_code == 200


def test_a_withdrawn_case_takes_no_answer_and_keeps_her_text(app, client, withdrawable):
    _public_id, code = withdrawable
    client.get("/case?lang=ru")
    post_form(client, "/case", {"code": code})
    client.post("/case/withdraw", data={"confirm": "yes", "csrf_token": csrf_token(client, "/case")})
    response = client.post("/case/reply",
                           data={"text": "Ещё одно", "csrf_token": csrf_token(client, "/case")})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Вы отозвали это обращение" in body and "Ещё одно" in body
    again = client.post("/case/withdraw", data={"confirm": "yes", "csrf_token": csrf_token(client, "/case")})
    assert again.status_code == 400 and "Это обращение уже отозвано" in again.get_data(as_text=True)


def test_an_sms_with_the_code_of_a_withdrawn_case_is_a_new_message(app, client, withdrawable):
    from core.intake import Inbound, receive

    _public_id, code = withdrawable
    post_form(client, "/case", {"code": code})
    client.post("/case/withdraw", data={"confirm": "yes", "csrf_token": csrf_token(client, "/case")})
    with app.app_context():
        message, _ = receive(Inbound(channel="sms", external_id="w-9", sender="+994509998877",
                                     text=f"{code} I changed my mind"))
        assert message.report_id is None and message.status == "new"
        assert message.text == "I changed my mind"
