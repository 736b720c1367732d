"""SMSSync, the Android phone that works as an SMS gateway (as in Ushahidi).

Protocol (SMSSync developer documentation):
- ``POST`` fields ``from, message, message_id, sent_to, secret, device_id, sent_timestamp`` → an
  inbound SMS; answer ``{"payload": {"success": true, "error": null}}``.
- ``GET ?task=send`` → the replies waiting for the phone, ``{"payload": {"task": "send",
  "secret": ..., "messages": [{"to", "message", "uuid"}]}}``.
- ``POST ?task=sent`` with ``{"queued_messages": [uuid, ...]}`` → the phone has them; answer
  ``{"message_uuids": [...]}`` with the ones we accept (these count as sent).
- ``GET ?task=result`` → ``{"message_uuids": [...]}`` awaiting a delivery report;
  ``POST ?task=result`` with ``{"message_result": [{"uuid", "sent_result_code", ...}]}``.
Every request carries the shared secret (form field or query string).
"""

from __future__ import annotations

from datetime import timedelta

from flask import jsonify, request

from core import health
from core.extensions import db
from core.intake import NotKept
from core.models import Message
from core.models.base import utcnow
from plugins.sms import flow, replies
from plugins.sms.outbound import gateway_for
from plugins.sms.payloads import BadPayload, parse_timestamp, read_fields, read_json
from plugins.sms.settings import setting
from plugins.sms.views import bp, require_gateway, same_secret

FIELDS = {"from", "message", "message_id", "sent_to", "secret", "device_id", "sent_timestamp", "task"}
BATCH = 20  # replies handed to the phone per request
REOFFER_AFTER = timedelta(minutes=15)
MAX_OFFERS = 3
RESULT_WINDOW = timedelta(days=7)


def _answer(success: bool, error: str | None = None, status: int = 200, **payload):
    return jsonify(payload={"success": success, "error": error, **payload}), status


@bp.route("/smssync", methods=["GET", "POST"])
def smssync():
    require_gateway("smssync")
    try:
        fields = read_fields(request)
    except BadPayload as exc:
        return _answer(False, str(exc), 400)
    if not same_secret(fields.get("secret") or request.args.get("secret"), setting("SMSSYNC_SECRET")):
        health.failed("sms", "a request to the SMSSync URL had the wrong secret", "smssync", count=False)
        return _answer(False, "The secret does not match the one set on the server.", 403)
    health.ok("sms", "smssync")  # a phone checked in
    device = (fields.get("device_id") or request.args.get("device_id") or "").strip()[:64]
    if device:
        health.ok("sms", health.gateway_of({"gateway": "smssync", "device_id": device}))
    task = request.args.get("task", "")
    if request.method == "GET":
        if task == "send":
            return _offer()
        if task == "result":
            return _awaiting_results()
        return _answer(False, "Unknown task; SMSSync asks for ?task=send or ?task=result.", 400)
    if task == "sent":
        return _confirm(read_json(request).get("queued_messages"))
    if task == "result":
        return _record_results(read_json(request).get("message_result"))
    return _inbound(fields)


def _inbound(fields):
    missing = [name for name in ("from", "message") if name not in fields.values]
    if missing:
        return _answer(False, f"Missing fields: {', '.join(missing)}.", 400)
    sender = fields.get("from").strip()
    if not sender or len(sender) > flow.MAX_SENDER:
        return _answer(False, "The from field must be a phone number.", 400)
    problems = list(fields.problems)
    sent_at = parse_timestamp(fields.get("sent_timestamp"), problems)
    external_id = fields.get("message_id").strip()[:200]
    if not external_id:
        problems.append("no-message-id")
        external_id = flow.derived_id(sender, fields.get("sent_timestamp"), fields.get("message"))
    extras = {}
    unknown = sorted(set(fields.values) - FIELDS)
    if unknown:
        extras["unknown_fields"] = [name[:40] for name in unknown[:20]]
    if fields.get("device_id"):
        extras["device_id"] = fields.get("device_id")[:64]
    try:
        flow.accept("smssync", external_id, sender, fields.get("message"), sent_at, problems, extras)
    except NotKept:
        # success=false: SMSSync keeps the SMS in its pending list and sends it again later.
        return _answer(False, "The server could not store this message now; send it again later.",
                       503)
    return _answer(True)


