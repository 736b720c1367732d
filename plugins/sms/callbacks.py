"""Unsigned gateways, protected by a secret token in the URL: an Africa's Talking-style
aggregator (``from, to, text, date, id``) and a generic gateway whose field names the deployer
maps in ``SESIM_SMS_GENERIC_FIELDS`` (as FrontlineSMS lets operators do)."""

from __future__ import annotations

from flask import jsonify, request

from plugins.sms import flow
from plugins.sms.payloads import BadPayload, parse_timestamp, read_fields
from plugins.sms.settings import generic_fields, setting
from plugins.sms.views import bp, refuse, require_gateway, same_secret

AGGREGATOR_FIELDS = {"from": "from", "text": "text", "id": "id", "date": "date", "to": "to"}
AGGREGATOR_EXTRAS = {"linkId", "networkCode", "cost"}


def _accept(gateway: str, mapping: dict[str, str], known: set[str], fallback_encoding: str = ""):
    try:
        fields = read_fields(request, fallback_encoding)
    except BadPayload as exc:
        return refuse(400, str(exc))
    missing = [mapping[key] for key in ("from", "text") if mapping[key] not in fields.body]
    if missing:
        return refuse(400, f"missing fields: {', '.join(missing)}")
    sender = fields.body[mapping["from"]].strip()
    if not sender or len(sender) > flow.MAX_SENDER:
        return refuse(400, f"{mapping['from']} must be a phone number")
    problems = list(fields.problems)
    date = fields.body.get(mapping["date"], "")
    sent_at = parse_timestamp(date, problems)
    text = fields.body[mapping["text"]]
    external_id = fields.body.get(mapping["id"], "").strip()[:200]
    if not external_id:
        problems.append("no-message-id")
        external_id = flow.derived_id(sender, date, text)
    extras = {}
    unknown = sorted(set(fields.body) - set(mapping.values()) - known)
    if unknown:
        extras["unknown_fields"] = [name[:40] for name in unknown[:20]]
    outcome = flow.accept(gateway, external_id, sender, text, sent_at, problems, extras)
    # A 2xx only once the SMS is in the database or the spool; otherwise NotKept becomes a 503
    # with Retry-After (core.errors), which these gateways retry.
    return jsonify(status="kept" if outcome.spooled else "ok", duplicate=not outcome.created)


@bp.route("/aggregator/<token>", methods=["POST"])
def aggregator(token):
    require_gateway("aggregator")
    if not same_secret(token, setting("AGGREGATOR_TOKEN")):
        return refuse(403, "unknown token")
    return _accept("aggregator", AGGREGATOR_FIELDS, AGGREGATOR_EXTRAS)


@bp.route("/generic/<token>", methods=["POST"])
def generic(token):
    require_gateway("generic")
    if not same_secret(token, setting("GENERIC_TOKEN")):
        return refuse(403, "unknown token")
    return _accept("generic", generic_fields(), set(), setting("GENERIC_ENCODING"))
