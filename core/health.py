"""Channel health: when each channel (and SMS gateway) last received a message, last worked (a
poll, a send, a phone's check-in) and last failed. Fed by ``core.intake``, ``core.fetching`` and
the channel plugins, read by ``/admin/channels`` and the worker's silence check.

Writes go through their own short transaction, so a health note can never undo or break the
caller's work, and are throttled per process (one write per minute per channel and kind) so a busy
SMS gateway does not pay a second write for every message. Errors are redacted and cut short:
nothing here may name a reporter.
"""

from __future__ import annotations

import logging
import time

from flask import current_app
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.models import ChannelHealth
from core.models.base import utcnow
from core.redaction import redact

log = logging.getLogger("sesim.health")

THROTTLE_SECONDS = 60
WORKER_MARK = ("core", "worker-last-run")  # a ChannelCursor row


def _throttled(kind: str, channel: str, gateway: str) -> bool:
    seen = current_app.extensions.setdefault("sesim_health", {})
    key = (kind, channel, gateway)
    now = time.monotonic()
    if now - seen.get(key, -THROTTLE_SECONDS) < THROTTLE_SECONDS:
        return True
    seen[key] = now
    return False


def _write(channel: str, gateway: str, values: dict, increment_failures: bool = False) -> None:
    table = ChannelHealth.__table__
    where = (table.c.channel == channel) & (table.c.gateway == gateway)
    changes = dict(values)
    if increment_failures:
        changes["failures"] = table.c.failures + 1
    row = {"channel": channel, "gateway": gateway, **values,
           "failures": 1 if increment_failures else values.get("failures", 0)}
    try:
        for _attempt in range(2):
            with db.engine.begin() as conn:
                if conn.execute(update(table).where(where).values(**changes)).rowcount:
                    return
            try:
                with db.engine.begin() as conn:
                    conn.execute(insert(table).values(**row))
                return
            except IntegrityError:  # another process made the row meanwhile: update it
                continue
    except Exception:
        log.exception("could not note the health of channel %s", channel)


def gateway_of(data) -> str:
    """The health key within a channel: the gateway, and the device when a channel names one
    (each SMSSync phone has its own row, so one silent phone is seen)."""
    data = data or {}
    gateway, device = str(data.get("gateway") or ""), str(data.get("device_id") or "")
    return f"{gateway}:{device}"[:32] if gateway and device else gateway[:32]


def received(channel: str, gateway: str = "") -> None:
    """A message arrived (stored) through ``channel``."""
    gateway = (gateway or "")[:32]
    if not _throttled("received", channel, gateway):
        _write(channel, gateway, {"last_received_at": utcnow()})


def ok(channel: str, gateway: str = "") -> None:
    """A poll, a send or a device check-in worked; the failure count starts again."""
    gateway = (gateway or "")[:32]
    if not _throttled("ok", channel, gateway):
        _write(channel, gateway, {"last_ok_at": utcnow(), "failures": 0})


def failed(channel: str, error: str, gateway: str = "", count: bool = True) -> None:
    """Something went wrong; ``error`` is redacted and cut. ``count`` adds to the failures in a
    row (a refused request that may come from anyone does not)."""
    gateway = (gateway or "")[:32]
    text = redact(str(error or "error"))[:500]
    _write(channel, gateway, {"last_error_at": utcnow(), "last_error": text}, increment_failures=count)


def worker_ran() -> None:
    from core.models import ChannelCursor

    ChannelCursor.put(*WORKER_MARK, utcnow().isoformat())


def worker_last_run():
    from datetime import datetime

    from core.models import ChannelCursor

    value = ChannelCursor.get(*WORKER_MARK)
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
