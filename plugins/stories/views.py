"""``/stories`` (paged, filtered, no JavaScript) and its feeds ``/stories/feed.atom`` and
``/stories/feed.rss``. Everything shown is ``public_fields`` of a consented, published story."""

from __future__ import annotations

from datetime import UTC
from email.utils import format_datetime

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from core.errors import bad_request
from core.i18n import current_language
from core.numbers import whole
from core.publicdata import (
    FilterError,
    filter_args,
    filter_choices,
    parse_filters,
    public_fields,
    shared_stories,
)
from core.urls import absolute_url

bp = Blueprint("stories", __name__, url_prefix="/stories", template_folder="templates")

PER_PAGE = 20
FEED_SIZE = 50
MAX_PAGE = 10_000
FILTER_KEYS = ("category", "since", "until", "region", "verified")  # no bbox on the wall


class PageError(ValueError):
    pass



def _page(value: str | None) -> int:
    if not value:
        return 1
    page = whole(value, 1, MAX_PAGE)
    if page is None:
        raise PageError(_("page must be a whole number from 1 to %(max)s.", max=MAX_PAGE))
    return page


def _filter_args() -> dict:
    return filter_args(request.args, FILTER_KEYS)


@bp.route("/")
def index():
    try:
        filters = parse_filters(request.args)
        page = _page(request.args.get("page"))
    except (FilterError, PageError) as exc:
        return bad_request(exc)
    language = current_language()
    reports = shared_stories(filters).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1).all()
    has_next = len(reports) > PER_PAGE
    stories = [public_fields(r, language) for r in reports[:PER_PAGE]]
    return render_template(
        "stories/index.html",
        stories=stories,
        page=page,
        has_next=has_next,
        filter_args=_filter_args(),
        chosen=filters,
        **filter_choices(language),
    )


def _feed_entries(filters) -> list[dict]:
    language = current_language()
    entries = []
    for report in shared_stories(filters).limit(FEED_SIZE):
        fields = public_fields(report, language)
        updated = report.published_at or report.created_at
        fields["updated"] = updated.strftime("%Y-%m-%dT%H:%M:%SZ")
        fields["rfc822"] = format_datetime(updated.replace(tzinfo=UTC))
        fields["url"] = absolute_url("public.report_detail", public_id=fields["id"])
        entries.append(fields)
    return entries


def _feed(template: str, mimetype: str):
    try:
        filters = parse_filters(request.args)
    except FilterError as exc:
        return bad_request(exc)
    entries = _feed_entries(filters)
    body = render_template(
        template,
        entries=entries,
        updated=entries[0]["updated"] if entries else "1970-01-01T00:00:00Z",
        rfc822=entries[0]["rfc822"] if entries else "",
        page_url=absolute_url("stories.index", **_filter_args()),
        self_url=absolute_url(request.endpoint, **request.args.to_dict(flat=False)),
        language=current_language(),
    )
    return Response(body, mimetype=mimetype, headers={"Cache-Control": "public, max-age=300"})


@bp.route("/feed.atom")
def feed_atom():
    return _feed("stories/feed.atom.xml", "application/atom+xml")


@bp.route("/feed.rss")
def feed_rss():
    return _feed("stories/feed.rss.xml", "application/rss+xml")
