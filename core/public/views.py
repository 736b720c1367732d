"""Public pages. No JavaScript is needed anywhere here, and nothing about the visitor's network
is kept."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from core import spool
from core.crypto import decrypt, encrypt
from core.errors import handle_http
from core.extensions import limiter
from core.models import Report
from core.public.forms import ReportForm
from core.public.photos import KeptPhoto
from core.public.reports import file_report, payload_from

bp = Blueprint("public", __name__)


def _report_limit() -> str:
    return current_app.config["SESIM_RATELIMIT_REPORT"]


@bp.route("/")
def home():
    return render_template("public/home.html")


def _counts_against_the_limit(response) -> bool:
    """Only a report that was filed uses up the limit; a form sent back with errors does not."""
    return response.status_code == 303


@bp.route("/report", methods=["GET", "POST"])
@limiter.limit(_report_limit, methods=["POST"], deduct_when=_counts_against_the_limit)
def report():
    try:
        form = ReportForm()
    except Exception as exc:
        if spool.is_database_down(exc):  # no categories to offer: say so, and how else to reach us
            return render_template("public/report_unavailable.html"), 503
        raise
    if request.method == "GET":
        return render_template("public/report_form.html", form=form)
    photo = KeptPhoto.from_request()
    valid = form.validate()
    if photo.error:
        form.photo.errors = [photo.error]
    elif valid:
        try:
            filed = file_report(payload_from(form, photo.jpeg))
        except spool.SpoolError:
            return _form_again(form, photo, 503, failure=_(
                "We could not save your report just now because of a problem on our server. "
                "Nothing was sent: what you typed is kept below. Please try again in a few minutes."))
        photo.release()
        # Post/redirect/get: reloading the thank-you page cannot file the report twice.
        session["report_done"] = encrypt(f"{filed.code}|{int(filed.legal_help)}|"
                                         f"{filed.region_id or ''}|{int(filed.spooled)}")
        return redirect(url_for("public.report_done"), code=303)
    return _form_again(form, photo, 400)


def _form_again(form, photo, status, **context):
    """The form with everything she typed, and her photo kept under an opaque token."""
    return render_template("public/report_form.html", form=form, photo=photo.keep(),
                           **context), status


@bp.route("/report/done")
def report_done():
    """The case code, shown once: it leaves the (encrypted) session as it is shown."""
    sealed = session.pop("report_done", None)
    if not sealed:
        return render_template("public/report_done.html", code=None, support_region=None)
    code, legal_help, region, spooled = (decrypt(sealed).split("|") + ["", ""])[:4]
    return render_template("public/report_done.html", code=code, legal_help=legal_help == "1",
                           support_region=region or None, spooled=spooled == "1")


@bp.errorhandler(429)
def too_many(error):
    """Over the limit while sending a report: keep what she typed on the form and say why."""
    if request.endpoint != "public.report":
        return handle_http(error)
    try:
        form = ReportForm()  # reads the body, which may itself be over the size limit
    except RequestEntityTooLarge as too_large:
        return handle_http(too_large)
    message = _("Too many reports were sent from this connection in the last hour. What you typed "
                "is kept below: please try again later.")
    return render_template("public/report_form.html", form=form, limit_message=message), 429


@bp.route("/reports/<public_id>")
def report_detail(public_id):
    report = Report.query.filter_by(public_id=public_id, status="published").first()
    if report is None:
        abort(404)
    return render_template("public/report_detail.html", report=report)
