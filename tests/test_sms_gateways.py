"""SMS plugin through Twilio (signed webhooks, TwiML, REST replies replaced with ``responses``),
the Africa's Talking-style aggregator and the generic gateway with deployer-mapped fields."""

import json
from urllib.parse import parse_qs

import pytest
import responses
from twilio.request_validator import RequestValidator

from core.intake import queue_reply
from core.models import Message

SID, TOKEN, NUMBER = "AC" + "0" * 32, "twilio-auth-token", "+15005550006"
PUBLIC = "https://sesim.example.org"
PHONE = "+994551234567"
AGG_TOKEN, GEN_TOKEN = "agg-token-0123456789", "gen-token-0123456789"
TWILIO_API = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"


@pytest.fixture
def app_config():
    return {
        "SESIM_PLUGINS": "sms",
        "SESIM_PUBLIC_URL": PUBLIC,
        "SESIM_SMS_GATEWAYS": "twilio,aggregator,generic",
        "SESIM_SMS_TWILIO_ACCOUNT_SID": SID,
        "SESIM_SMS_TWILIO_AUTH_TOKEN": TOKEN,
        "SESIM_SMS_TWILIO_NUMBER": NUMBER,
        "SESIM_SMS_AGGREGATOR_TOKEN": AGG_TOKEN,
        "SESIM_SMS_GENERIC_TOKEN": GEN_TOKEN,
        "SESIM_SMS_GENERIC_FIELDS": "from=msisdn, text=body, id=msg_id, date=ts",
        "SESIM_SMS_AUTO_REPLY": True,
    }


def messages(app, direction):
    with app.app_context():
        return Message.query.filter_by(direction=direction).order_by(Message.id).all()


# ------------------------------------------------------------------ Twilio

def twilio_form(**overrides):
    form = {
        "ToCountry": "AZ", "ToState": "", "SmsMessageSid": "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "NumMedia": "0", "ToCity": "", "FromZip": "", "SmsSid": "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "FromState": "", "SmsStatus": "received", "FromCity": "", "Body": "Меня трогал начальник на работе",
        "FromCountry": "AZ", "To": NUMBER, "ToZip": "", "NumSegments": "1",
        "MessageSid": "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9", "AccountSid": SID, "From": PHONE,
        "ApiVersion": "2010-04-01",
    }
    form.update(overrides)
    return form


def post_twilio(client, form, token=TOKEN, url=f"{PUBLIC}/channels/sms/twilio"):
    signature = RequestValidator(token).compute_signature(url, form)
    # The app sits behind a proxy: it sees http://localhost, Twilio signed the public URL.
    return client.post("/channels/sms/twilio", data=form, headers={"X-Twilio-Signature": signature})


def test_twilio_sms_is_stored_and_answered_in_twiml(app, client):
    response = post_twilio(client, twilio_form())
    assert response.status_code == 200 and response.mimetype == "application/xml"
    body = response.get_data(as_text=True)
    assert "<Response><Message>" in body and "Код обращения" in body

    [message] = messages(app, "in")
    assert message.sender == PHONE and message.language == "ru"
    assert message.external_id == "twilio:SM0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    assert set(message.data["suggestions"]["categories"]) >= {"workplace", "physical"}
    assert "FromCity" not in json.dumps(message.data)
    [reply] = messages(app, "out")
    assert reply.status == "sent" and reply.data["via"] == "twiml"
    assert "XXXX-XXXX-XXXX" in reply.text  # the code went out in the TwiML only


def test_twilio_repeated_delivery_is_stored_once(app, client):
    assert post_twilio(client, twilio_form()).status_code == 200
    again = post_twilio(client, twilio_form())
    assert again.status_code == 200 and "<Message>" not in again.get_data(as_text=True)
    assert len(messages(app, "in")) == 1 and len(messages(app, "out")) == 1


@pytest.mark.parametrize(
    "sign",
    [
        {"token": "a-wrong-token"},
        {"url": "http://localhost/channels/sms/twilio"},  # the proxy's URL, not the public one
    ],
)
def test_twilio_bad_signature_is_403_and_nothing_stored(app, client, sign):
    response = post_twilio(client, twilio_form(), **sign)
    assert response.status_code == 403
    assert messages(app, "in") == []


