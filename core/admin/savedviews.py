"""Saved views: a moderator names a filter of the inbox or the report list ("Masallı, SMS,
unverified") and sees, on both pages, how many messages or reports each of her views holds."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from core.admin import bp
from core.admin.access import STAFF, refuse, roles
from core.admin.audit import record
from core.extensions import db
from core.models import SavedView
from core.models.moderation import VIEW_TARGETS
from core.publicdata import FilterError

MAX_VIEWS = 30
PAGES = {"messages": "admin.messages", "reports": "admin.reports"}


def _clean_query(target: str, raw: str) -> str:
    """Only the filter keys of ``target``'s page, re-encoded (no paging, no free-form extras)."""
    from core.admin.inbox import FILTER_KEYS as MESSAGE_KEYS
    from core.admin.reports import FILTER_KEYS as REPORT_KEYS

    keys = MESSAGE_KEYS if target == "messages" else REPORT_KEYS
    pairs = [(k, v[0][:200]) for k, v in sorted(parse_qs(raw[:1000]).items()) if k in keys and v]
    return urlencode(pairs)


def count(view: SavedView) -> int | None:
    """How many rows the view holds now; None when its filter no longer parses."""
    from core.admin.inbox import message_query
    from core.admin.reports import filtered_reports

    args = MultiDict(parse_qs(view.filters))
    try:
        if view.target == "messages":
            query, _status = message_query(args, current_user)
        else:
            query = filtered_reports(args)
    except FilterError:
        return None
    return query.order_by(None).count()


def views_with_counts(target: str) -> list[tuple[SavedView, int | None, str]]:
    """The current user's views of ``target`` with their counts and links."""
    views = SavedView.query.filter_by(user_id=current_user.id, target=target) \
        .order_by(SavedView.name).all()
    return [(v, count(v), url_for(PAGES[target]) + ("?" + v.filters if v.filters else ""))
            for v in views]


@bp.route("/views", methods=["POST"])
@roles(*STAFF)
def view_save():
    target = request.form.get("target", "")
    if target not in VIEW_TARGETS:
        abort(400)
    if target == "messages" and current_user.role == "lawyer":
        abort(403)
    name = (request.form.get("name") or "").strip()[:80]
    if not name:
        flash(_("Give the view a name."), "error")
        return redirect(url_for(PAGES[target]))
    if SavedView.query.filter_by(user_id=current_user.id).count() >= MAX_VIEWS:
        flash(_("You have %(count)d saved views already; delete one first.", count=MAX_VIEWS), "error")
        return redirect(url_for(PAGES[target]))
    query = _clean_query(target, request.form.get("query", ""))
    view = SavedView(user_id=current_user.id, target=target, name=name, filters=query)
    db.session.add(view)
    db.session.flush()
    record("view.saved", view, after={"name": name, "filter": query})
    db.session.commit()
    flash(_("View saved."), "info")
    return redirect(url_for(PAGES[target]) + ("?" + query if query else ""))


@bp.route("/views/<int:view_id>/delete", methods=["POST"])
@roles(*STAFF)
def view_delete(view_id):
    view = db.session.get(SavedView, view_id)
    if view is None or view.user_id != current_user.id:
        refuse("view", status=404)
    target = view.target
    record("view.deleted", view, before={"name": view.name, "filter": view.filters})
    db.session.delete(view)
    db.session.commit()
    flash(_("View deleted."), "info")
    return redirect(url_for(PAGES[target]))
