"""Polling for deployments that cannot receive webhooks: page conversations and visitor posts.

Each stream keeps the newest time it has read in ``ChannelCursor``; the Graph API lists newest
first, so the position moves only after the whole stream was read and every message yielded (the
core stores each one before this generator resumes). A failure half-way leaves it untouched: the
next run reads the same range again and the core counts the repeats as duplicates.
"""

from __future__ import annotations

import logging
from datetime import UTC

from core.models import ChannelCursor
from plugins.facebook.events import (
    CHANNEL,
    graph_message_inbound,
    graph_post_inbound,
    graph_time,
)
from plugins.facebook.graph import GraphError, GraphUnreachable, make_graph

log = logging.getLogger("sesim.facebook")

PAGE_SIZE = 25
MESSAGE_FIELDS = "id,message,created_time,from,attachments{mime_type}"


def fetch_all(config):
    page_id = str(config.get("SESIM_FACEBOOK_PAGE_ID") or "").strip()
    if not page_id:
        raise GraphError("SESIM_FACEBOOK_PAGE_ID is not set")
    graph = make_graph(config)
    failures = []
    for name, stream in (("conversations", _conversations), ("visitor posts", _visitor_posts)):
        try:
            yield from stream(graph, page_id)
        except GraphUnreachable:
            raise
        except GraphError as exc:
            failures.append(f"{name}: {exc}")
    if failures:
        raise GraphError("; ".join(failures))


def _is_new(moment, last) -> bool:
    return moment is not None and (last is None or moment > last)


def _conversations(graph, page_id: str):
    """Conversations come most recently updated first (no time filter on this edge)."""
    stored = ChannelCursor.get(CHANNEL, "conversations")
    last = graph_time(stored)
    newest = None
    for conversation in graph.pages(f"{page_id}/conversations", platform="messenger",
                                    fields="id,updated_time", limit=PAGE_SIZE):
        updated = graph_time(conversation.get("updated_time"))
        if not _is_new(updated, last):
            break
        if newest is None or updated > graph_time(newest):
            newest = conversation["updated_time"]
        for message in graph.pages(f"{conversation['id']}/messages", fields=MESSAGE_FIELDS,
                                   limit=PAGE_SIZE):
            if not _is_new(graph_time(message.get("created_time")), last):
                break
            if inbound := graph_message_inbound(message, page_id):
                yield inbound
    if newest:
        ChannelCursor.put(CHANNEL, "conversations", newest)


def _visitor_posts(graph, page_id: str):
    stored = ChannelCursor.get(CHANNEL, "visitor_posts")
    last = graph_time(stored)
    params = {"fields": "id,message,created_time,from", "limit": PAGE_SIZE}
    if last is not None:
        params["since"] = int(last.replace(tzinfo=UTC).timestamp())
    newest = None
    for post in graph.pages(f"{page_id}/visitor_posts", **params):
        created = graph_time(post.get("created_time"))
        if not _is_new(created, last):
            break
        if newest is None or created > graph_time(newest):
            newest = post["created_time"]
        if inbound := graph_post_inbound(post, page_id):
            yield inbound
    if newest:
        ChannelCursor.put(CHANNEL, "visitor_posts", newest)
