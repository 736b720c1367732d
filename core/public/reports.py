"""Filing a web report: from the form to a plain payload, and from the payload to the database, or
to the spool when the database cannot be written.

The payload is what the spool keeps (encrypted) and what ``sesim worker`` replays. Its idempotency
key is the case-code hash: a replay that finds a report with that hash has nothing to do. The code
itself is never kept, only shown to her once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from core import casecodes, gazetteer, spool
from core.config import split_list
from core.extensions import db
from core.i18n import current_language
from core.models import Category, Report
from core.plugins import call_hook


@dataclass
class Filed:
    code: str
    legal_help: bool
    region_id: str | None
    spooled: bool  # kept in the spool: it reaches the moderators once the database is back


def payload_from(form, photo: bytes | None) -> dict:
    """Everything needed to store the report later, as JSON-able values (``photo``: cleaned)."""
    config = current_app.config
    place = gazetteer.load().place(form.place.data) if form.place.data else None
    lat = float(form.lat.data) if form.lat.data is not None else None
    lon = float(form.lon.data) if form.lon.data is not None else None
    public_lat, public_lon, public_place = gazetteer.public_location(
        place, lat, lon, config["SESIM_LOCATION_PRECISION"], config["SESIM_LOCATION_GRID"],
        split_list(config["SESIM_REGIONS"]) or None,
    )
    return {
        "title": form.title.data.strip(),
        "story": form.story.data.strip(),
        "occurred_at": form.occurred_at().isoformat(),
        "latitude": lat,
        "longitude": lon,
        "place_id": public_place.id if public_place else None,
        "region_id": public_place.region_id if public_place else None,
        "public_latitude": public_lat,
        "public_longitude": public_lon,
        "location_precision": config["SESIM_LOCATION_PRECISION"],
        "language": current_language(),
        "consent_publish": bool(form.consent_publish.data),
        "wants_legal_help": bool(form.wants_legal_help.data and config["SESIM_LEGAL_HELP"]),
        "contact": (form.contact.data or "").strip() or None,
        "categories": [int(c) for c in form.categories.data],
        "photo": spool.encode_bytes(photo) if photo else None,
    }


def file_report(payload: dict) -> Filed:
    """Store the report, or spool it when the database is unavailable.

    Raises ``spool.SpoolError`` when neither could keep it (she must be told and keep her text).
    """
    code, code_hash = casecodes.issue()
    payload = {**payload, "case_code_hash": code_hash}
    legal_help, region = payload["wants_legal_help"], payload["region_id"]
    try:
        _store(payload)
    except Exception as exc:
        if not spool.is_database_down(exc):
            raise
        spool.forget_session()
        spool.put("report", code_hash, payload)  # raises SpoolError when it cannot
        return Filed(code, legal_help, region, spooled=True)
    return Filed(code, legal_help, region, spooled=False)


def replay_report(payload: dict) -> None:
    """The spool's ``report`` handler: store it unless a report with its code is there already."""
    if Report.query.filter_by(case_code_hash=payload["case_code_hash"]).first() is not None:
        return
    _store(payload)


def _store(payload: dict) -> Report:
    from core import storage
    from core.media import store_cleaned

    report = Report(
        title=payload["title"],
        story=payload["story"],
        occurred_at=datetime.fromisoformat(payload["occurred_at"]),
        latitude=payload["latitude"],
        longitude=payload["longitude"],
        place_id=payload["place_id"],
        region_id=payload["region_id"],
        public_latitude=payload["public_latitude"],
        public_longitude=payload["public_longitude"],
        location_precision=payload["location_precision"],
        source_channel="web",
        language=payload["language"],
        consent_publish=payload["consent_publish"],
        wants_legal_help=payload["wants_legal_help"],
        contact=payload["contact"],
        case_code_hash=payload["case_code_hash"],
        categories=Category.query.filter(Category.id.in_(payload["categories"])).all(),
    )
    db.session.add(report)
    photo = None
    try:
        if payload.get("photo"):
            photo = store_cleaned(spool.decode_bytes(payload["photo"]), report=report)
        db.session.commit()
    except BaseException:
        if photo is not None:  # no row points at it: do not leave her photo behind
            storage.forget(photo.stored_name)
        raise
    call_hook("sesim_report_created", report=report)
    return report
