"""``ChannelInfo.send`` for SMS: Twilio's REST API now, or SMSSync's phone when it next asks."""

from __future__ import annotations

from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from core.channels import Delivery
from core.models import Message
from plugins.sms import replies
from plugins.sms.settings import SENDING_GATEWAYS, enabled_gateways, setting


class SendError(RuntimeError):
    """Why a reply cannot go out; becomes ``Delivery.failed`` and is stored for staff."""


def gateway_for(message: Message) -> str | None:
    """The gateway that carries ``message``: the one she wrote through when it can send, else
    ``SESIM_SMS_OUTBOUND_GATEWAY``, else the first enabled of Twilio and SMSSync."""
    usable = [g for g in SENDING_GATEWAYS if g in enabled_gateways()]
    wanted = (message.data or {}).get("gateway")
    if not wanted and message.in_reply_to is not None:
        wanted = (message.in_reply_to.data or {}).get("gateway")
    if wanted in usable:
        return wanted
    if setting("OUTBOUND_GATEWAY") in usable:
        return setting("OUTBOUND_GATEWAY")
    return usable[0] if usable else None


def send(message: Message) -> Delivery:
    try:
        return _send(message)
    except SendError as exc:
        return Delivery.failed(str(exc))


def _send(message: Message) -> Delivery:
    if message.direction != "out" or not message.sender:
        raise SendError("an SMS reply needs a recipient")
    if replies.opted_out(message.sender_hash):
        raise SendError("not sent: the recipient asked for no more SMS (STOP)")
    data = dict(message.data or {})
    if data.get("via") == "twiml":
        return Delivery.sent()  # travels in the answer to Twilio's webhook
    gateway = gateway_for(message)
    if gateway == "smssync":
        return Delivery.deferred("waits for the SMSSync phone to ask (?task=send)")
    if gateway == "twilio":
        sid = _twilio_send(message)
        message.data = {**data, "gateway": "twilio", "provider_id": sid}
        message.text = replies.redact(message.text)
        return Delivery.sent()
    raise SendError("no SMS gateway that can send is enabled (twilio or smssync)")


def _twilio_send(message: Message) -> str:
    account, token, number = (setting("TWILIO_ACCOUNT_SID"), setting("TWILIO_AUTH_TOKEN"),
                              setting("TWILIO_NUMBER"))
    if not (account and token and number):
        raise SendError("Twilio is not configured: set SESIM_SMS_TWILIO_ACCOUNT_SID, "
                        "SESIM_SMS_TWILIO_AUTH_TOKEN and SESIM_SMS_TWILIO_NUMBER")
    try:
        sent = Client(account, token).messages.create(to=message.sender, from_=number,
                                                      body=message.text)
    except TwilioException as exc:
        raise SendError(f"Twilio refused the SMS: {getattr(exc, 'msg', exc)}") from exc
    return sent.sid
