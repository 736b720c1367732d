"""Places a reporter can name instead of dropping a pin: Baku's districts and the rural regions.

The data is bundled JSON, read once. Public locations are snapped to a place's centre (or to a
grid), so a published report never points at a doorstep.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "gazetteer.json"


@dataclass(frozen=True)
class Place:
    id: str
    kind: str
    names: dict
    lat: float
    lon: float
    region_id: str
    aliases: tuple = field(default=())
    population: int | None = None  # people living there (see "population_source" in the data)

    def name(self, language: str = "en") -> str:
        return self.names.get(language) or self.names["en"]


@dataclass(frozen=True)
class Region(Place):
    places: tuple = field(default=())


@dataclass(frozen=True, eq=False)
class Gazetteer:
    regions: tuple
    bounds: dict

    @property
    def places(self) -> dict[str, Place]:
        return _index(self)

    def region(self, region_id: str) -> Region | None:
        return next((r for r in self.regions if r.id == region_id), None)

    def place(self, place_id: str) -> Place | None:
        return self.places.get(place_id)

    def in_country(self, lat: float, lon: float) -> bool:
        b = self.bounds
        return b["south"] <= lat <= b["north"] and b["west"] <= lon <= b["east"]

    def nearest(self, lat: float, lon: float, region_ids=None) -> Place:
        """The named place closest to a point, so a pin can be published as a place."""
        candidates = [
            p
            for r in self.regions
            if not region_ids or r.id in region_ids
            for p in r.places
        ]
        return min(candidates, key=lambda p: _distance_km(lat, lon, p.lat, p.lon))


@cache
def _index(gazetteer: Gazetteer) -> dict[str, Place]:
    found = {}
    for region in gazetteer.regions:
        found[region.id] = region
        for place in region.places:
            found[place.id] = place
    return found


def _distance_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(a))


@cache
def load(path: Path = DATA) -> Gazetteer:
    raw = json.loads(path.read_text(encoding="utf-8"))
    regions = []
    for r in raw["regions"]:
        places = tuple(
            Place(p["id"], p["kind"], p["name"], p["lat"], p["lon"], r["id"], tuple(p["aliases"]),
                  p.get("population"))
            for p in r["places"]
        )
        regions.append(
            Region(r["id"], r["kind"], r["name"], r["lat"], r["lon"], r["id"],
                   tuple(r["aliases"]), r.get("population"), places)
        )
    return Gazetteer(tuple(regions), raw["bounds"])


def snap_to_grid(lat: float, lon: float, step: float) -> tuple[float, float]:
    """Centre of the grid cell holding the point: coarse enough to hide a street."""
    def snap(value):
        return round((math.floor(value / step) + 0.5) * step, 6)

    return snap(lat), snap(lon)


def public_location(place: Place | None, lat, lon, precision: str, grid: float, regions=None):
    """Return ``(public_lat, public_lon, place)`` for a report: never the exact point."""
    gaz = load()
    if place is None and lat is not None and lon is not None:
        place = gaz.nearest(lat, lon, regions)
    if precision == "grid" and lat is not None and lon is not None:
        return (*snap_to_grid(lat, lon, grid), place)
    if place is None:
        return None, None, None
    return place.lat, place.lon, place
