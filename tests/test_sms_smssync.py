"""SMS plugin through SMSSync: realistic posts to the real app, keywords, replies and the phone's
``task=send`` / ``task=sent`` / ``task=result`` flow."""

from datetime import datetime

import pytest
from sqlalchemy import text

from core.casecodes import hash_code
from core.extensions import db
from core.intake import queue_reply
from core.models import Message

SECRET = "smssync-secret-123"
PHONE = "+994501234567"
URL = "/channels/sms/smssync"


@pytest.fixture
def app_config():
    return {
        "SESIM_PLUGINS": "sms",
        "SESIM_SMS_GATEWAYS": "smssync",
        "SESIM_SMS_SMSSYNC_SECRET": SECRET,
        "SESIM_SMS_AUTO_REPLY": True,
    }


def sms(**overrides):
    """A post as SMSSync 3.x makes it."""
    fields = {
        "from": PHONE,
        "message": "Xətai rayonunda bir kişi hər gün məni izləyir",
        "message_id": "6f1c3a52-2b4e-4e0b-9a55-6a3c0a1d2e11",
        "sent_to": "+994551112233",
        "secret": SECRET,
        "device_id": "sesim-phone-1",
        "sent_timestamp": "1714560000000",
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


def inbound(app):
    with app.app_context():
        return Message.query.filter_by(direction="in").order_by(Message.id).all()


def outbound(app):
    with app.app_context():
        return Message.query.filter_by(direction="out").order_by(Message.id).all()


def test_inbound_sms_is_stored_with_suggestions_and_answered_with_a_case_code(app, client):
    response = client.post(URL, data=sms())
    assert response.status_code == 200
    assert response.json == {"payload": {"success": True, "error": None}}

    [message] = inbound(app)
    assert message.channel == "sms" and message.sender == PHONE
    assert message.external_id == "smssync:6f1c3a52-2b4e-4e0b-9a55-6a3c0a1d2e11"
    assert message.received_at == datetime(2024, 5, 1, 10, 40)
    assert message.language == "az"
    assert message.data["gateway"] == "smssync"
    assert message.data["suggestions"] == {
        "language": "az", "places": ["baku-khatai"], "categories": ["stalking"]}
    assert "secret" not in str(message.data) and PHONE not in str(message.data)

    [reply] = outbound(app)
    assert reply.status == "queued" and reply.sender == PHONE and reply.in_reply_to_id == message.id
    assert "Müraciət kodu" in reply.text and "silin" in reply.text  # Azerbaijani, with the safety note
    code = reply.text.split("Müraciət kodu: ")[1][:14]
    with app.app_context():
        assert hash_code(code) == message.case_code_hash
        raw = db.session.execute(text("SELECT sender, text FROM messages")).all()
    assert all(PHONE not in row.sender for row in raw)  # encrypted at rest


def test_old_apps_send_seconds_new_apps_milliseconds(app, client):
    client.post(URL, data=sms(sent_timestamp="1714560000", message_id="a"))
    client.post(URL, data=sms(sent_timestamp="1714560000000", message_id="b"))
    assert {m.received_at for m in inbound(app)} == {datetime(2024, 5, 1, 10, 40)}


def test_a_repeated_delivery_is_success_and_stored_once(app, client):
    for _ in range(3):
        response = client.post(URL, data=sms())
        assert response.json["payload"]["success"] is True
    assert len(inbound(app)) == 1
    assert len(outbound(app)) == 1  # and answered once


@pytest.mark.parametrize("secret", ["wrong", "", None, SECRET + " "])
def test_wrong_or_missing_secret_is_refused_and_nothing_stored(app, client, secret):
    response = client.post(URL, data=sms(secret=secret))
    assert response.status_code == 403
    assert response.json["payload"]["success"] is False
    assert inbound(app) == []


def test_an_unset_secret_rejects_everything(make_app):
    app = make_app(SESIM_PLUGINS="sms", SESIM_SMS_GATEWAYS="smssync")
    response = app.test_client().post(URL, data=sms(secret=""))
    assert response.status_code == 403
    assert inbound(app) == []


@pytest.mark.parametrize("missing", ["from", "message"])
def test_missing_fields_are_a_400(app, client, missing):
    response = client.post(URL, data=sms(**{missing: None}))
    assert response.status_code == 400
    assert missing in response.json["payload"]["error"]
    assert inbound(app) == []


def test_a_gateway_that_is_not_enabled_answers_404(make_app):
    app = make_app(SESIM_PLUGINS="sms", SESIM_SMS_GATEWAYS="aggregator",
                   SESIM_SMS_SMSSYNC_SECRET=SECRET)
    client = app.test_client()
    assert client.post(URL, data=sms()).status_code == 404
    assert client.get(f"{URL}?task=send&secret={SECRET}").status_code == 404
    assert inbound(app) == []


CP1251_BODY = "from=%2B994501234567&message=%CF%EE%EC%EE%E3%E8%F2%E5&message_id=x1&secret=" + SECRET


@pytest.mark.parametrize(
    ("post", "problem"),
    [
        ({"data": sms(message="")}, "empty"),
        ({"data": sms(message="   ")}, "empty"),
        ({"data": sms(sent_timestamp="yesterday")}, "bad-timestamp"),
        ({"data": sms(sent_timestamp="99999999999999999999")}, "bad-timestamp"),
        ({"data": sms(sent_timestamp="-5")}, "bad-timestamp"),
        ({"data": sms(message_id="")}, "no-message-id"),
        ({"data": CP1251_BODY, "content_type": "application/x-www-form-urlencoded"}, "not-utf8"),
        ({"data": b"from=%2B994501&message=caf\xe9&message_id=x2&secret=" + SECRET.encode(),
          "content_type": "application/x-www-form-urlencoded"}, "not-utf8"),
    ],
)
def test_bad_input_is_stored_safely_with_a_note_and_never_a_500(app, client, post, problem):
    response = client.post(URL, **post)
    assert response.status_code == 200
    [message] = inbound(app)
    assert problem in message.data["problems"]
    if problem == "empty":
        assert outbound(app) == []  # nothing to answer


def test_unknown_fields_are_kept_out_but_named_for_moderators(app, client):
    client.post(URL, data=sms(modem_id="7", extra_thing="<script>"))
    [message] = inbound(app)
    assert message.data["unknown_fields"] == ["extra_thing", "modem_id"]
    assert "<script>" not in str(message.data)


def test_an_overlong_text_is_cut_and_an_oversized_body_refused(app, client):
    assert client.post(URL, data=sms(message="ə" * 30_000)).status_code == 200
    [message] = inbound(app)
    assert len(message.text) == 20_000 and message.data["truncated_from"] == 30_000
    response = client.post(URL, data=sms(message="x" * 300_000, message_id="big"))
    assert response.status_code in (400, 413)
    assert len(inbound(app)) == 1


@pytest.mark.parametrize(
    ("body", "language", "says"),
    [("HELP", "en", "write in one SMS"), ("Kömək", "az", "bir SMS-də"), ("komek", "az", "bir SMS-də"),
     ("ПОМОЩЬ", "ru", "напишите в одном SMS")],
)
def test_help_keyword_gets_instructions_instead_of_a_case_code(app, client, body, language, says):
    client.post(URL, data=sms(message=body))
    [message] = inbound(app)
    [reply] = outbound(app)
    assert message.data["keyword"] == "help" and message.status == "ignored"
    assert message.case_code_hash is None
    assert reply.language == language and says in reply.text and "STOP" in reply.text


def test_stop_silences_every_later_sms_until_start(app, client):
    client.post(URL, data=sms(message="STOP", message_id="1"))
    assert outbound(app) == []  # no confirmation either
    client.post(URL, data=sms(message="Nəsimidə təhqir etdilər", message_id="2"))
    assert outbound(app) == []
    with app.app_context():
        later = Message.query.filter_by(external_id="smssync:2").one()
        reply = queue_reply(later, "A lawyer will call you.")  # a moderator's reply
        assert reply.status == "failed" and "STOP" in reply.error
    client.post(URL, data=sms(message="başla", message_id="3"))
    client.post(URL, data=sms(message="Yasamalda yenə izlədi", message_id="4"))
    assert [m.data.get("kind") for m in outbound(app) if m.status == "queued"] == ["case-code"]


def test_auto_reply_off_sends_no_case_code_but_still_answers_help(make_app):
    app = make_app(SESIM_PLUGINS="sms", SESIM_SMS_GATEWAYS="smssync",
                   SESIM_SMS_SMSSYNC_SECRET=SECRET, SESIM_SMS_AUTO_REPLY="false")
    client = app.test_client()
    client.post(URL, data=sms(message_id="1"))
    assert outbound(app) == [] and inbound(app)[0].case_code_hash is None
    client.post(URL, data=sms(message="help", message_id="2"))
    [reply] = outbound(app)
    assert reply.data["kind"] == "help" and "case code" not in reply.text


def test_auto_reply_is_off_by_default(make_app):
    app = make_app(SESIM_PLUGINS="sms", SESIM_SMS_GATEWAYS="smssync",
                   SESIM_SMS_SMSSYNC_SECRET=SECRET)
    app.test_client().post(URL, data=sms())
    assert len(inbound(app)) == 1 and outbound(app) == []


def test_the_phone_fetches_confirms_and_reports_replies(app, client):
    client.post(URL, data=sms(message="Меня преследуют возле метро в Насими"))
    [reply] = outbound(app)
    assert "Код обращения" in reply.text

    assert client.get(f"{URL}?task=send&secret=wrong").status_code == 403
    tasks = client.get(f"{URL}?task=send&secret={SECRET}").json["payload"]
    assert tasks["task"] == "send" and tasks["secret"] == SECRET
    [offered] = tasks["messages"]
    assert offered == {"to": PHONE, "message": reply.text, "uuid": reply.external_id}
    again = client.get(f"{URL}?task=send&secret={SECRET}").json["payload"]["messages"]
    assert again == []  # not offered twice while the phone works on it
    assert outbound(app)[0].status == "queued"  # until the phone confirms

    confirmed = client.post(f"{URL}?task=sent&secret={SECRET}",
                            json={"queued_messages": [reply.external_id, "unknown-uuid"]})
    assert confirmed.json == {"message_uuids": [reply.external_id]}
    [sent] = outbound(app)
    assert sent.status == "sent"
    assert "XXXX-XXXX-XXXX" in sent.text  # the code leaves the database with the SMS

    waiting = client.get(f"{URL}?task=result&secret={SECRET}").json
    assert waiting == {"message_uuids": [reply.external_id]}
    result = {"uuid": reply.external_id, "sent_result_code": 1,
              "sent_result_message": "Failed to send SMS - no airtime",
              "delivered_result_code": -1, "delivered_result_message": ""}
    answer = client.post(f"{URL}?task=result&secret={SECRET}", json={"message_result": [result]})
    assert answer.json["payload"]["success"] is True
    [failed] = outbound(app)
    assert failed.status == "failed" and "no airtime" in failed.error
    assert client.get(f"{URL}?task=result&secret={SECRET}").json == {"message_uuids": []}


def test_without_the_results_api_a_reply_handed_to_the_phone_counts_as_sent(make_app):
    app = make_app(SESIM_PLUGINS="sms", SESIM_SMS_GATEWAYS="smssync", SESIM_SMS_AUTO_REPLY=True,
                   SESIM_SMS_SMSSYNC_SECRET=SECRET, SESIM_SMS_SMSSYNC_CONFIRM="false")
    client = app.test_client()
    client.post(URL, data=sms())
    assert len(client.get(f"{URL}?task=send&secret={SECRET}").json["payload"]["messages"]) == 1
    assert [m.status for m in outbound(app)] == ["sent"]
    assert client.get(f"{URL}?task=send&secret={SECRET}").json["payload"]["messages"] == []


@pytest.mark.parametrize(
    ("method", "url", "kwargs"),
    [
        ("get", f"{URL}?secret={SECRET}", {}),
        ("get", f"{URL}?task=explode&secret={SECRET}", {}),
        ("post", f"{URL}?task=result&secret={SECRET}", {"data": "not json"}),
        ("post", f"{URL}?task=result&secret={SECRET}", {"json": {"message_result": "x"}}),
        ("post", f"{URL}?task=sent&secret={SECRET}", {"json": {"queued_messages": [{"a": 1}]}}),
        ("post", URL, {"data": "{not json", "content_type": "application/json"}),
    ],
)
def test_odd_task_requests_get_a_clear_answer(app, client, method, url, kwargs):
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code in (200, 400)
    assert response.is_json


def test_two_phones_polling_at_once_never_get_the_same_reply(app, client):
    from sqlalchemy import text

    from core.extensions import db

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite has no row locks: its write lock serialises hand-outs (test below)")
    client.post(URL, data=sms(message="Меня преследуют возле метро в Насими"))
    [reply] = outbound(app)
    with app.app_context():
        other_phone = db.engine.connect()  # a second request, half-way through handing it out
        transaction = other_phone.begin()
        other_phone.execute(text("SELECT id FROM messages WHERE id = :id FOR UPDATE"), {"id": reply.id})
        try:
            tasks = client.get(f"{URL}?task=send&secret={SECRET}").json["payload"]
            assert tasks["messages"] == []  # the locked reply is skipped, not sent twice
        finally:
            transaction.rollback()
            other_phone.close()
    assert len(client.get(f"{URL}?task=send&secret={SECRET}").json["payload"]["messages"]) == 1


def test_concurrent_pollers_never_hand_out_a_reply_twice(app, client, monkeypatch):
    """Four phones poll at once, on four threads with their own connections, on a real database
    file (SQLite) or server (PostgreSQL): every queued reply is handed to exactly one of them."""
    import threading

    from plugins.sms import replies

    for i in range(30):
        client.post(URL, data=sms(message_id=f"poll-{i}", **{"from": f"+99450{1000000 + i}"}))
    queued = {m.external_id for m in outbound(app)}
    assert len(queued) == 30

    opted_out = replies.opted_out

    def slow_opted_out(sender_hash):  # widen the window between reading the queue and committing
        import time

        time.sleep(0.01)
        return opted_out(sender_hash)

    monkeypatch.setattr(replies, "opted_out", slow_opted_out)
    start = threading.Barrier(4)
    handed: list[str] = []
    errors: list[BaseException] = []

    def poll():
        phone = app.test_client()
        try:
            start.wait()
            for _ in range(3):
                answer = phone.get(f"{URL}?task=send&secret={SECRET}")
                assert answer.status_code == 200, answer.data
                handed.extend(m["uuid"] for m in answer.json["payload"]["messages"])
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=poll) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(handed) == len(set(handed)), "a reply was handed to two phones"
    assert set(handed) == queued  # and none was lost
