"""Download routes: ``/export/reports.<format>`` for every declared format, streamed."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template, request, stream_with_context

from core.errors import bad_request
from core.i18n import current_language
from core.publicdata import FilterError, filter_args, iter_published, parse_filters
from plugins.export import formats

bp = Blueprint("export", __name__, url_prefix="/export", template_folder="templates")



@bp.route("/")
def index():
    """A downloads page: each format, with the same filters as the query string."""
    return render_template("export/index.html", formats=sorted(formats.available().values(),
                                                              key=lambda f: f.name),
                           filter_args=filter_args(request.args))


@bp.route("/reports.<name>")
def reports(name):
    fmt = formats.available().get(name)
    if fmt is None:
        abort(404)
    try:
        filters = parse_filters(request.args)
    except FilterError as exc:
        return bad_request(exc)
    rows = iter_published(filters, language=current_language())
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    response = Response(stream_with_context(fmt.write(rows)), mimetype=fmt.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="sesim-reports-{stamp}.{fmt.name}"'
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
