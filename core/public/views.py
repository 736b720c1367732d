"""Public pages. No JavaScript is needed anywhere here, and nothing about the visitor's network
is kept."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from core import casecodes, gazetteer, storage
from core.config import split_list
from core.crypto import decrypt, encrypt
from core.errors import handle_http
from core.extensions import db, limiter
from core.i18n import current_language
from core.media import NotAnImage, TooLarge, store_upload
from core.models import Category, Report
from core.plugins import call_hook
from core.public.forms import ReportForm

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
    form = ReportForm()
    if request.method == "POST":
        photo = request.files.get("photo")
        photo_bytes = photo.read() if photo and photo.filename else None
        if form.validate():
            try:
                created, code = create_report(form, photo_bytes)
            except NotAnImage:
                form.photo.errors = [_("This file is not a picture we can read (JPEG, PNG, WebP).")]
            except TooLarge:
                form.photo.errors = [_("This picture is too large.")]
            else:
                # Post/redirect/get: reloading the thank-you page cannot file the report twice.
                session["report_done"] = encrypt(
                    f"{code}|{int(created.wants_legal_help)}|{created.region_id or ''}")
                return redirect(url_for("public.report_done"), code=303)
        status = 400
    else:
        status = 200
    return render_template("public/report_form.html", form=form), status


@bp.route("/report/done")
def report_done():
    """The case code, shown once: it leaves the (encrypted) session as it is shown."""
    sealed = session.pop("report_done", None)
    if not sealed:
        return render_template("public/report_done.html", code=None, support_region=None)
    code, legal_help, region = (decrypt(sealed).split("|") + [""])[:3]
    return render_template("public/report_done.html", code=code, legal_help=legal_help == "1",
                           support_region=region or None)


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


def create_report(form: ReportForm, photo_bytes: bytes | None) -> tuple[Report, str]:
    """Store a web report with its blurred public location; return it and its case code."""
    config = current_app.config
    place = gazetteer.load().place(form.place.data) if form.place.data else None
    lat = float(form.lat.data) if form.lat.data is not None else None
    lon = float(form.lon.data) if form.lon.data is not None else None
    public_lat, public_lon, public_place = gazetteer.public_location(
        place, lat, lon, config["SESIM_LOCATION_PRECISION"], config["SESIM_LOCATION_GRID"],
        split_list(config["SESIM_REGIONS"]) or None,
    )
    code, code_hash = casecodes.issue()
    report = Report(
        title=form.title.data.strip(),
        story=form.story.data.strip(),
        occurred_at=form.occurred_at(),
        occurred_time_known=form.occurred_time.data is not None,
        latitude=lat,
        longitude=lon,
        place_id=public_place.id if public_place else None,
        region_id=public_place.region_id if public_place else None,
        public_latitude=public_lat,
        public_longitude=public_lon,
        location_precision=config["SESIM_LOCATION_PRECISION"],
        source_channel="web",
        language=current_language(),
        consent_publish=form.consent_publish.data,
        wants_legal_help=form.wants_legal_help.data and config["SESIM_LEGAL_HELP"],
        contact=(form.contact.data or "").strip() or None,
        case_code_hash=code_hash,
        categories=Category.query.filter(Category.id.in_(form.categories.data)).all(),
    )
    db.session.add(report)
    photo = store_upload(photo_bytes, report=report, require_image=True) if photo_bytes else None
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        if photo is not None:  # no row points at it: do not leave her photo behind
            storage.delete(photo.stored_name)
        raise
    call_hook("sesim_report_created", report=report)
    return report, code


@bp.route("/reports/<public_id>")
def report_detail(public_id):
    report = Report.query.filter_by(public_id=public_id, status="published").first()
    if report is None:
        abort(404)
    return render_template("public/report_detail.html", report=report)
