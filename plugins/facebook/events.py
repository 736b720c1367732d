"""Turn Facebook's webhook events and Graph API objects into ``core.intake.Inbound`` messages.

Messenger messages are private; visitor posts and comments on the page are public (already visible
to everyone on Facebook). The sender's page-scoped id goes into ``Inbound.sender`` (encrypted by
the core). ``data`` never holds a name, profile link or photo, a post URL or an attachment URL:
only the kind of message and the kinds of attachment.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from core.intake import Inbound

log = logging.getLogger("sesim.facebook")

CHANNEL = "facebook"
FEED_ITEMS = {"post": "post", "status": "post", "photo": "post", "video": "post", "comment": "comment"}


def _from_millis(value) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _from_seconds(value) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def graph_time(value: str | None) -> datetime | None:
    """Graph API times look like ``2024-03-01T10:00:00+0000``; naive UTC, or None."""
    try:
        return datetime.strptime(value or "", "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC).replace(tzinfo=None)
    except ValueError:
        return None


def _dict(value) -> dict:
    """Signed is not well-formed: a field that should be an object may be anything."""
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _id(value) -> str:
    return str(value).strip() if isinstance(value, str | int) and str(value).strip() else ""


def messaging_inbound(event: dict, page_id: str) -> Inbound | None:
    """One ``entry[].messaging[]`` event; None for echoes, receipts, postbacks and the page itself."""
    message = event.get("message")
    if not isinstance(message, dict) or message.get("is_echo"):
        return None
    sender = _id(_dict(event.get("sender")).get("id"))
    mid = _id(message.get("mid"))
    if not mid or not sender or sender == page_id:
        return None
    text = message.get("text") if isinstance(message.get("text"), str) else ""
    kinds = [str(a.get("type") or "file") for a in _list(message.get("attachments")) if isinstance(a, dict)]
    return _messenger(mid, sender, text, kinds, _from_millis(event.get("timestamp")))


def _messenger(mid: str, sender: str, text: str, kinds: list, received_at) -> Inbound | None:
    """A private Messenger message, from the webhook or from polling; None when it is empty."""
    if not text and not kinds:
        return None
    data = {"kind": "messenger", "public": False}
    if kinds:
        data["attachments"] = kinds
    return Inbound(channel=CHANNEL, external_id=mid, text=text, sender=sender,
                   received_at=received_at, data=data)


def feed_inbound(change: dict, page_id: str) -> Inbound | None:
    """One ``entry[].changes[]`` item of the page feed: a visitor's new post or comment."""
    if change.get("field") != "feed" or not isinstance(change.get("value"), dict):
        return None
    value = change["value"]
    item = value.get("item")
    kind = FEED_ITEMS.get(item) if isinstance(item, str) else None
    if kind is None or value.get("verb") != "add":
        return None
    sender = _id(_dict(value.get("from")).get("id"))
    external_id = _id(value.get("comment_id") if kind == "comment" else value.get("post_id"))
    if not external_id or not sender or sender == page_id:
        return None
    text = value.get("message") if isinstance(value.get("message"), str) else ""
    data = {"kind": kind, "public": True}
    if value.get("item") in ("photo", "video") or value.get("photo") or value.get("photos"):
        data["attachments"] = ["video" if value.get("item") == "video" else "photo"]
    return Inbound(channel=CHANNEL, external_id=external_id, text=text, sender=sender,
                   received_at=_from_seconds(value.get("created_time")), data=data)


def from_webhook(payload: dict, page_id: str) -> list[Inbound]:
    """Every message in a webhook body (Facebook batches several events per request)."""
    found = []
    for entry in _list(payload.get("entry")):
        if not isinstance(entry, dict):
            continue
        for event in _list(entry.get("messaging")):
            if isinstance(event, dict) and (inbound := messaging_inbound(event, page_id)):
                found.append(inbound)
        for change in _list(entry.get("changes")):
            if isinstance(change, dict) and (inbound := feed_inbound(change, page_id)):
                found.append(inbound)
    return found


def graph_message_inbound(message: dict, page_id: str) -> Inbound | None:
    """A message read from ``/{conversation-id}/messages`` (polling without webhooks)."""
    sender = _id(_dict(message.get("from")).get("id"))
    mid = _id(message.get("id"))
    if not mid or not sender or sender == page_id:
        return None
    text = message.get("message") if isinstance(message.get("message"), str) else ""
    attachments = _list(_dict(message.get("attachments")).get("data"))
    kinds = [_attachment_kind(a) for a in attachments if isinstance(a, dict)]
    return _messenger(mid, sender, text, kinds, graph_time(message.get("created_time")))


def graph_post_inbound(post: dict, page_id: str) -> Inbound | None:
    """A visitor post read from ``/{page-id}/visitor_posts``."""
    sender = _id(_dict(post.get("from")).get("id"))
    post_id = _id(post.get("id"))
    if not post_id or not sender or sender == page_id:
        return None
    text = post.get("message") if isinstance(post.get("message"), str) else ""
    return Inbound(channel=CHANNEL, external_id=post_id, text=text, sender=sender,
                   received_at=graph_time(post.get("created_time")), data={"kind": "post", "public": True})


def _attachment_kind(attachment: dict) -> str:
    mime = str(attachment.get("mime_type") or "")
    if mime.startswith(("image/", "video/", "audio/")):
        return mime.split("/", 1)[0]
    return "file"

