"""Absolute links (feeds, API paging, invitations, mail sent by the worker) on the deployment's
public address: behind a proxy the request's own host may be an internal name, and the worker has
no request at all."""

from flask import current_app, has_request_context, url_for


def absolute_url(endpoint: str, **values) -> str:
    base = (current_app.config.get("SESIM_PUBLIC_URL") or "").rstrip("/")
    if not has_request_context():  # the worker: build the path as a request to "/" would
        with current_app.test_request_context("/"):
            return absolute_url(endpoint, **values)
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