def test_twilio_without_signature_or_token_is_refused(app, client, make_app):
    assert client.post("/channels/sms/twilio", data=twilio_form()).status_code == 403
    unset = make_app(SESIM_PLUGINS="sms", SESIM_SMS_GATEWAYS="twilio", SESIM_PUBLIC_URL=PUBLIC)
    assert post_twilio(unset.test_client(), twilio_form(), token="").status_code == 403
    assert messages(app, "in") == []


def test_twilio_signature_without_public_url_uses_the_request_url(make_app):
    app = make_app(SESIM_PLUGINS="sms", SESIM_SMS_GATEWAYS="twilio",
                   SESIM_SMS_TWILIO_AUTH_TOKEN=TOKEN)
    response = post_twilio(app.test_client(), twilio_form(),
                           url="http://localhost/channels/sms/twilio")
    assert response.status_code == 200
    assert len(messages(app, "in")) == 1


def test_twilio_missing_fields_is_400(app, client):
    form = twilio_form()
    del form["Body"]
    assert post_twilio(client, form).status_code == 400
    assert messages(app, "in") == []


# ------------------------------------------------------------------ outbound through Twilio REST

def twilio_api(status=201, body=None):
    mock = responses.RequestsMock()
    mock.add(responses.POST, TWILIO_API, status=status,
             json=body or {"sid": "SMfeedface", "status": "queued", "to": PHONE, "from": NUMBER})
    return mock


def test_a_moderator_reply_to_a_twilio_sms_goes_out_through_the_rest_api(app, client):
    post_twilio(client, twilio_form(Body="Salam"))
    with twilio_api() as api, app.app_context():
        original = Message.query.filter_by(direction="in").one()
        reply = queue_reply(original, "Hüquqşünas sizinlə əlaqə saxlayacaq.")
        assert reply.status == "sent" and reply.data["provider_id"] == "SMfeedface"
        sent = parse_qs(api.calls[0].request.body)
        assert sent == {"To": [PHONE], "From": [NUMBER], "Body": ["Hüquqşünas sizinlə əlaqə saxlayacaq."]}


