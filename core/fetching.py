"""Polling channels: each yielded message is stored before the plugin's generator resumes."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func

from core import health
from core.extensions import db
from core.intake import receive
from core.models import Message
from core.plugins import host
from core.progress import tracked

log = logging.getLogger("sesim.fetch")


@dataclass
class FetchResult:
    channel: str
    new: int = 0
    duplicates: int = 0
    failed: int = 0
    error: str = ""

    def summary(self) -> str:
        text = f"{self.channel}: {self.new} new, {self.duplicates} duplicate, {self.failed} failed"
        return f"{text} — {self.error}" if self.error else text


def polled_channels() -> list[str]:
    return [
        info.name for info in host().call("sesim_channel_info") if getattr(info, "polled", False)
    ]


def fetch(channel: str | None = None) -> list[FetchResult]:
    """Fetch from one polled channel, or all of them; never raises for a channel's failure."""
    results = []
    for plugin, fetch_messages in host().implementations("sesim_fetch_messages"):
        if channel and plugin != channel:
            continue
        results.append(_fetch_one(plugin, fetch_messages))
    return results


def _fetch_one(plugin: str, fetch_messages) -> FetchResult:
    result = FetchResult(plugin)
    since = db.session.query(func.max(Message.received_at)).filter_by(channel=plugin).scalar()
    messages = fetch_messages(app=current_app._get_current_object(), since=since) or ()
    try:
        for inbound in tracked(messages, f"Fetching {plugin}"):
            try:
                _message, created = receive(inbound)
            except Exception as exc:
                # Stop here: resuming would let the plugin move its cursor past the message that
                # could not be stored, and it would never be fetched again.
                db.session.rollback()
                log.exception("could not store a message from %s", plugin)
                result.failed += 1
                result.error = f"stopped at a message that could not be stored ({type(exc).__name__})"
                getattr(messages, "close", lambda: None)()
                break
            if created:
                result.new += 1
            else:
                result.duplicates += 1
    except Exception as exc:  # the channel itself failed: keep what was stored, say why
        db.session.rollback()
        log.warning("fetching from %s failed: %s", plugin, exc)
        result.error = str(exc) or type(exc).__name__
    if result.error:
        health.failed(plugin, result.error)
    else:
        health.ok(plugin)
    return result
