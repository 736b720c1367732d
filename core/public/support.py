"""Public support pages: the directory ``/resources`` (who she can turn to, by region) and the
awareness pages ``/learn`` (know your rights, the organisation's reports; PDFs as downloads).
No JavaScript, nothing from another host: a PDF is served as an attachment, never embedded."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, send_file

from core import resources
from core.i18n import current_language
from core.models import AwarenessPage

bp = Blueprint("support", __name__)


def _support_for(region_id, limit=4) -> list:
    """Support contacts for a page; none (rather than no page) while the database is down, so
    the thank-you page still shows her case code."""
    from core import spool

    try:
        return resources.for_region(region_id, limit)
    except Exception as exc:
        if not spool.is_database_down(exc):
            raise
        spool.forget_session()
        return []


@bp.app_context_processor
def _support_globals():
    return {"support_for": _support_for, "resource_kinds": resources.KIND_LABELS}


@bp.route("/resources")
def directory():
    region_ids = {r.id for r in resources.regions()}
    region = request.args.get("region", "")
    if region not in region_ids:
        region = ""
    lang = current_language()
    names = {r.id: r.name(lang) for r in resources.regions()}
    return render_template("public/resources.html", groups=resources.directory(region or None),
                           region=region, region_names=names, pages=resources.published_pages())


@bp.route("/learn")
def learn():
    return render_template("public/learn.html", pages=resources.published_pages(),
                           kinds=resources.PAGE_KIND_LABELS)


def _published(slug: str) -> AwarenessPage:
    page = AwarenessPage.query.filter_by(slug=slug[:80], published=True).one_or_none()
    if page is None:
        abort(404)
    return page


@bp.route("/learn/<slug>")
def learn_page(slug):
    page = _published(slug)
    # Cleaned when saved; cleaned again here in case a row was written some other way.
    return render_template("public/learn_page.html", page=page, kinds=resources.PAGE_KIND_LABELS,
                           body=resources.clean_html(page.text("body")))


@bp.route("/learn/<slug>.pdf")
def learn_pdf(slug):
    page = _published(slug)
    path = resources.pages_dir() / (page.pdf_stored_name or "")
    if not page.pdf_stored_name or not path.is_file():
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=f"{page.slug}.pdf", max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_app(app) -> None:
    # Linked from every page's footer, not the header: a phone's header must stay one short line.
    app.register_blueprint(bp)
