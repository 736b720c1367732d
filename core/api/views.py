"""The read-only JSON API under ``/api/v1``: reports (cursor-paged), categories and statistics.

Every answer is built from ``core.publicdata``; errors are ``{"error": ..., "status": ...}``."""

from __future__ import annotations

import hashlib

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from core.api import cursor
from core.api.openapi import MAX_LIMIT, document
from core.errors import bad_request
from core.i18n import LANGUAGE_NAMES
from core.models import Category
from core.numbers import whole
from core.publicdata import FILTER_KEYS, FilterError, last_change, parse_filters, public_fields, published
from core.stats.aggregate import compute
from core.urls import absolute_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")

DEFAULT_LIMIT = 50



class InputError(ValueError):
    pass


def _language() -> str:
    lang = request.args.get("lang", "en")
    if lang not in LANGUAGE_NAMES:
        raise InputError(_("lang must be one of: %(names)s.", names=", ".join(LANGUAGE_NAMES)))
    return lang


def _limit() -> int:
    raw = request.args.get("limit")
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    limit = whole(raw, 1, MAX_LIMIT)
    if limit is None:
        raise InputError(_("limit must be a whole number from 1 to %(max)s.", max=MAX_LIMIT))
    return limit


def _conditional(payload, last_modified=None):
    """JSON with an ETag (and Last-Modified when known): a client that has it gets a 304."""
    response = jsonify(payload)
    response.headers["Cache-Control"] = "public, max-age=60"
    if last_modified is not None:
        response.last_modified = last_modified
    response.add_etag()
    return response.make_conditional(request)


@bp.errorhandler(FilterError)
@bp.errorhandler(InputError)
@bp.errorhandler(cursor.CursorError)
def _bad_input(error):
    if isinstance(error, cursor.CursorError):
        return bad_request(_("cursor is not valid: start again from the first page."))
    return bad_request(error)


@bp.after_app_request
def _cors(response):
    """Anyone may read the API from a browser: it is public and read-only, without cookies."""
    if request.path.startswith("/api/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.route("/reports")
def reports():
    filters = parse_filters(request.args)
    language, limit = _language(), _limit()
    # The cursor is bound to the filters it was made for.
    filters_key = hashlib.sha256(repr(filters).encode()).hexdigest()[:16]
    older_than = cursor.decode(request.args["cursor"], filters_key) if request.args.get("cursor") else None
    rows = published(filters, wanted=limit + 1, older_than=older_than).limit(limit + 1).all()
    page, more = rows[:limit], len(rows) > limit
    next_cursor = cursor.encode(page[-1].occurred_at, page[-1].id, filters_key) if more else None
    args = {k: v for k, v in request.args.items() if k in (*FILTER_KEYS, "lang", "limit") and v}
    payload = {
        "reports": [public_fields(r, language) for r in page],
        "count": len(page),
        "next_cursor": next_cursor,
        "next": absolute_url("api.reports", cursor=next_cursor, **args) if more else None,
    }
    return _conditional(payload, last_change())


@bp.route("/categories")
def categories():
    found = Category.query.filter_by(active=True).order_by(Category.position).all()
    payload = {"categories": [
        {"slug": c.slug, "name": {"az": c.name_az, "ru": c.name_ru, "en": c.name_en},
         "colour": c.colour, "parent": c.parent.slug if c.parent else None}
        for c in found
    ]}
    return _conditional(payload)


@bp.route("/stats")
def stats():
    filters = parse_filters(request.args)
    figures = compute(filters, _language())

    def counts(items):
        return [{"key": c.key or None, "label": c.label or None, "count": c.count,
                 "suppressed": c.suppressed} for c in items]

    share = figures.verified_share
    payload = {
        "min_count": figures.min_count,  # counts below it are null, "suppressed": true
        "total": figures.total,
        "verified": figures.verified,
        "verified_share": round(share, 4) if share is not None else None,
        "by_category": counts(figures.by_category),
        "by_region": counts(figures.by_region),
        "by_month": counts(figures.by_month),
        "by_channel": counts(figures.by_channel),
    }
    return _conditional(payload, last_change())


@bp.route("/openapi.json")
def openapi():
    return _conditional(document(absolute_url("public.home").rstrip("/")))
