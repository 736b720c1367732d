"""The deployer's tiles: a tile server (``SESIM_MAP_TILE_URL``), the only other host the map page may
load from, and only when it is set; or a folder of tiles Sesim serves itself (``SESIM_MAP_TILE_DIR``),
which contacts no one. Neither set, or unusable: the map shows the bundled outlines only."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger("sesim.map")
PLACEHOLDER = re.compile(r"\{[a-z]+\}")
LOCAL_URL = "/map/tiles/{z}/{x}/{y}.png"  # served by views.tile from SESIM_MAP_TILE_DIR


@dataclass(frozen=True)
class TileSource:
    url: str  # Leaflet template, e.g. https://{s}.tile.example.org/{z}/{x}/{y}.png
    attribution: str
    origin: str | None  # what the CSP's img-src must add, e.g. https://*.tile.example.org; None: self


def tile_dir(config) -> Path | None:
    """The folder of ``{z}/{x}/{y}.png`` tiles the deployer prepared, when set and present."""
    folder = (config.get("SESIM_MAP_TILE_DIR") or "").strip()
    if not folder:
        return None
    if not Path(folder).is_dir():
        log.error("SESIM_MAP_TILE_DIR=%r is not a folder; the map shows the outlines only", folder)
        return None
    return Path(folder)


def tile_source(config) -> TileSource | None:
    """The configured tiles, or ``None`` (offline outlines) when unset or not a usable template."""
    if tile_dir(config):
        attribution = (config.get("SESIM_MAP_TILE_ATTRIBUTION") or "").strip()
        if not attribution:  # tiles carry a licence (OpenStreetMap's asks for its credit)
            log.error("SESIM_MAP_TILE_DIR is set but SESIM_MAP_TILE_ATTRIBUTION is empty: name the "
                      "tiles' source (e.g. © OpenStreetMap contributors); the map shows the outlines only")
            return None
        return TileSource(LOCAL_URL, attribution, None)
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
