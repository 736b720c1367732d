"""Friendly error pages in the reader's language; never a stack trace."""

from __future__ import annotations

import logging

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from core.privacy import scrub

log = logging.getLogger("sesim.errors")


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/channels/"))


def _messages():
    return {
        400: _("The request could not be understood."),
        403: _("You are not allowed to do that."),
        404: _("This page does not exist, or is not public."),
        405: _("This address does not accept that kind of request."),
        413: _("What you sent is too large: photos may be at most %(size)s MB.", size=_photo_mb()),
        429: _("Too many attempts. Please wait a while and try again."),
        500: _("Something went wrong on our side. Please try again in a few minutes."),
        503: _("Our database is not available right now, so nothing could be saved. Please try "
               "again in a few minutes."),
    }


def _photo_mb() -> str:
    from core.public.photos import limit_mb

    return limit_mb()


def handle_http(error: HTTPException):
    code = error.code or 500
    message = _messages().get(code) or error.description or ""
    if code == 400 and error.description and "CSRF" in error.description:
        message = _("This form expired. Please go back, reload the page and send it again.")
    if _wants_json():
        return jsonify(error=message, status=code), code
    return render_template("error.html", code=code, message=message), code


def bad_request(reason):
    """A 400 that says what was wrong with the input (a filter, a cursor, a page size)."""
    if _wants_json():
        return jsonify(error=str(reason), status=400), 400
    return render_template("error.html", code=400, message=str(reason)), 400


def handle_unexpected(error: Exception):
    log.exception("unhandled error on %s %s", request.method, scrub(request.path))
    try:
        return handle_http(InternalServerError())
    except Exception:  # the error page itself failed: say it plainly
        log.exception("error page failed")
        return "500 Internal Server Error", 500, {"Content-Type": "text/plain; charset=utf-8"}


RETRY_AFTER = "120"  # seconds: what a gateway is told to wait before sending again


def handle_not_kept(error: Exception):
    """The database is down (and, for inbound messages, the spool could not keep it either):
    a truthful 503 that tells a gateway to send again; a page never claims it was kept."""
    from core.spool import forget_session

    forget_session()
    log.error("database unavailable on %s %s: %s", request.method, scrub(request.path),
              type(error).__name__)
    code = 503
    message = _messages()[code]
    headers = {"Retry-After": RETRY_AFTER}
    if _wants_json():
        return jsonify(error=message, status=code), code, headers
    try:
        return render_template("error.html", code=code, message=message), code, headers
    except Exception:  # the page itself needs the database (a plugin's context): say it plainly
        log.exception("error page failed")
        return message, code, {**headers, "Content-Type": "text/plain; charset=utf-8"}


def init_app(app) -> None:
    from core.intake import NotKept
    from core.spool import DATABASE_DOWN

    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
    for kind in (*DATABASE_DOWN, NotKept):
        app.register_error_handler(kind, handle_not_kept)
