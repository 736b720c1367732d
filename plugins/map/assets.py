"""The map page's script and style sheet, each one response instead of two: Leaflet and ``map.js``
joined, ``leaflet.css`` and ``map.css`` joined. On 2G every request costs a round trip and ~400 B
of headers. Each is served at an address naming its content (``map-<digest>.js``), so a browser
may keep it for a year: a changed file is a new address, never a stale copy."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

STATIC = Path(__file__).parent / "static"
# name -> the files joined, in order; the tiles build only when the deployer set tiles
BUNDLES = {
    "map.js": ("vendor/leaflet/leaflet.js", "map.js"),
    "map-tiles.js": ("vendor/leaflet/leaflet-tiles.js", "map.js"),
    "map.css": ("vendor/leaflet/leaflet.css", "map.css"),
}
MIMETYPES = {"js": "text/javascript", "css": "text/css"}
YEAR = 365 * 86400


@functools.cache
def _joined(name: str, stamps: tuple) -> tuple[str, bytes]:
    body = b"\n".join((STATIC / part).read_bytes() for part in BUNDLES[name])
    return hashlib.sha256(body).hexdigest()[:16], body


def bundle(name: str) -> tuple[str, bytes]:
    """``(digest, body)`` of bundle ``name``, joined again only when one of its files changed."""
    stamps = tuple((STATIC / part).stat().st_mtime_ns for part in BUNDLES[name])
    return _joined(name, stamps)


def filename(name: str) -> str:
    """``map-<digest>.js`` for ``map.js``: the address of this version of the bundle."""
    stem, ext = name.rsplit(".", 1)
    return f"{stem}-{bundle(name)[0]}.{ext}"
