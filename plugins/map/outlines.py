"""Area outlines for the choropleth and the offline background: Baku's districts and the regions.

No open boundary dataset of the districts could be bundled, so the outlines are *drawn* from the
gazetteer: a region is the convex hull of small circles around its places (a "buffered hull"),
and a city's districts split that hull into Voronoi cells around each district's centre. They are
honest approximations, not borders. ``data/areas.geojson`` holds them clipped to the real land
(Natural Earth's border and Caspian coast, by ``tools/build_map_outlines.py``); without that file
they are drawn at start-up. A deployer who has real boundaries drops a GeoJSON file in
(``SESIM_MAP_AREAS_FILE`` or ``<instance>/map-areas.geojson``) whose features carry
``properties.id`` = a gazetteer place or region id.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path

from core import gazetteer
from core.config import ConfigError, split_list

log = logging.getLogger("sesim.map")

# Margin around a region's places, in degrees of latitude: a city is compact, a rural district
# (rayon) reaches well beyond its villages.
CITY_BUFFER, REGION_BUFFER = 0.05, 0.15
CIRCLE_STEPS = 16
INSTANCE_FILE = "map-areas.geojson"
BUNDLED_FILE = Path(__file__).parent / "data" / "areas.geojson"


@dataclass(frozen=True)
class Areas:
    """The outlines in use: a GeoJSON FeatureCollection plus what each report counts towards."""

    collection: dict  # features with properties id, kind, parent
    ids: frozenset
    approximate: bool

    def area_of(self, region_id: str | None, place_id: str | None, precision: str) -> str | None:
        """The outline a published report is counted in: its district when it has one, else its
        region; ``None`` when its place is hidden or no outline covers it."""
        if precision == "hidden":
            return None
        if precision != "region" and place_id in self.ids:
            return place_id
        return region_id if region_id in self.ids else None


# --- planar helpers, in a local equirectangular projection (x = lon·cos φ0, y = lat) -------------

def _project(lat: float, lon: float, scale: float) -> tuple[float, float]:
    return lon * scale, lat


def _unproject(x: float, y: float, scale: float) -> list[float]:
    return [round(x / scale, 5), round(y, 5)]  # GeoJSON order: lon, lat


def _convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain; counter-clockwise, no repeated end point."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    upper: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _buffered_hull(centres: list[tuple[float, float]], radius: float) -> list[tuple[float, float]]:
    ring = []
    for x, y in centres:
        for step in range(CIRCLE_STEPS):
            angle = 2 * math.pi * step / CIRCLE_STEPS
            ring.append((x + radius * math.cos(angle), y + radius * math.sin(angle)))
    return _convex_hull(ring)


def _clip(polygon: list[tuple[float, float]], site, other) -> list[tuple[float, float]]:
    """Keep the part of a convex polygon nearer to ``site`` than to ``other`` (one Voronoi step)."""
    mx, my = (site[0] + other[0]) / 2, (site[1] + other[1]) / 2
    nx, ny = other[0] - site[0], other[1] - site[1]

    def inside(p):
        return (p[0] - mx) * nx + (p[1] - my) * ny <= 0

    def crossing(p, q):
        dp = (p[0] - mx) * nx + (p[1] - my) * ny
        dq = (q[0] - mx) * nx + (q[1] - my) * ny
        t = dp / (dp - dq)
        return p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])

    result = []
    for i, current in enumerate(polygon):
        previous = polygon[i - 1]
        if inside(current):
            if not inside(previous):
                result.append(crossing(previous, current))
            result.append(current)
        elif inside(previous):
            result.append(crossing(previous, current))
    return result


def _feature(area_id: str, kind: str, parent: str | None, ring, scale: float) -> dict:
    coordinates = [_unproject(x, y, scale) for x, y in ring]
    coordinates.append(coordinates[0])
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [coordinates]},
        "properties": {"id": area_id, "kind": kind, "parent": parent},
    }


def generated(gaz: gazetteer.Gazetteer, region_ids=None) -> dict:
    """Approximate outlines from the gazetteer (see the module docstring)."""
    regions = [r for r in gaz.regions if not region_ids or r.id in region_ids]
    mid_lat = (gaz.bounds["south"] + gaz.bounds["north"]) / 2
    scale = math.cos(math.radians(mid_lat))
    centres = {r.id: _project(r.lat, r.lon, scale) for r in regions}
    features = []
    for region in regions:
        points = [centres[region.id]] + [_project(p.lat, p.lon, scale) for p in region.places]
        hull = _buffered_hull(points, CITY_BUFFER if region.kind == "city" else REGION_BUFFER)
        for other_id, other in centres.items():
            if other_id != region.id:
                hull = _clip(hull, centres[region.id], other)
        districts = [p for p in region.places if p.kind == "district"]
        if not districts:
            features.append(_feature(region.id, region.kind, None, hull, scale))
            continue
        sites = {p.id: _project(p.lat, p.lon, scale) for p in districts}
        for place in districts:
            cell = hull
            for other_id, other in sites.items():
                if other_id != place.id and other != sites[place.id]:
                    cell = _clip(cell, sites[place.id], other)
            if len(cell) >= 3:
                features.append(_feature(place.id, place.kind, region.id, cell, scale))
    return {"type": "FeatureCollection", "features": features}


def _read_file(path: Path, gaz: gazetteer.Gazetteer) -> dict:
    """A deployer's boundaries; features whose id the gazetteer does not know are left out."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"map areas file {path} cannot be read as GeoJSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ConfigError(f"map areas file {path} must be a GeoJSON FeatureCollection")
    features = []
    for feature in data.get("features") or []:
        props = (feature or {}).get("properties") or {}
        place = gaz.place(str(props.get("id", "")))
        geometry = (feature or {}).get("geometry") or {}
        if place is None or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            log.warning("map areas file %s: skipping a feature with id %r", path, props.get("id"))
            continue
        parent = None if isinstance(place, gazetteer.Region) else place.region_id
        features.append({"type": "Feature", "geometry": geometry,
                         "properties": {"id": place.id, "kind": place.kind, "parent": parent}})
    if not features:
        raise ConfigError(f"map areas file {path} has no polygon whose properties.id is a gazetteer id")
    return {"type": "FeatureCollection", "features": features}


def _areas(collection: dict, approximate: bool) -> Areas:
    return Areas(collection, frozenset(f["properties"]["id"] for f in collection["features"]), approximate)


def drawn(config) -> Areas:
    """The approximate outlines for the deployment's regions (``SESIM_REGIONS``, default all):
    the bundled ones clipped to the coast, or drawn now when that file is missing."""
    wanted = split_list(config.get("SESIM_REGIONS")) or None
    try:
        bundled = json.loads(BUNDLED_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _areas(generated(gazetteer.load(), wanted), True)
    features = [f for f in bundled["features"] if not wanted
                or (f["properties"]["parent"] or f["properties"]["id"]) in wanted]
    return _areas({"type": "FeatureCollection", "features": features}, True)


def load(config, instance_path: str) -> Areas:
    """The outlines this deployment uses; a broken deployer file raises ``ConfigError``."""
    configured = config.get("SESIM_MAP_AREAS_FILE") or ""
    candidate = Path(configured) if configured else Path(instance_path) / INSTANCE_FILE
    if configured and not candidate.is_file():
        raise ConfigError(f"SESIM_MAP_AREAS_FILE={configured!r} is not a file")
    if candidate.is_file():
        return _areas(_read_file(candidate, gazetteer.load()), False)
    return drawn(config)
