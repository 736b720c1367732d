"""``GET|POST /channels/facebook/webhook``: Facebook's verification handshake and its deliveries
of Messenger messages and page feed changes."""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, abort, current_app, jsonify, request

from core import jsonbody
from core.extensions import csrf
from core.intake import Spooled, receive
from plugins.facebook.events import from_webhook
from plugins.facebook.signature import valid_signature

log = logging.getLogger("sesim.facebook")

bp = Blueprint("facebook", __name__, url_prefix="/channels/facebook", template_folder="templates")
csrf.exempt(bp)  # Facebook cannot send a CSRF token; the signature below authenticates instead


def _setting(name: str) -> str:
    return str(current_app.config.get(f"SESIM_FACEBOOK_{name}") or "").strip()


@bp.get("/webhook")
def verify():
    """Answer the subscription handshake with ``hub.challenge`` when ``hub.verify_token`` matches."""
    expected = _setting("VERIFY_TOKEN")
    given = request.args.get("hub.verify_token", "")
    challenge = request.args.get("hub.challenge", "")
    if (
        request.args.get("hub.mode") != "subscribe"
        or not expected
        or not given
        or not hmac.compare_digest(expected.encode(), given.encode())
    ):
        abort(403)
    if not challenge or len(challenge) > 256:
        abort(400)
    return Response(challenge, mimetype="text/plain")


@bp.post("/webhook")
def deliver():
    """Check the signature on the raw bytes, then store every message (repeats are idempotent)."""
    body = request.get_data(cache=True)
    if not valid_signature(body, request.headers.get("X-Hub-Signature-256"), _setting("APP_SECRET")):
        log.warning("facebook webhook rejected: missing or wrong signature")
        abort(403)
    try:
        payload = jsonbody.loads(body)  # validly signed but absurdly nested: a 400, not a 500
    except ValueError:  # UnicodeDecodeError is one too
        abort(400)
    if not isinstance(payload, dict) or not isinstance(payload.get("entry", []), list):
        abort(400)
    if payload.get("object") != "page":
        return jsonify(new=0, duplicates=0)  # e.g. an Instagram subscription on the same app
    new = duplicates = kept = 0
    for inbound in from_webhook(payload, _setting("PAGE_ID")):
        try:
            _message, created = receive(inbound)
        except Spooled:  # the database is down; the spool keeps it until it is back
            kept += 1
            continue
        new, duplicates = new + created, duplicates + (not created)
    # NotKept propagates: a 503, and Facebook delivers the batch again (repeats are recognised).
    return jsonify(new=new, duplicates=duplicates, **({"kept": kept} if kept else {}))
