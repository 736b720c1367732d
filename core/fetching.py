"""Polling channels: each yielded message is stored before the plugin's generator resumes."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app

from core import channels, health
from core.extensions import db
from core.intake import receive
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
    return [info.name for info in channels.polled()]


def fetch(channel: str | None = None) -> list[FetchResult]:
    """Fetch from one channel by name, or every polled one; never raises for a channel's
    failure."""
    if channel:  # asked by name: fetch it even when it is not polled on a schedule
        info = channels.get(channel)
        return [_fetch_one(info.name, info.fetch)] if info and info.fetch else []
    return [_fetch_one(info.name, info.fetch) for info in channels.polled()]


def _fetch_one(name: str, fetch_messages) -> FetchResult:
    result = FetchResult(name)
    try:
        messages = fetch_messages(current_app._get_current_object()) or ()
        for inbound in tracked(messages, f"Fetching {name}"):
            try:
                _message, created = receive(inbound)
            except Exception as exc:
                # Stop here: resuming would let the plugin move its cursor past the message that
                # could not be stored, and it would never be fetched again.
                db.session.rollback()
                log.exception("could not store a message from %s", name)
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
        log.warning("fetching from %s failed: %s", name, exc)
        result.error = str(exc) or type(exc).__name__
    if result.error:
        health.failed(name, result.error)
    else:
        health.ok(name)
    return result
