"""Absolute links (feeds, API paging, invitations) on the deployment's public address: behind a
proxy the request's own host may be an internal name."""

from flask import current_app, url_for


def absolute_url(endpoint: str, **values) -> str:
    base = (current_app.config.get("SESIM_PUBLIC_URL") or "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
