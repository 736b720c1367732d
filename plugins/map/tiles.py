"""The deployer's tile server (``SESIM_MAP_TILE_URL``): the only other host the map page may load
from, and only when it is set. Unset or unusable, the map shows the bundled outlines instead."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

log = logging.getLogger("sesim.map")
PLACEHOLDER = re.compile(r"\{[a-z]+\}")


@dataclass(frozen=True)
class TileSource:
    url: str  # Leaflet template, e.g. https://{s}.tile.example.org/{z}/{x}/{y}.png
    attribution: str
    origin: str  # what the CSP's img-src must allow, e.g. https://*.tile.example.org


def tile_source(config) -> TileSource | None:
    """The configured tiles, or ``None`` (offline outlines) when unset or not a usable template."""
    url = (config.get("SESIM_MAP_TILE_URL") or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.netloc
    if parts.scheme not in ("https", "http") or not host or not all(
        f"{{{name}}}" in url for name in ("z", "x", "y")
    ):
        log.error("SESIM_MAP_TILE_URL=%r is not an http(s) URL with {z}, {x} and {y}; "
                  "the map shows the outlines only", url)
        return None
    # A subdomain placeholder ({s}) becomes a wildcard; any other placeholder in the host would
    # let tiles come from anywhere, so it is refused.
    host = host.replace("{s}.", "*.", 1)
    if PLACEHOLDER.search(host) or "@" in host:
        log.error("SESIM_MAP_TILE_URL=%r has a placeholder in its host other than a leading {s}", url)
        return None
    attribution = (config.get("SESIM_MAP_TILE_ATTRIBUTION") or "").strip() or host.replace("*.", "")
    return TileSource(url, attribution, f"{parts.scheme}://{host}")
