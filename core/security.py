"""Response headers that keep public pages to our own host and out of shared caches."""

from __future__ import annotations

from flask import abort, request

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
DOCUMENT_ONLY = ("Content-Security-Policy", "X-Frame-Options", "Permissions-Policy")


def build_csp(app, plugins: PluginHost) -> str:
    policy = {key: list(values) for key, values in BASE_CSP.items()}
    with app.app_context():
        for extra in plugins.call("sesim_csp_sources", app=app):
            for directive, sources in extra.items():
                policy.setdefault(directive, ["'self'"]).extend(sources)
    return "; ".join(f"{d} {' '.join(dict.fromkeys(s))}" for d, s in policy.items())


def init_app(app, plugins: PluginHost) -> None:
    csp = build_csp(app, plugins)

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
            response.headers.setdefault("Content-Security-Policy", csp)
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Permissions-Policy"] = "geolocation=(), camera=(), microphone=()"
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
