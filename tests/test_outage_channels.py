"""Channel webhooks during a database outage: a gateway hears "received" only once the message is
durably kept (database or spool), and otherwise gets the answer that makes it send again
(docs/operations.md lists each gateway's retry behaviour). ``sesim spool replay`` stores each
spooled message once; a redelivery afterwards is recognised as a repeat."""

import json
import re
import urllib.parse

import pytest
from twilio.request_validator import RequestValidator

from core.models import Message
from plugins.facebook.signature import sign
from tests.mail_servers import INBOUND_SECRET, plain_mail
from tests.outage import replay, spool_files

PUBLIC = "https://sesim.example.org"
PHONE = "+994551234567"
TWILIO_TOKEN, AGG, GEN, SMSSYNC = "twilio-auth-token", "agg-token-01234", "gen-token-01234", "s3cret"
FB_SECRET, PAGE = "3f1b7c9e2d4a6b8c0e1f2a3b4c5d6e7f", "108234567890123"
TEXT = "Xətai rayonunda bir kişi hər gün məni izləyir"


@pytest.fixture
def app_config():
    return {
        "SESIM_PLUGINS": "sms,email,facebook",
        "SESIM_PUBLIC_URL": PUBLIC,
        "SESIM_SMS_GATEWAYS": "smssync,twilio,aggregator,generic",
        "SESIM_SMS_SMSSYNC_SECRET": SMSSYNC,
        "SESIM_SMS_TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "SESIM_SMS_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "SESIM_SMS_AGGREGATOR_TOKEN": AGG,
        "SESIM_SMS_GENERIC_TOKEN": GEN,
        "SESIM_SMS_GENERIC_FIELDS": "from=msisdn, text=body, id=msg_id, date=ts",
        "SESIM_SMS_AUTO_REPLY": False,
        "SESIM_EMAIL_INBOUND_SECRET": INBOUND_SECRET,
        "SESIM_EMAIL_AUTO_REPLY": False,
        "SESIM_FACEBOOK_PAGE_ID": PAGE,
        "SESIM_FACEBOOK_APP_SECRET": FB_SECRET,
        "SESIM_FACEBOOK_PAGE_ACCESS_TOKEN": "EAAG-token",
    }


def smssync(client):
    return client.post("/channels/sms/smssync", data={
        "from": PHONE, "message": TEXT, "message_id": "6f1c3a52", "secret": SMSSYNC,
        "sent_timestamp": "1714560000000"})


