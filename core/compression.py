"""Compressed responses (Flask-Compress, brotli or gzip): HTML, CSS, JavaScript, JSON, GeoJSON,
feeds and exports shrink four to eight times, which is what makes the map usable on 2G.

Never compressed: a response that carries a secret next to text a visitor can influence, the
shape BREACH needs to guess the secret from compressed sizes. That is every page that rendered a
CSRF token (forms) and every ``no-store`` page (her report form, the case page with its code and
messages, staff pages). They are small; everything a visitor downloads in bulk is compressed.
"""

from __future__ import annotations

import gzip
from functools import lru_cache

import brotli
from flask import g, request
from flask_compress import Compress

MIMETYPES = [
    "text/html", "text/css", "text/plain", "text/csv", "text/xml", "text/javascript",
    "application/javascript", "application/json", "application/geo+json", "application/xml",
    "application/atom+xml", "application/rss+xml", "application/vnd.google-earth.kml+xml",
    "image/svg+xml",
]

compress = Compress()


def init_app(app) -> None:
    """Register before the other ``after_request`` handlers, so compression runs last."""
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "deflate"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config["COMPRESS_REGISTER"] = False  # our own after_request decides
    compress.init_app(app)

    @app.after_request
    def compress_response(response):
        if carries_secret(response) or response.status_code != 200:  # never a byte range
            return response
        if (request.endpoint or "").endswith("static") and response.mimetype in MIMETYPES:
            return compress_once(response)
        return compress.after_request(response)


def compress_once(response):
    """Theme and plugin files (Leaflet is 120 KB), and any response whose body never changes
    (a view may call this itself): compressed once per process at the highest level, then served
    from memory. Brotli's best is a quarter smaller than the level used for pages. A copy she
    already has gets a 304 with no body, whatever its encoding (the tag names it)."""
    if response.status_code != 200 or "Content-Encoding" in response.headers:
        return response
    accepted = request.accept_encodings
    algorithm = "br" if accepted["br"] else "gzip" if accepted["gzip"] else None
    response.vary.add("Accept-Encoding")
    if algorithm is not None:
        response.direct_passthrough = False
        data = response.get_data()
        response.close()  # the file is read: close it now
        if len(data) >= 500:  # below that the headers would cost more than they save
            etag, weak = response.get_etag()
            response.set_data(_squeezed(request.path, etag or "", algorithm, data))
            response.headers["Content-Encoding"] = algorithm
            if etag:  # the encoding is part of the tag, so a revalidation must match it too
                response.set_etag(f"{etag}:{algorithm}", weak=weak)
    return response.make_conditional(request)


@lru_cache(maxsize=64)
def _squeezed(path: str, etag: str, algorithm: str, data: bytes) -> bytes:
    if algorithm == "br":
        return brotli.compress(data, quality=11)
    return gzip.compress(data, compresslevel=9, mtime=0)


def carries_secret(response) -> bool:
    """True for a page that rendered a CSRF token, or one no cache may keep (personal pages)."""
    from flask import current_app

    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return field in g or "no-store" in (response.headers.get("Cache-Control") or "")
