"""The support directory and awareness pages: who she can turn to, by region, and what she has a
right to. Read by the public pages (``/resources``, ``/learn``), the done page, ``/case`` and the
SMS HELP reply; written by admins. Page bodies are cleaned with nh3 when saved: no script, no
image, no embed from a third party can reach a reader."""

from __future__ import annotations

import secrets
from pathlib import Path

import nh3
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, or_

from core import gazetteer
from core.config import split_list
from core.models import AwarenessPage, SupportResource

KIND_LABELS = {
    "hotline": _l("Hotlines"),
    "shelter": _l("Shelters"),
    "legal_clinic": _l("Legal clinics"),
    "psychological": _l("Psychological support"),
    "police": _l("Trusted police contacts"),
    "judiciary": _l("Trusted judiciary contacts"),
    "ngo": _l("Organisations (NGOs)"),
}
PAGE_KIND_LABELS = {"rights": _l("Know your rights"), "publication": _l("Our reports")}

ALLOWED_TAGS = {"p", "br", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "b", "i", "a",
                "blockquote", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
PDF_MAX_BYTES = 20 * 1024 * 1024


class BadPdf(ValueError):
    """The upload is not a PDF, or is too large."""


def regions():
    """The deployment's regions (``SESIM_REGIONS``, or every region of the gazetteer)."""
    wanted = split_list(current_app.config["SESIM_REGIONS"])
    return [r for r in gazetteer.load().regions if not wanted or r.id in wanted]


def region_of(place_or_region_id: str | None) -> str | None:
    """The region id for a place or region id (a village belongs to its district)."""
    place = gazetteer.load().place(place_or_region_id or "")
    if place is None:
        return None
    return getattr(place, "region_id", None) or place.id


def for_region(region_id: str | None, limit: int | None = None) -> list[SupportResource]:
    """Active entries for ``region_id`` first, then those for the whole country."""
    query = SupportResource.query.filter(SupportResource.active.is_(True))
    if region_id:
        query = query.filter(or_(SupportResource.region_id == region_id,
                                 SupportResource.region_id.is_(None)))
        local_first = case((SupportResource.region_id.is_(None), 1), else_=0)
        query = query.order_by(local_first, SupportResource.position, SupportResource.id)
    else:
        query = query.filter(SupportResource.region_id.is_(None)).order_by(
            SupportResource.position, SupportResource.id)
    return query.limit(limit).all() if limit else query.all()


def directory(region_id: str | None = None) -> list[tuple[str | None, list[SupportResource]]]:
    """``[(region_id or None for the whole country, entries)]`` for the public page."""
    query = SupportResource.query.filter(SupportResource.active.is_(True))
    if region_id:
        query = query.filter(or_(SupportResource.region_id == region_id,
                                 SupportResource.region_id.is_(None)))
    entries = query.order_by(SupportResource.position, SupportResource.id).all()
    groups: dict = {None: []}
    for region in regions():
        groups[region.id] = []
    for entry in entries:
        groups.setdefault(entry.region_id, []).append(entry)
    return [(key, items) for key, items in groups.items() if items]


def sms_lines(region_id: str | None, language: str, limit: int = 2) -> str:
    """A few "name: phone" lines for the SMS HELP reply (entries with a phone number only)."""
    lines = []
    for entry in for_region(region_id):
        if entry.phone:
            lines.append(f"{entry.text('name', language)}: {entry.phone}")
        if len(lines) >= limit:
            break
    return "\n".join(lines)


def clean_html(html: str) -> str:
    """Only plain text structure and links survive: no script, style, image, iframe or handler."""
    return nh3.clean(html or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto", "tel"},
                     link_rel="noopener noreferrer nofollow")


def pages_dir() -> Path:
    from core.media import uploads_dir

    path = uploads_dir() / "pages"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_pdf(payload: bytes) -> tuple[str, int]:
    """Keep an uploaded PDF under a random name; ``(stored_name, size)``."""
    if len(payload) > PDF_MAX_BYTES:
        raise BadPdf(_l("The PDF is too large (at most %(size)s MB).", size=PDF_MAX_BYTES // 1024 // 1024))
    if not payload.startswith(b"%PDF-"):
        raise BadPdf(_l("This file is not a PDF."))
    name = f"{secrets.token_urlsafe(18)}.pdf"
    (pages_dir() / name).write_bytes(payload)
    return name, len(payload)


def published_pages() -> list[AwarenessPage]:
    return (AwarenessPage.query.filter_by(published=True)
            .order_by(AwarenessPage.kind.desc(), AwarenessPage.position, AwarenessPage.id).all())
