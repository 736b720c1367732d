"""Photos and files that came with a report or message, for staff only. They are served as
downloads (never rendered as pages), and every opening is in the audit log."""

from __future__ import annotations

import io

from flask import abort, send_file
from flask_login import current_user

from core import storage
from core.admin import bp
from core.admin.access import EDITORS, STAFF, can_see, refuse, roles
from core.admin.audit import record
from core.extensions import db
from core.models import Attachment


def _report_of(attachment: Attachment):
    return attachment.report or (attachment.message.report if attachment.message else None)


@bp.route("/files/<public_id>")
@roles(*STAFF)
def attachment_file(public_id):
    attachment = Attachment.query.filter_by(public_id=public_id).first()
    if attachment is None:
        abort(404)
    report = _report_of(attachment)
    allowed = can_see(current_user, report) if report else current_user.role in EDITORS
    if not allowed:
        refuse("attachment", report)
    record("attachment.opened", report or attachment.message, note=attachment.public_id)
    db.session.commit()
    photo = attachment.kind == "photo"
    data = storage.read(attachment.stored_name)
    if data is None:
        abort(404)
    response = send_file(
        io.BytesIO(data), mimetype=attachment.content_type if photo else
        "application/octet-stream", as_attachment=not photo,
        download_name=f"{attachment.public_id}.{'jpg' if photo else 'bin'}", max_age=0,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response.headers["Cache-Control"] = "no-store"
    return response
