"""``POST /channels/email/inbound``: mail pushed by a provider (raw MIME or already parsed fields).

The shared secret ``SESIM_EMAIL_INBOUND_SECRET`` comes in ``X-Sesim-Secret``, as a bearer token,
or as the password of HTTP basic auth (``https://sesim:SECRET@host/channels/email/inbound``, which
most providers accept). Unset secret: every request is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging

from flask import Blueprint, abort, current_app, jsonify, request
from flask_babel import gettext as _

from core.extensions import csrf
from core.intake import Spooled, receive
from plugins.email.mime import from_fields
from plugins.email.parsing import parse

log = logging.getLogger("sesim.email")
bp = Blueprint("email_channel", __name__, url_prefix="/channels/email")
csrf.exempt(bp)

RAW_FIELDS = ("email", "body-mime", "raw", "message")


def _given_secret() -> str:
    if request.headers.get("X-Sesim-Secret"):
        return request.headers["X-Sesim-Secret"]
    auth = request.authorization
    if auth is not None:
        return (auth.token if auth.type == "bearer" else auth.password) or ""
    return ""


def _authorised() -> bool:
    expected = current_app.config["SESIM_EMAIL_INBOUND_SECRET"]
    if not expected:
        return False
    return hmac.compare_digest(_given_secret().encode(), str(expected).encode())


@bp.post("/inbound")
def inbound():
    if not _authorised():
        log.warning("inbound mail webhook: wrong or missing secret")
        abort(403)
    try:
        raw, fallback_id = _raw_mail()
    except ValueError as exc:
        log.warning("inbound mail webhook: unusable request: %s", exc)
        return jsonify(error=_("No mail found in this request."), detail=str(exc)), 400
    try:
        _message, created = receive(parse(raw, fallback_id=fallback_id))
    except Spooled:  # the database is down; the spool keeps it (NotKept would give a 503)
        return jsonify(status="kept"), 200
    return jsonify(status="stored" if created else "duplicate"), 200


def _raw_mail() -> tuple[bytes, str | None]:
    """The mail as bytes, and for parsed fields a stable id in case it has no Message-ID."""
    mimetype = request.mimetype
    if mimetype in ("message/rfc822", "text/plain", "application/octet-stream"):
        raw = request.get_data()
        if not raw.strip():
            raise ValueError("empty body")
        return raw, None
    if mimetype == "application/json":
        try:
            payload = request.get_json(silent=True)
        except RecursionError:  # absurdly deep nesting is not a mail
            payload = None
        if not isinstance(payload, dict):
            raise ValueError("the body is not a JSON object")
        if isinstance(payload.get("raw"), str):
            return payload["raw"].encode("utf-8", "surrogateescape"), None
        attachments = payload.get("attachments") or []
        if not isinstance(attachments, list):
            raise ValueError("'attachments' must be a list")
        files = [_json_attachment(item) for item in attachments]
        return _built(payload, files)
    if mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for name in RAW_FIELDS:
            if request.files.get(name):
                return request.files[name].read(), None
            if request.form.get(name):
                return request.form[name].encode("utf-8", "surrogateescape"), None
        files = [(f.filename or "", f.mimetype or "application/octet-stream", f.read())
                 for f in request.files.values()]
        return _built(request.form.to_dict(), files)
    raise ValueError(f"unsupported content type {mimetype!r}")


def _json_attachment(item) -> tuple[str, str, bytes]:
    if not isinstance(item, dict) or not isinstance(item.get("content"), str):
        raise ValueError("each attachment needs base64 'content'")
    try:
        payload = base64.b64decode(item["content"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("an attachment's content is not valid base64") from exc
    return str(item.get("filename") or ""), str(item.get("content_type") or ""), payload


def _built(fields: dict, files: list) -> tuple[bytes, str]:
    mail = from_fields(fields, files)
    stable = json.dumps({k: fields.get(k) for k in sorted(fields) if k != "attachments"},
                        sort_keys=True, default=str).encode()
    stable += b"".join(hashlib.sha256(f[2]).digest() for f in files)
    return mail, "sha256:" + hashlib.sha256(stable).hexdigest()
