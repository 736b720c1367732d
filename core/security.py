"""Response headers that keep public pages to our own host and out of shared caches.

The Content-Security-Policy is built once (core sources plus each plugin's ``sesim_csp_sources``).
A page that needs one inline script asks for this response's nonce with ``csp_nonce()`` (a
Jinja global: ``<script nonce="{{ csp_nonce() }}">``); only that response's ``script-src`` then
carries ``'nonce-…'``, every other response keeps the site-wide policy unchanged.
"""

from __future__ import annotations

import secrets

from flask import abort, current_app, g, request

from core.plugins import PluginHost

BASE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],  # category colours; no inline <style> or script
    "script-src": ["'self'"],
    "connect-src": ["'self'"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


# Sub-resources a page loads, never shown as a document of their own: a browser applies a
# Content-Security-Policy, X-Frame-Options and Permissions-Policy only to documents (HTML, SVG,
# XML), so on these they are dead weight, about 450 bytes on each of the map's dozen requests
# on 2G. They keep nosniff (a script or style is never read as anything else) and no-referrer.
SUBRESOURCES = frozenset({
    "text/css", "text/javascript", "application/javascript", "application/json",
    "application/geo+json", "image/png", "image/jpeg", "image/webp", "image/gif",
})


def build_policy(app, plugins: PluginHost) -> dict[str, list[str]]:
    policy = {key: list(values) for key, values in BASE_CSP.items()}
    with app.app_context():
        for extra in plugins.wire("sesim_csp_sources", app=app):
            for directive, sources in extra.items():
                policy.setdefault(directive, ["'self'"]).extend(sources)
    return {directive: list(dict.fromkeys(sources)) for directive, sources in policy.items()}


def render_policy(policy: dict[str, list[str]], nonce: str | None = None) -> str:
    """The header value; with a nonce, ``'nonce-…'`` joins ``script-src`` (this response only)."""
    if nonce:
        policy = {**policy, "script-src": [*policy.get("script-src", ["'self'"]), f"'nonce-{nonce}'"]}
    return "; ".join(f"{d} {' '.join(s)}" for d, s in policy.items())


def csp_nonce() -> str:
    """This response's script nonce, made on first use; using it puts it in the response's policy."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def init_app(app, plugins: PluginHost) -> None:
    policy = build_policy(app, plugins)
    app.extensions["sesim_csp"] = policy
    site_csp = render_policy(policy)
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.before_request
    def refuse_nul():
        """A NUL byte is never meaningful here, and PostgreSQL would answer it with an error."""
        if "\x00" in request.path or any("\x00" in v for v in request.args.values()):
            abort(400)
        form_checked = request.method == "POST" and not request.path.startswith(("/channels/", "/report"))
        if form_checked and any("\x00" in v for v in request.form.values()):
            abort(400)

    @app.after_request
    def set_headers(response):
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.mimetype in SUBRESOURCES and "Content-Security-Policy" not in response.headers:
            _lighter(response)
        else:
            nonce = g.get("csp_nonce")
            csp = render_policy(current_app.extensions["sesim_csp"], nonce) if nonce else site_csp
            response.headers.setdefault("Content-Security-Policy", csp)
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Permissions-Policy"] = "geolocation=(), camera=(), microphone=()"
            if request.is_secure:  # browsers then never try plain http, where a network could watch
                response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if request.method == "POST" or request.path.startswith(("/report", "/case", "/admin")):
            # Shared phones: nothing typed here may come back from the browser's cache.
            response.headers["Cache-Control"] = "no-store"
        return response


def _lighter(response) -> None:
    """A static file keeps its ETag and max-age: a file name for saving it, ``Expires`` (max-age
    wins in every browser) and ``Last-Modified`` (the ETag revalidates) are left out too."""
    if request.endpoint and request.endpoint.endswith("static"):
        for name in ("Content-Disposition", "Expires", "Last-Modified"):
            response.headers.pop(name, None)
