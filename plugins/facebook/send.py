"""Replies through the Messenger Send API, always privately: a Messenger message goes back to the
sender's page-scoped id, and a visitor post or comment gets a *private reply* (a Messenger message
to its author), never a public comment that would point at her."""

from __future__ import annotations

import json
from datetime import timedelta

from core.models.base import utcnow
from plugins.facebook.graph import GraphError, make_graph

STANDARD_WINDOW = timedelta(hours=24)  # after this, only the HUMAN_AGENT tag may answer (7 days)


def _recipient(message) -> dict:
    original = message.in_reply_to
    kind = (original.data or {}).get("kind") if original is not None else None
    if kind == "comment":
        return {"comment_id": original.external_id}
    if kind == "post":
        return {"post_id": original.external_id}
    if not message.sender:
        raise GraphError("this message has no Facebook recipient")
    return {"id": message.sender}


def send(config, message) -> bool:
    page_id = str(config.get("SESIM_FACEBOOK_PAGE_ID") or "").strip()
    if not page_id:
        raise GraphError("SESIM_FACEBOOK_PAGE_ID is not set")
    body = {
        "recipient": json.dumps(_recipient(message)),
        "message": json.dumps({"text": message.text}),
        "messaging_type": "RESPONSE",
    }
    original = message.in_reply_to
    if original is not None and utcnow() - original.received_at > STANDARD_WINDOW:
        body.update(messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
    make_graph(config).post(f"{page_id}/messages", **body)
    return True
