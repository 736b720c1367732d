"""The one place that builds tweepy's ``Client`` (API v2) from the deployment's settings and turns
tweepy's and requests' failures into one clear error for ``sesim channels fetch``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
import tweepy

TIMEOUT = 30  # seconds per HTTP request; tweepy sets none


class TwitterError(RuntimeError):
    """Fetching or sending failed; the message says why and what to check."""


class RateLimited(TwitterError):
    """X answered 429; ``reset_at`` is when the window reopens (UTC), if X said so."""

    def __init__(self, message: str, reset_at: datetime | None):
        super().__init__(message)
        self.reset_at = reset_at


class Unreachable(TwitterError):
    """X could not be reached at all (DNS, connection, timeout)."""


class _TimeoutSession(requests.Session):
    """A requests session with a default timeout, so a stalled X never blocks the worker."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(*args, **kwargs)


@dataclass(frozen=True)
class Credentials:
    bearer_token: str
    consumer_key: str
    consumer_secret: str
    access_token: str
    access_token_secret: str

    @classmethod
    def from_config(cls, config) -> Credentials:
        def get(name):
            return str(config.get(f"SESIM_TWITTER_{name}") or "").strip()

        return cls(get("BEARER_TOKEN"), get("CONSUMER_KEY"), get("CONSUMER_SECRET"),
                   get("ACCESS_TOKEN"), get("ACCESS_TOKEN_SECRET"))

    @property
    def user_context(self) -> bool:
        """OAuth 1.0a user context: needed for direct messages and for replying."""
        return all((self.consumer_key, self.consumer_secret, self.access_token, self.access_token_secret))

    @property
    def configured(self) -> bool:
        return bool(self.bearer_token) or self.user_context


def make_client(creds: Credentials) -> tweepy.Client:
    client = tweepy.Client(
        bearer_token=creds.bearer_token or None,
        consumer_key=creds.consumer_key or None,
        consumer_secret=creds.consumer_secret or None,
        access_token=creds.access_token or None,
        access_token_secret=creds.access_token_secret or None,
        wait_on_rate_limit=False,  # we decide: a short wait, or stop and keep the position
    )
    client.session = _TimeoutSession()
    return client


_OAUTH1_USER = re.compile(r"^(\d+)-")


def account_id(client: tweepy.Client, creds: Credentials) -> str:
    """The deployment's own account id: the prefix of an OAuth 1.0a access token, else ``/2/users/me``."""
    match = _OAUTH1_USER.match(creds.access_token)
    if match:
        return match.group(1)
    try:
        response = call(client.get_me, user_auth=creds.user_context)
    except TwitterError as exc:
        raise TwitterError(f"cannot tell which X account is ours ({exc}); set SESIM_TWITTER_ACCESS_TOKEN "
                           "(its prefix is the account id), or use an OAuth 2.0 user token as the "
                           "bearer token") from exc
    return str(response.data.id)


def call(method, *args, **kwargs):
    """Call a tweepy method; raise ``TwitterError`` with a message a deployer can act on."""
    try:
        return method(*args, **kwargs)
    except tweepy.TooManyRequests as exc:
        reset_at = _reset_time(exc)
        when = f" (the limit resets at {reset_at:%H:%M:%S} UTC)" if reset_at else ""
        raise RateLimited(f"X rate limit reached{when}; the next fetch resumes from the saved "
                          "position", reset_at) from exc
    except tweepy.Unauthorized as exc:
        raise TwitterError("X refused the credentials (401 Unauthorized): the token was revoked or "
                           "is wrong; check the SESIM_TWITTER_* settings") from exc
    except tweepy.Forbidden as exc:
        detail = "; ".join(exc.api_messages) or "no detail"
        raise TwitterError(f"X refused the request (403 Forbidden: {detail}); the app's access level "
                           "or permissions do not allow it") from exc
    except tweepy.HTTPException as exc:
        status = getattr(exc.response, "status_code", "?")
        raise TwitterError(f"X answered HTTP {status}: {exc}") from exc
    except requests.RequestException as exc:
        raise Unreachable(f"could not reach X ({type(exc).__name__}): check the network") from exc


def _reset_time(exc: tweepy.TooManyRequests) -> datetime | None:
    reset = getattr(exc, "reset_time", None)
    if reset is None:
        return None
    return datetime.fromtimestamp(int(reset), UTC)
