"""``sesim doctor`` for Facebook: a webhook without its verify token or app secret, or a page
without its access token, is an ERROR with the fix; ``--live`` asks the Graph API whether the page
token works (short time-out)."""

from __future__ import annotations

from core.doctor import LIVE_TIMEOUT, Finding

NEEDS = {
    "SESIM_FACEBOOK_VERIFY_TOKEN": "Facebook cannot subscribe the webhook",
    "SESIM_FACEBOOK_APP_SECRET": "webhook signatures cannot be checked, so every event is refused",
    "SESIM_FACEBOOK_PAGE_ACCESS_TOKEN": "messages cannot be fetched nor answered",
    "SESIM_FACEBOOK_PAGE_ID": "the page's own posts cannot be told from hers",
}


def checks(app, live: bool) -> list[Finding]:
    config = app.config
    found = [Finding("error", f"facebook: {key} is not set: {why} — set it")
             for key, why in NEEDS.items() if not str(config.get(key) or "").strip()]
    if live and str(config.get("SESIM_FACEBOOK_PAGE_ACCESS_TOKEN") or "").strip():
        found.append(_live(config))
    return found


def _live(config) -> Finding:
    from plugins.facebook.graph import GraphError, make_graph

    try:
        graph = make_graph(config)
        graph._api.timeout = LIVE_TIMEOUT
        graph.get("me", fields="id")
    except GraphError as exc:
        return Finding("error", f"facebook: {exc}")
    return Finding("ok", "facebook: the Graph API accepted the page access token")
