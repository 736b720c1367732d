"""Turn X tweets and direct-message events into ``core.intake.Inbound`` messages.

The sender's handle and numeric id go into ``Inbound.sender`` (encrypted by the core); ``data``
keeps only what moderators need to triage and nothing that identifies or links to the author:
no profile URL, no photo, no tweet URL.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from core.intake import Inbound

log = logging.getLogger("sesim.twitter")

CHANNEL = "twitter"
LANGUAGES = ("az", "ru", "en")
_SENDER_ID = re.compile(r"(?:^|\()(\d+)\)?$")


def format_sender(user_id, username: str | None) -> str:
    """``@handle (12345)``: the handle for moderators, the id for replies (handles can change)."""
    return f"@{username} ({user_id})" if username else str(user_id)


def sender_user_id(sender: str | None) -> str | None:
    """The numeric X user id kept in a stored sender, or None."""
    match = _SENDER_ID.search((sender or "").strip())
    return match.group(1) if match else None


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _media_kinds(attachments: dict | None, media: dict) -> list[str]:
    keys = (attachments or {}).get("media_keys") or []
    return [media.get(key, "media") for key in keys]


def is_retweet(tweet) -> bool:
    return any(ref.type == "retweeted" for ref in tweet.referenced_tweets or [])


def tweet_inbound(tweet, kind: str, users: dict, media: dict) -> Inbound:
    """A public tweet (a mention or a search match): already visible to everyone on X."""
    data = {"kind": kind, "public": True}
    kinds = _media_kinds(tweet.attachments, media)
    if kinds:
        data["media"] = kinds
    if any(ref.type == "replied_to" for ref in tweet.referenced_tweets or []):
        data["reply"] = True
    return Inbound(
        channel=CHANNEL,
        external_id=str(tweet.id),
        text=tweet.text or "",
        sender=format_sender(tweet.author_id, users.get(tweet.author_id)) if tweet.author_id else None,
        received_at=_naive_utc(tweet.created_at),
        language=tweet.lang if tweet.lang in LANGUAGES else None,
        data=data,
    )


def dm_inbound(event, users: dict, media: dict) -> Inbound:
    """A private direct message to the deployment's account."""
    data = {"kind": "dm", "public": False}
    kinds = _media_kinds(event.attachments, media)
    if kinds:
        data["media"] = kinds
    return Inbound(
        channel=CHANNEL,
        external_id=str(event.id),
        text=event.text or "",
        sender=format_sender(event.sender_id, users.get(event.sender_id)),
        received_at=_naive_utc(event.created_at),
        data=data,
    )