def twilio(client):
    form = {"MessageSid": "SM0a1b2c3d", "From": PHONE, "To": "+15005550006", "Body": TEXT,
            "NumSegments": "1"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(
        f"{PUBLIC}/channels/sms/twilio", form)
    return client.post("/channels/sms/twilio", data=form, headers={"X-Twilio-Signature": signature})


def aggregator(client):
    return client.post(f"/channels/sms/aggregator/{AGG}", data={
        "from": PHONE, "to": "4040", "text": TEXT, "date": "2024-05-01 10:40:00", "id": "ATXid_5f2"})


def generic(client):
    return client.post(f"/channels/sms/generic/{GEN}", json={
        "msisdn": PHONE, "body": TEXT, "msg_id": 991, "ts": 1714560000})


def email(client):
    return client.post("/channels/email/inbound", data=plain_mail(TEXT),
                       content_type="message/rfc822", headers={"X-Sesim-Secret": INBOUND_SECRET})


def facebook(client):
    body = json.dumps({"object": "page", "entry": [{"id": PAGE, "time": 1715587965123, "messaging": [
        {"sender": {"id": "6917425893012345"}, "recipient": {"id": PAGE},
         "timestamp": 1715587964961, "message": {"mid": "m_AG5Hz2Uq7tuwNE", "text": TEXT}}]}]})
    return client.post("/channels/facebook/webhook", data=body, content_type="application/json",
                       headers={"X-Hub-Signature-256": sign(body.encode(), FB_SECRET)})


def smssync_ok(response):
    return response.status_code == 200 and response.json["payload"]["success"] is True


def smssync_retry(response):  # SMSSync keeps an SMS whose sync failed and sends it again
    return response.json["payload"]["success"] is False and response.status_code == 503


def http_retry(response):  # a 5xx with Retry-After: what these gateways retry
    return response.status_code == 503 and response.headers.get("Retry-After")


GATEWAYS = {  # name: (send, accepted, asked to retry, channel, external id)
    "smssync": (smssync, smssync_ok, smssync_retry, "sms", "smssync:6f1c3a52"),
    "twilio": (twilio, lambda r: r.status_code == 200 and r.mimetype == "application/xml",
               http_retry, "sms", "twilio:SM0a1b2c3d"),
    "aggregator": (aggregator, lambda r: r.status_code == 200, http_retry, "sms",
                   "aggregator:ATXid_5f2"),
    "generic": (generic, lambda r: r.status_code == 200, http_retry, "sms", "generic:991"),
    "email": (email, lambda r: r.status_code == 200, http_retry, "email", "<m1@example.org>"),
    "facebook": (facebook, lambda r: r.status_code == 200, http_retry, "facebook", None),
}


def stored(app, channel):
    with app.app_context():
        return Message.query.filter_by(channel=channel, direction="in").all()


@pytest.mark.parametrize("gateway", GATEWAYS)
@pytest.mark.parametrize("kind", ["read-only", "unreachable"])
def test_a_message_during_an_outage_is_acknowledged_only_once_spooled(app, outage, gateway, kind):
    send, accepted, _retry, channel, external_id = GATEWAYS[gateway]
    broken = outage(kind)
    first = send(broken.test_client())
    assert accepted(first), first.get_data(as_text=True)
    again = send(broken.test_client())  # the gateway was not sure and sent it again
    assert accepted(again)
    assert len(spool_files(app)) == 1 and stored(app, channel) == []
    with open(spool_files(app)[0], "rb") as fh:
        kept = fh.read()
    assert TEXT.encode() not in kept and PHONE.encode() not in kept  # encrypted

    assert "1 stored" in replay(app).output
    [message] = stored(app, channel)
    assert message.text.startswith(TEXT[:20]) and message.data["spooled"] is True
    if external_id:
        assert message.external_id == external_id
    assert message.data.get("processed") is True  # follow-ups (suggestions, hooks) ran

    late = send(app.test_client())  # a late redelivery once the database is back
    assert accepted(late) and len(stored(app, channel)) == 1


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_when_nothing_can_keep_the_message_the_gateway_is_asked_to_retry(app, outage, gateway,
                                                                         tmp_path):
    send, accepted, retry, channel, _external_id = GATEWAYS[gateway]
    blocker = tmp_path / "full"
    blocker.write_text("")
    broken = outage("read-only", SESIM_SPOOL_DIR=str(blocker / "spool"))
    response = send(broken.test_client())
    assert retry(response) and not accepted(response)
    assert stored(app, channel) == []
    # The gateway sends it again once the database is back: it is stored.
    assert accepted(send(app.test_client())) and len(stored(app, channel)) == 1


@pytest.mark.parametrize("gateway", ["smssync", "twilio"])
def test_an_sms_kept_in_the_spool_gets_her_case_code_once_stored(make_app, app_config, outage,
                                                                 gateway):
    """The gateway's request is long gone when the replay stores the SMS: the case code goes out
    through the queue instead (Twilio by REST, not TwiML), once, and opens her case."""
    import responses

    from core import conversation

    replies_on = {"SESIM_SMS_AUTO_REPLY": True, "SESIM_SMS_TWILIO_NUMBER": "+15005550006"}
    send, accepted, *_ = GATEWAYS[gateway]
    first = send(outage("unreachable", **replies_on).test_client())
    assert accepted(first)
    assert "case code" not in first.get_data(as_text=True).lower()  # nothing to answer yet
    app = make_app(**{**app_config, **replies_on})  # the database is back (same instance folder, same spool)
    with responses.RequestsMock(assert_all_requests_are_fired=gateway == "twilio") as api:
        api.post(re.compile(r"https://api\.twilio\.com/.*"),
                 json={"sid": "SM" + "1" * 32, "status": "queued"}, status=201)
        assert "1 stored" in replay(app).output
        # Twilio got the code by REST (our copy is then redacted); SMSSync's phone fetches it.
        sent = urllib.parse.unquote_plus(api.calls[0].request.body) if api.calls else ""
    with app.app_context():
        [message] = stored(app, "sms")
        [reply] = Message.query.filter_by(direction="out", in_reply_to_id=message.id).all()
        assert reply.sender == PHONE and (reply.data or {}).get("via") != "twiml"
        code = re.search(r"\d{4}-\d{4}-\d{4}", sent if gateway == "twilio" else reply.text)
        assert message.case_code_hash and code
        assert conversation.find(code.group()) is not None
    assert "1 stored" not in replay(app).output  # replayed once, answered once
    with app.app_context():  # a second replay of the same file, or a crash before "processed"
        from core.extensions import db
        from core.intake import follow_up

        message = db.session.get(Message, message.id)
        kept_hash = message.case_code_hash
        message.data = {**message.data, "processed": False}
        follow_up(message)
        assert Message.query.filter_by(direction="out", in_reply_to_id=message.id).count() == 1
        assert db.session.get(Message, message.id).case_code_hash == kept_hash  # her code still works
