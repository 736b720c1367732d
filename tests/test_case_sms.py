"""An SMS reporter's case: the staff reply from the report page reaches her phone through the
gateway (SMSSync ``task=send``; Twilio's REST API faked at the HTTP layer), shows on /case too,
and her SMS that starts with her case code lands on the same case, unread for the staff."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest
import responses

from core.extensions import db
from core.models import Message, Report
from tests.conftest import post_form
from tests.test_admin_flow import make_report, report_id_from
from tests.test_admin_support import client_as, make_staff, post

SECRET = "smssync-secret-123"
PHONE = "+994501234567"
URL = "/channels/sms/smssync"
CODE = re.compile(r"\d{4}-\d{4}-\d{4}")


@pytest.fixture
def app_config():
    return {"SESIM_PLUGINS": "sms", "SESIM_SMS_GATEWAYS": "smssync",
            "SESIM_SMS_SMSSYNC_SECRET": SECRET, "SESIM_SMS_AUTO_REPLY": True}


@pytest.fixture
def staff(app):
    return make_staff(app)


def sms(client, text, message_id):
    response = client.post(URL, data={"from": PHONE, "message": text, "message_id": message_id,
                                      "sent_to": "+994551112233", "secret": SECRET,
                                      "sent_timestamp": "1714560000000"})
    assert response.status_code == 200 and response.json["payload"]["success"] is True


def phone_fetches(client) -> list[dict]:
    """What the SMSSync phone is handed to send, then confirms as sent."""
    tasks = client.get(f"{URL}?task=send&secret={SECRET}").json["payload"]["messages"]
    if tasks:
        client.post(f"{URL}?task=sent&secret={SECRET}",
                    json={"queued_messages": [t["uuid"] for t in tasks]})
    return tasks


def test_sms_reporter_and_staff_talk_through_the_gateway_and_the_case(app, client, staff):
    sms(client, "Xətai rayonunda bir kişi hər gün məni izləyir", "m-1")
    [code_sms] = phone_fetches(client)
    code = CODE.search(code_sms["message"]).group(0)

    moderator = client_as(app, "moderator")
    with app.app_context():
        first = Message.query.filter_by(direction="in").one()
    report_id = report_id_from(make_report(moderator, app, [first.id]))

    page = f"/admin/reports/{report_id}"
    assert "Reply to the reporter through SMS" in moderator.get(page).get_data(as_text=True)
    post(moderator, f"{page}/reply", {"text": "Biz sizin müraciətinizi oxuduq. İndi təhlükəsizsiniz?"}, page)
    [delivered] = phone_fetches(client)
    assert delivered["to"] == PHONE
    assert delivered["message"] == "Biz sizin müraciətinizi oxuduq. İndi təhlükəsizsiniz?"
    with app.app_context():
        reply = Message.query.filter_by(external_id=delivered["uuid"]).one()
        assert (reply.status, reply.report_id, reply.data["kind"]) == ("sent", report_id, "staff")

    # She answers by SMS, starting with her code: it lands on her case, the code is not kept.
    sms(client, f"{code} Bəli, amma o dünən yenə gəldi", "m-2")
    assert phone_fetches(client) == []  # no second case code
    with app.app_context():
        mine = Message.query.filter_by(external_id="smssync:m-2").one()
        assert (mine.report_id, mine.unread, mine.status) == (report_id, True, "converted")
        assert mine.text == "Bəli, amma o dünən yenə gəldi"
        assert code.replace("-", "") not in mine.text.replace("-", "")
    assert "Bəli, amma o dünən yenə gəldi" in moderator.get("/admin/answers").get_data(as_text=True)

    # The same conversation on /case, with her code.
    client.get("/case?lang=en")
    post_form(client, "/case", {"code": code})
    body = client.get("/case").get_data(as_text=True)
    assert "Biz sizin müraciətinizi oxuduq" in body and "Bəli, amma o dünən yenə gəldi" in body
    assert "Xətai rayonunda" not in body  # her first message is not shown back
    assert code not in body


def test_an_sms_with_her_code_before_any_report_follows_her_first_message(app, client):
    sms(client, "Müdirim mənə hər gecə yazır", "m-1")
    [code_sms] = phone_fetches(client)
    code = CODE.search(code_sms["message"]).group(0)
    sms(client, f"{code.replace('-', ' ')}: adını da yazıram, Kamran", "m-2")
    assert phone_fetches(client) == []
    with app.app_context():
        first = Message.query.filter_by(external_id="smssync:m-1").one()
        second = Message.query.filter_by(external_id="smssync:m-2").one()
        assert second.in_reply_to_id == first.id and second.data["kind"] == "answer"
        assert second.text == "adını da yazıram, Kamran" and second.sender_hash == first.sender_hash


def test_answers_sent_before_the_report_join_it_and_she_can_withdraw(app, client, staff):
    sms(client, "Müdirim mənə hər gecə yazır", "m-1")
    code = CODE.search(phone_fetches(client)[0]["message"]).group(0)
    sms(client, f"{code} bu gün də yazdı", "m-2")
    moderator = client_as(app, "moderator")
    with app.app_context():
        first = Message.query.filter_by(external_id="smssync:m-1").one()
    report_id = report_id_from(make_report(moderator, app, [first.id]))
    with app.app_context():
        answer = Message.query.filter_by(external_id="smssync:m-2").one()
        assert (answer.report_id, answer.unread, answer.status) == (report_id, True, "converted")
    assert "bu gün də yazdı" in moderator.get("/admin/answers").get_data(as_text=True)

    client.get("/case?lang=en")
    post_form(client, "/case", {"code": code})
    assert "bu gün də yazdı" in client.get("/case").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/case").get_data(as_text=True))
    client.post("/case/withdraw", data={"confirm": "yes", "csrf_token": token.group(1)})
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report.status == "withdrawn"
        for message in Message.query.filter_by(report_id=report_id):
            assert message.text == "" and message.sender is None


def test_a_case_without_a_report_can_be_withdrawn(app, client):
    sms(client, "Qonşum məni hədələyir", "m-1")
    code = CODE.search(phone_fetches(client)[0]["message"]).group(0)
    client.get("/case?lang=en")
    post_form(client, "/case", {"code": code})
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/case").get_data(as_text=True))
    client.post("/case/withdraw", data={"confirm": "yes", "csrf_token": token.group(1)})
    assert "Withdrawn" in client.get("/case").get_data(as_text=True)
    with app.app_context():
        message = Message.query.filter_by(direction="in").one()
        assert (message.status, message.text, message.sender) == ("withdrawn", "", None)


def test_an_unknown_code_is_kept_as_she_typed_it(app, client):
    sms(client, "994501234567 nömrəsindən mənə zəng edir", "m-1")
    with app.app_context():
        message = Message.query.filter_by(direction="in").one()
        assert message.text == "994501234567 nömrəsindən mənə zəng edir"
        assert message.report_id is None and message.in_reply_to_id is None


TWILIO_SID, TWILIO_TOKEN, TWILIO_NUMBER = "AC" + "0" * 32, "twilio-auth-token", "+15005550006"
TWILIO_API = f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"


def test_a_staff_reply_to_a_twilio_reporter_goes_out_through_the_rest_api(make_app):
    app = make_app(SESIM_PLUGINS="sms", SESIM_SMS_GATEWAYS="twilio",
                   SESIM_SMS_TWILIO_ACCOUNT_SID=TWILIO_SID, SESIM_SMS_TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
                   SESIM_SMS_TWILIO_NUMBER=TWILIO_NUMBER)
    make_staff(app)
    from core.intake import Inbound, receive

    with app.app_context():
        message, _created = receive(Inbound(channel="sms", external_id="twilio:SM1", sender=PHONE,
                                            text="Меня трогал начальник", data={"gateway": "twilio"}))
        report = Report(title="At work", story="x", occurred_at=message.received_at,
                        source_channel="sms")
        db.session.add(report)
        db.session.flush()
        message.report_id, message.status = report.id, "converted"
        db.session.commit()
        report_id = report.id
    moderator = client_as(app, "moderator")
    page = f"/admin/reports/{report_id}"
    with responses.RequestsMock() as api:
        api.add(responses.POST, TWILIO_API, status=201,
                json={"sid": "SMfeedface", "status": "queued", "to": PHONE, "from": TWILIO_NUMBER})
        post(moderator, f"{page}/reply", {"text": "Юрист свяжется с вами."}, page)
        assert parse_qs(api.calls[0].request.body) == {
            "To": [PHONE], "From": [TWILIO_NUMBER], "Body": ["Юрист свяжется с вами."]}
    with app.app_context():
        reply = Message.query.filter_by(direction="out").one()
        assert (reply.status, reply.data["provider_id"], reply.report_id) == ("sent", "SMfeedface", report_id)