def test_twilio_refusing_a_reply_marks_it_failed_with_the_reason(app, client):
    post_twilio(client, twilio_form(Body="Salam"))
    error = {"code": 21211, "message": "The 'To' number is not a valid phone number.",
             "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}
    with twilio_api(400, error), app.app_context():
        original = Message.query.filter_by(direction="in").one()
        reply = queue_reply(original, "Hello")
        assert reply.status == "failed" and "not a valid phone number" in reply.error


def test_aggregator_sms_is_answered_through_twilio_rest(app, client):
    with twilio_api() as api:
        response = client.post(f"/channels/sms/aggregator/{AGG_TOKEN}", data=aggregator_form())
        assert response.status_code == 200
        body = parse_qs(api.calls[0].request.body)["Body"][0]
    [reply] = messages(app, "out")
    assert reply.status == "sent" and reply.data["gateway"] == "twilio"
    assert "XXXX-XXXX-XXXX" in reply.text
    assert "Müraciət kodu" in body and "XXXX" not in body  # she gets the real code


# ------------------------------------------------------------------ Africa's Talking-style aggregator

def aggregator_form(**overrides):
    form = {"from": PHONE, "to": "8080", "text": "Sabirabadda qonşu mənə söyüş söydü",
            "date": "2024-05-01 10:40:00", "id": "ATXid_5f2a9c1e0b", "linkId": "SampleLinkId123",
            "networkCode": "40001"}
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def test_aggregator_sms_is_stored_once(app, client):
    with twilio_api():
        for _ in range(2):
            response = client.post(f"/channels/sms/aggregator/{AGG_TOKEN}", data=aggregator_form())
            assert response.status_code == 200 and response.json["status"] == "ok"
    [message] = messages(app, "in")
    assert message.external_id == "aggregator:ATXid_5f2a9c1e0b"
    assert message.received_at.isoformat() == "2024-05-01T10:40:00"
    assert message.data["suggestions"]["places"] == ["sabirabad-town"]
    assert message.data["suggestions"]["categories"] == ["verbal"]
    assert "unknown_fields" not in message.data


@pytest.mark.parametrize(
    ("path", "form", "status"),
    [
        ("/channels/sms/aggregator/wrong-token", aggregator_form(), 403),
        ("/channels/sms/aggregator/", aggregator_form(), 404),
        (f"/channels/sms/aggregator/{AGG_TOKEN}", aggregator_form(text=None), 400),
        (f"/channels/sms/aggregator/{AGG_TOKEN}", aggregator_form(**{"from": None}), 400),
        (f"/channels/sms/aggregator/{AGG_TOKEN}", aggregator_form(**{"from": "9" * 100}), 400),
        ("/channels/sms/generic/wrong-token", {"msisdn": PHONE, "body": "x"}, 403),
        (f"/channels/sms/generic/{GEN_TOKEN}", {"from": PHONE, "text": "x"}, 400),  # unmapped names
    ],
)
def test_unsigned_gateways_refuse_clearly_and_store_nothing(app, client, path, form, status):
    response = client.post(path, data=form)
    assert response.status_code == status and response.is_json
    assert messages(app, "in") == []


def test_unsigned_gateways_not_enabled_answer_404(make_app):
    app = make_app(SESIM_PLUGINS="sms", SESIM_SMS_GATEWAYS="twilio",
                   SESIM_SMS_AGGREGATOR_TOKEN=AGG_TOKEN, SESIM_SMS_GENERIC_TOKEN=GEN_TOKEN)
    client = app.test_client()
    assert client.post(f"/channels/sms/aggregator/{AGG_TOKEN}", data=aggregator_form()).status_code == 404
    assert client.post(f"/channels/sms/generic/{GEN_TOKEN}", data={"msisdn": PHONE}).status_code == 404


def test_aggregator_bad_date_and_unknown_fields_are_kept_with_notes(app, client):
    with twilio_api():
        client.post(f"/channels/sms/aggregator/{AGG_TOKEN}",
                    data=aggregator_form(date="31/02/2024 25:61", color="red"))
    [message] = messages(app, "in")
    assert message.data["problems"] == ["bad-timestamp"]
    assert message.data["unknown_fields"] == ["color"]


# ------------------------------------------------------------------ generic gateway

def test_generic_gateway_reads_the_deployers_field_names_from_json(app, client):
    payload = {"msisdn": PHONE, "body": "Masallıda avtobusda mənə toxundular", "msg_id": 991,
               "ts": 1714560000, "operator": "Azercell"}
    with twilio_api():
        response = client.post(f"/channels/sms/generic/{GEN_TOKEN}", json=payload)
    assert response.status_code == 200
    [message] = messages(app, "in")
    assert message.external_id == "generic:991" and message.sender == PHONE
    assert message.data["suggestions"]["places"] == ["masalli-town"]
    assert message.data["unknown_fields"] == ["operator"]


def test_generic_gateway_without_ids_is_still_idempotent(app, client):
    form = {"msisdn": PHONE, "body": "Lahıcda izləyirlər", "ts": "2024-05-01T10:40:00+04:00"}
    with twilio_api():
        for _ in range(2):
            assert client.post(f"/channels/sms/generic/{GEN_TOKEN}", data=form).status_code == 200
    [message] = messages(app, "in")
    assert message.external_id.startswith("generic:derived-") and PHONE not in message.external_id
    assert message.received_at.isoformat() == "2024-05-01T06:40:00"


def test_generic_gateway_decodes_the_operators_encoding(make_app):
    app = make_app(SESIM_PLUGINS="sms", SESIM_SMS_GATEWAYS="generic", SESIM_SMS_GENERIC_TOKEN=GEN_TOKEN,
                   SESIM_SMS_GENERIC_ENCODING="cp1251")
    body = "from=%2B994551234567&text=" + "".join(f"%{b:02X}" for b in "Помогите".encode("cp1251"))
    response = app.test_client().post(f"/channels/sms/generic/{GEN_TOKEN}", data=body,
                                      content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    [message] = messages(app, "in")
    assert message.text == "Помогите" and "decoded-as:cp1251" in message.data["problems"]


def test_replies_need_a_gateway_that_can_send(make_app):
    app = make_app(SESIM_PLUGINS="sms", SESIM_SMS_GATEWAYS="aggregator", SESIM_SMS_AUTO_REPLY=True,
                   SESIM_SMS_AGGREGATOR_TOKEN=AGG_TOKEN)
    assert app.test_client().post(f"/channels/sms/aggregator/{AGG_TOKEN}",
                                  data=aggregator_form()).status_code == 200
    [reply] = messages(app, "out")
    assert reply.status == "failed" and "no SMS gateway" in reply.error
    assert len(messages(app, "in")) == 1


def test_absurdly_deep_json_is_a_clear_refusal_not_a_500(client):
    body = '{"a":' * 5000 + "1" + "}" * 5000
    for path in ("/channels/sms/smssync",):
        response = client.post(path, data=body, content_type="application/json")
        assert response.status_code in (400, 403, 404)
