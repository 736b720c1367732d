"""Poll X: mentions of the deployment's account, the configured search and direct messages.

Each stream keeps its own position (a ``since_id``, or for DMs the newest event id) in
``ChannelCursor``. X returns newest first, page by page, so the position moves only after every
page of a stream has been read and every message yielded (the core stores each one before this
generator resumes). A run that stops half-way (429, 401, network) leaves the position where it was:
the next run reads the same range again and the core counts what it already has as duplicates.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import UTC, datetime

from core.models import ChannelCursor
from plugins.twitter.client import (
    Credentials,
    RateLimited,
    TwitterError,
    Unreachable,
    account_id,
    call,
    make_client,
)
from plugins.twitter.inbound import CHANNEL, dm_inbound, is_retweet, tweet_inbound

log = logging.getLogger("sesim.twitter")

TWEET_FIELDS = ["id", "text", "author_id", "created_at", "lang", "referenced_tweets", "attachments"]
DM_FIELDS = ["id", "text", "event_type", "created_at", "sender_id", "dm_conversation_id", "attachments"]
EXPANSIONS = ["author_id", "attachments.media_keys"]
PAGE_SIZE = 100


def _sleep(seconds: float) -> None:  # a seam for tests
    time.sleep(seconds)


def search_stream(query: str) -> str:
    """A changed query starts a new position instead of inheriting the old one's since_id."""
    return "search:" + hashlib.sha256(query.encode()).hexdigest()[:16]


def _newer(a, b):
    """The larger of two snowflake ids (str or int, either may be None), as a string."""
    values = [int(v) for v in (a, b) if v is not None]
    return str(max(values)) if values else None


def fetch_all(config):
    """Yield every new inbound message; raise ``TwitterError`` at the end if a stream failed."""
    creds = Credentials.from_config(config)
    if not creds.configured:
        raise TwitterError("X is not configured: set SESIM_TWITTER_BEARER_TOKEN or the four "
                           "SESIM_TWITTER_CONSUMER_*/ACCESS_TOKEN* settings")
    client = make_client(creds)
    account = account_id(client, creds)
    max_wait = float(config.get("SESIM_TWITTER_MAX_WAIT") or 0)
    user_auth = not creds.bearer_token  # mentions and search prefer the app's bearer token

    streams = [("mentions", lambda: _mentions(client, account, user_auth, max_wait))]
    query = str(config.get("SESIM_TWITTER_SEARCH") or "").strip()
    if query:
        streams.append(("search", lambda: _search(client, query, account, user_auth, max_wait)))
    if creds.user_context:
        streams.append(("direct messages", lambda: _direct_messages(client, account, max_wait)))
    else:
        log.info("X direct messages skipped: they need the four OAuth 1.0a user-context settings")

    failures = []
    for name, stream in streams:
        try:
            yield from stream()
        except Unreachable:
            raise  # the network is down for every stream: stop now
        except TwitterError as exc:
            failures.append(f"{name}: {exc}")
    if failures:
        raise TwitterError("; ".join(failures))


def _request(method, max_wait: float, **params):
    """One API call; a 429 whose window reopens within ``max_wait`` seconds is waited out once."""
    try:
        return call(method, **params)
    except RateLimited as exc:
        if exc.reset_at is None or max_wait <= 0:
            raise
        wait = (exc.reset_at - datetime.now(UTC)).total_seconds() + 1
        if wait > max_wait:
            raise
        log.warning("X rate limit: waiting %.0f s for the window to reopen", max(wait, 0))
        _sleep(max(wait, 0))
        return call(method, **params)


def _lookups(response) -> tuple[dict, dict]:
    includes = response.includes or {}
    users = {user.id: user.username for user in includes.get("users", [])}
    media = {item.media_key: item.type for item in includes.get("media", [])}
    return users, media


def _tweets(stream: str, kind: str, fetch_page, token_param: str, account: str, max_wait: float):
    since_id = ChannelCursor.get(CHANNEL, stream)
    newest, token = None, None
    while True:
        response = _request(fetch_page, max_wait, since_id=since_id, **{token_param: token})
        meta = response.meta or {}
        newest = _newer(newest, meta.get("newest_id"))
        users, media = _lookups(response)
        for tweet in response.data or []:
            newest = _newer(newest, tweet.id)
            if is_retweet(tweet) or str(tweet.author_id) == account:
                continue
            yield tweet_inbound(tweet, kind, users, media)
        token = meta.get("next_token")
        if not token:
            break
    if newest and newest != since_id:
        ChannelCursor.put(CHANNEL, stream, newest)


def _tweet_params(user_auth: bool) -> dict:
    return {"max_results": PAGE_SIZE, "tweet_fields": TWEET_FIELDS, "expansions": EXPANSIONS,
            "user_fields": ["username"], "media_fields": ["type"], "user_auth": user_auth}


def _mentions(client, account: str, user_auth: bool, max_wait: float):
    def page(**params):
        return client.get_users_mentions(account, **_tweet_params(user_auth), **params)

    return _tweets("mentions", "mention", page, "pagination_token", account, max_wait)


def _search(client, query: str, account: str, user_auth: bool, max_wait: float):
    full_query = f"({query}) -is:retweet"

    def page(**params):
        return client.search_recent_tweets(full_query, **_tweet_params(user_auth), **params)

    return _tweets(search_stream(query), "search", page, "next_token", account, max_wait)


def _direct_messages(client, account: str, max_wait: float):
    """``/2/dm_events`` has no since_id: read newest first until the stored event id is reached."""
    last = ChannelCursor.get(CHANNEL, "dm")
    newest, token = None, None
    while True:
        response = _request(
            client.get_direct_message_events, max_wait, event_types="MessageCreate",
            dm_event_fields=DM_FIELDS, expansions=["sender_id", "attachments.media_keys"],
            user_fields=["username"], media_fields=["type"], max_results=PAGE_SIZE,
            pagination_token=token, user_auth=True,
        )
        users, media = _lookups(response)
        reached_known = False
        for event in response.data or []:
            if last is not None and event.id <= int(last):
                reached_known = True
                break
            newest = _newer(newest, event.id)
            if event.event_type != "MessageCreate" or str(event.sender_id) == account:
                continue
            yield dm_inbound(event, users, media)
        token = (response.meta or {}).get("next_token")
        if reached_known or not token:
            break
    if newest:
        ChannelCursor.put(CHANNEL, "dm", newest)
