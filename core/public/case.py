"""``/case``: she follows up with her case code (as on SecureDrop's and GlobaLeaks' receipt pages).

The code only travels in a POST body. A right code opens her case for ``SESIM_CASE_MINUTES``: the
(encrypted) session holds which case and until when, never the code. She reads the staff's
messages, answers (stored through ``core.intake`` like every inbound message), withdraws, or
leaves, which forgets everything. Pages are ``no-store`` and forms never autocomplete, so a shared
phone keeps nothing. Every refusal is one calm sentence, with what she typed shown back.
"""

from __future__ import annotations

import time
import uuid

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from core import conversation, withdrawal
from core.crypto import decrypt, encrypt
from core.extensions import limiter
from core.i18n import current_language
from core.intake import Inbound, NotKept, Spooled, receive
from core.media import NotAnImage, TooLarge, clean_photo
from core.public.photos import too_large_message
from core.public.views import bp

MAX_ANSWER = 5000  # characters: a long letter, far below what would need cutting
SESSION_KEY = "case"


def _case_limit() -> str:
    return current_app.config["SESIM_RATELIMIT_CASE"]


def _stale_form() -> str:
    return _("This form expired or was opened in another window. Check what you typed and send it again.")


def _expired() -> str:
    return _("Your case was closed on this device after some time, for your safety. Enter your "
             "case code again to continue.")


def _csrf_ok() -> bool:
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def _open(case: conversation.Case) -> None:
    minutes = int(current_app.config["SESIM_CASE_MINUTES"])
    session[SESSION_KEY] = encrypt(f"{case.key}|{int(time.time()) + minutes * 60}")


def _current() -> tuple[conversation.Case | None, bool]:
    """``(case, expired)``: the case open in this session, or None and whether time ran out."""
    sealed = session.get(SESSION_KEY)
    if not sealed:
        return None, False
    try:
        key, until = decrypt(sealed).split("|")
        expired = time.time() > int(until)
    except Exception:  # a tampered or foreign cookie: treat as gone
        session.pop(SESSION_KEY, None)
        return None, False
    if expired:
        session.pop(SESSION_KEY, None)
        return None, True
    found = conversation.by_key(key)
    if found is None:
        session.pop(SESSION_KEY, None)
    return found, False


def _code_form(error: str | None = None, notice: str | None = None, kept: str = "", status: int = 200):
    return render_template("public/case.html", error=error, notice=notice, kept_text=kept), status


def _seconds_left() -> int:
    try:
        return max(0, int(decrypt(session[SESSION_KEY]).split("|")[1]) - int(time.time()))
    except Exception:
        return 0


def render_case(case: conversation.Case, error: str | None = None, text: str = "", status: int = 200,
                notice: str | None = None):
    return render_template(
        "public/case_status.html", case=case, item=case.report or case.message,
        state=conversation.status(case), thread=conversation.thread(case), error=error,
        text=text, notice=notice, minutes_left=max(1, _seconds_left() // 60),
        max_answer=MAX_ANSWER,
    ), status


@bp.after_request
def _no_store(response):
    """Nothing of her case stays in a cache or the back/forward history."""
    if (request.endpoint or "").startswith("public.case"):
        response.headers["Cache-Control"] = "no-store, max-age=0"
        response.headers["Pragma"] = "no-cache"
        response.headers["Expires"] = "0"
    return response


@bp.route("/case", methods=["GET", "POST"])
@limiter.limit(_case_limit, methods=["POST"])
def case():
    """GET: her open case, or the code form. POST ``code``: open the case (then post/redirect/get,
    so a reload never sends the code again)."""
    if request.method == "GET":
        found, expired = _current()
        if found is not None:
            notices = {"sent": _("Your answer was received. The team will read it."),
                       "withdrawn": _("Your report was withdrawn. You can leave this page now.")}
            return render_case(found, notice=notices.get(session.pop("case_notice", None)))
        return _code_form(error=_expired() if expired else None)
    if not _csrf_ok():
        return _code_form(error=_stale_form(), status=400)
    found = conversation.find(request.form.get("code", ""))
    if found is None:
        return _code_form(error=_("We found nothing for this code. Check the digits and try again."),
                          status=404)
    session.pop("report_done", None)
    _open(found)
    return redirect(url_for("public.case"), code=303)


@bp.route("/case/reply", methods=["POST"])
@limiter.limit(_case_limit)
def case_reply():
    """Her answer: stored first through ``core.intake`` on her case, unread for the staff."""
    text = (request.form.get("text") or "").strip()
    found, expired = _current()
    if found is None:
        return _code_form(error=_expired() if expired else _("Enter your case code first."),
                          kept=text, status=400)
    if not _csrf_ok():
        return render_case(found, _stale_form(), text, 400)
    if found.withdrawn:
        return render_case(found, _("You withdrew this report. Nothing more can be added to it."), text, 400)
    if found.closed:
        return render_case(found, _("This conversation is closed: you can no longer answer here. "
                                    "If you need help again, send a new report."), text, 400)
    upload = request.files.get("photo")
    photo = upload.read() if upload and upload.filename else None
    if not text:
        return render_case(found, _("Write your answer before sending it."), text, 400)
    if len(text) > MAX_ANSWER:
        return render_case(found, _("Your answer is too long (at most %(count)d characters). It is "
                                    "kept below: shorten it and send it again.", count=MAX_ANSWER),
                           text, 400)
    if photo is not None:
        try:
            clean_photo(photo)
        except NotAnImage:
            return render_case(found, _("This file is not a picture we can read (JPEG, PNG, WebP)."),
                               text, 400)
        except TooLarge as exc:
            return render_case(found, str(exc) or too_large_message(), text, 400)
    try:
        receive(Inbound(
            channel="web", external_id=f"case-{uuid.uuid4().hex}", text=text,
            language=current_language(), case_key=found.key, data={"source": "case"},
            attachments=[("photo", "", photo)] if photo is not None else [],
        ))
    except Spooled:  # the database is down: kept in the spool, stored once it is back
        pass
    except NotKept:
        return render_case(found, _("Our database is not available right now, so nothing could "
                                    "be saved. Please try again in a few minutes."), text, 503)
    session["case_notice"] = "sent"
    return redirect(url_for("public.case"), code=303)


@bp.route("/case/withdraw", methods=["POST"])
def case_withdraw():
    """Withdraw her report: first a page that says what happens, then ``confirm=yes`` does it."""
    found, expired = _current()
    if found is None:
        return _code_form(error=_expired() if expired else _("Enter your case code first."), status=400)
    if not _csrf_ok():
        return render_case(found, _stale_form(), status=400)
    if found.withdrawn:
        return render_case(found, _("This report is already withdrawn."), status=400)
    if request.form.get("confirm") != "yes":
        return render_template("public/case_withdraw.html"), 200
    withdrawal.withdraw(found)
    session["case_notice"] = "withdrawn"
    return redirect(url_for("public.case"), code=303)


@bp.route("/case/leave", methods=["POST"])
def case_leave():
    """Forget everything about her case in this browser, whatever the state of the form (only
    her language choice stays, so the page does not switch language under her)."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    return _code_form(notice=_("You left your case. Nothing about it is kept on this device."))
