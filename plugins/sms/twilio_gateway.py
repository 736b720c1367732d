"""Twilio's inbound webhook: a signed form post, answered with TwiML."""

from __future__ import annotations

from flask import Response, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from core.extensions import db
from plugins.sms import flow, replies
from plugins.sms.payloads import BadPayload, read_fields
from plugins.sms.settings import setting
from plugins.sms.views import bp, refuse, require_gateway


def public_url() -> str:
    """The URL Twilio signed: behind a proxy the app sees another host, so the deployer's
    ``SESIM_PUBLIC_URL`` (plus the path and query) is what the signature covers."""
    base = (current_app.config.get("SESIM_PUBLIC_URL") or "").rstrip("/")
    if not base:
        return request.url
    query = request.query_string.decode("latin-1")
    return f"{base}{request.path}" + (f"?{query}" if query else "")


def _twiml(text: str | None = None) -> Response:
    answer = MessagingResponse()
    if text:
        answer.message(text)
    return Response(str(answer), mimetype="application/xml")


@bp.route("/twilio", methods=["POST"])
def twilio_inbound():
    require_gateway("twilio")
    try:
        fields = read_fields(request)
    except BadPayload as exc:
        return refuse(400, str(exc))
    token = setting("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature or not RequestValidator(token).validate(public_url(), fields.body,
                                                                          signature):
        return refuse(403, "X-Twilio-Signature does not match")
    missing = [name for name in ("MessageSid", "From", "Body") if name not in fields.values]
    if missing:
        return refuse(400, f"missing fields: {', '.join(missing)}")
    outcome = flow.accept(
        "twilio", fields.get("MessageSid"), fields.get("From"), fields.get("Body"), None,
        fields.problems, {"segments": fields.get("NumSegments") or None},
    )
    reply = outcome.reply
    if reply is None or reply.status != "sent" or (reply.data or {}).get("via") != "twiml":
        return _twiml()
    answer = _twiml(reply.text)
    reply.text = replies.redact(reply.text)
    db.session.commit()
    return answer