def _lock_handout() -> None:
    """SQLite has no row locks (``FOR UPDATE`` is ignored): take its one write lock before reading
    the queue, so a second phone polling at the same moment waits for this hand-out to commit and
    then sees these replies as offered. PostgreSQL locks the rows it reads instead (below)."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _waiting() -> list[Message]:
    """Queued SMS replies that the phone should carry, oldest first, locked until the commit."""
    _lock_handout()
    rows = (Message.query.filter_by(channel="sms", direction="out", status="queued")
            .order_by(Message.id).limit(500)
            .with_for_update(skip_locked=True))  # two phones polling at once never share a reply
    return [m for m in rows if gateway_for(m) == "smssync"]


def _offer():
    now, confirm = utcnow(), bool(setting("SMSSYNC_CONFIRM"))
    offered = []
    for message in _waiting():
        state = dict((message.data or {}).get("smssync") or {})
        if confirm and state.get("offered_at"):
            if now - _when(state["offered_at"]) < REOFFER_AFTER:
                continue
            if state.get("offers", 0) >= MAX_OFFERS:
                message.status, message.error = "failed", "the SMSSync phone never confirmed it"
                continue
        if replies.opted_out(message.sender_hash):
            message.status, message.error = "failed", "not sent: the recipient sent STOP"
            continue
        offered.append({"to": message.sender, "message": message.text, "uuid": message.external_id})
        state = {"offered_at": now.isoformat(), "offers": state.get("offers", 0) + 1}
        message.data = {**(message.data or {}), "gateway": "smssync", "smssync": state}
        if not confirm:
            _mark_sent(message)
        if len(offered) >= BATCH:
            break
    db.session.commit()
    return jsonify(payload={"task": "send", "secret": setting("SMSSYNC_SECRET"), "messages": offered})


def _when(value: str):
    from datetime import datetime

    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return utcnow() - REOFFER_AFTER


def _mark_sent(message: Message) -> None:
    message.status, message.error = "sent", None
    message.text = replies.redact(message.text)


def _by_uuid(uuids) -> list[Message]:
    if not isinstance(uuids, list):
        return []
    wanted = [str(u)[:255] for u in uuids[:500] if isinstance(u, str | int)]
    if not wanted:
        return []
    return Message.query.filter(Message.channel == "sms", Message.direction == "out",
                                Message.external_id.in_(wanted)).all()


def _confirm(uuids):
    accepted = []
    for message in _by_uuid(uuids):
        if message.status == "queued":
            _mark_sent(message)
            message.data = {**(message.data or {}), "smssync_confirmed": True}
        if message.status == "sent":
            accepted.append(message.external_id)
    db.session.commit()
    return jsonify(message_uuids=accepted)


def _awaiting_results():
    since = utcnow() - RESULT_WINDOW
    rows = (Message.query.filter(Message.channel == "sms", Message.direction == "out",
                                 Message.status == "sent", Message.received_at >= since)
            .order_by(Message.id).limit(500))
    uuids = [m.external_id for m in rows
             if (m.data or {}).get("gateway") == "smssync" and "delivered" not in (m.data or {})]
    return jsonify(message_uuids=uuids)


def _record_results(results):
    if not isinstance(results, list):
        return _answer(False, "message_result must be a list.", 400)
    reports = {str(r.get("uuid")): r for r in results[:500] if isinstance(r, dict)}
    for message in _by_uuid(list(reports)):
        report = reports[message.external_id]
        data = dict(message.data or {})
        if str(report.get("sent_result_code", "0")) not in ("0", ""):
            message.status = "failed"
            message.error = f"SMSSync: {str(report.get('sent_result_message') or 'not sent')[:200]}"
            data["delivered"] = False
        else:
            data["delivered"] = str(report.get("delivered_result_code")) == "0"
        message.data = data
    db.session.commit()
    return _answer(True)
