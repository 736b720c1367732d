"""``sesim doctor`` for X: no credentials is an ERROR with the fix; ``--live`` asks X whether the
token works (short time-out)."""

from __future__ import annotations

from core.doctor import LIVE_TIMEOUT, Finding


def checks(app, live: bool) -> list[Finding]:
    from plugins.twitter.client import Credentials

    creds = Credentials.from_config(app.config)
    if not creds.configured:
        return [Finding("error", "twitter: the X plugin is on without credentials — set "
                                 "SESIM_TWITTER_BEARER_TOKEN (and the four OAuth 1.0a keys to read and "
                                 "answer direct messages)")]
    found: list[Finding] = []
    if not creds.user_context:
        found.append(Finding("warning", "twitter: replies need the OAuth 1.0a keys — set "
                                        "SESIM_TWITTER_CONSUMER_KEY, _CONSUMER_SECRET, _ACCESS_TOKEN "
                                        "and _ACCESS_TOKEN_SECRET"))
    if live:
        found.append(_live(app.config, creds))
    return found


def _live(config, creds) -> Finding:
    from plugins.twitter.client import TwitterError, call, make_client

    client = make_client(creds)
    client.session.request = _with_timeout(client.session.request)
    try:
        call(client.get_me, user_auth=creds.user_context)
    except TwitterError as exc:
        return Finding("error", f"twitter: {exc}")
    return Finding("ok", "twitter: X accepted the credentials")


def _with_timeout(request):
    def bounded(*args, **kwargs):
        kwargs["timeout"] = LIVE_TIMEOUT
        return request(*args, **kwargs)

    return bounded
