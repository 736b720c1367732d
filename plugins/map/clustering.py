"""Server-side grid clustering: the browser gets at most one feature per grid cell, whatever the
number of reports, so a phone on 2G draws a country of 100,000 reports as a few dozen circles.

The cell size follows the zoom (about a quarter of a 256-pixel tile), so clusters split as a reader
zooms in. Reports published at the same blurred point always share a feature: they cannot be told
apart on a map, and showing them as one is also what keeps a single report from standing out.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

CELLS_PER_TILE = 4  # 256 px / 4 = 64 px cells
MIN_ZOOM, MAX_ZOOM = 0, 20
MERGE_DISTANCE = 0.75  # in cells: closer cluster centres are drawn as one
MERGE_LIMIT = 2000  # above this many cells, skip merging (quadratic) and keep the grid


@dataclass
class Cluster:
    """The reports of one grid cell: how many, where (their mean public point), and of what kind."""

    count: int = 0
    lat_sum: float = 0.0
    lon_sum: float = 0.0
    categories: Counter = field(default_factory=Counter)
    bounds: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # west, south, east, north
    keys: list = field(default_factory=list)  # the grid cells merged into this cluster

    @property
    def point(self) -> tuple[float, float]:
        return self.lat_sum / self.count, self.lon_sum / self.count

    @property
    def dominant(self) -> int | None:
        """The category with most reports here (ties: the lowest id, so the answer is stable)."""
        if not self.categories:
            return None
        return min(self.categories.items(), key=lambda item: (-item[1], item[0]))[0]


def cell_size(zoom: int, latitude: float) -> tuple[float, float]:
    """``(degrees of latitude, degrees of longitude)`` of one cell at ``zoom`` near ``latitude``."""
    lon_step = 360.0 / (2**zoom) / CELLS_PER_TILE
    # Web Mercator stretches latitude by 1/cos φ; square cells on screen need shorter steps.
    return lon_step * math.cos(math.radians(latitude)), lon_step


def cluster(points, zoom: int, latitude: float) -> dict[tuple[int, int], Cluster]:
    """Group ``(lat, lon, count, {category_id: count})`` into grid cells keyed by ``(row, column)``."""
    lat_step, lon_step = cell_size(zoom, latitude)
    cells: dict[tuple[int, int], Cluster] = defaultdict(Cluster)
    for lat, lon, count, categories in points:
        key = (math.floor(lat / lat_step), math.floor(lon / lon_step))
        cell = cells[key]
        cell.count += count
        cell.lat_sum += lat * count
        cell.lon_sum += lon * count
        cell.categories.update(categories)
    for (row, column), cell in cells.items():
        cell.bounds = (column * lon_step, row * lat_step, (column + 1) * lon_step, (row + 1) * lat_step)
        cell.keys = [(row, column)]
    return _merge_close(cells, lat_step, lon_step)


def _merge_close(cells: dict, lat_step: float, lon_step: float) -> dict:
    """Fold a cluster into a bigger neighbour whose centre is under ``MERGE_DISTANCE`` cells away,
    so two circles never sit on top of each other across a cell border."""
    if len(cells) > MERGE_LIMIT:
        return cells
    kept: dict = {}
    for key, cell in sorted(cells.items(), key=lambda item: (-item[1].count, item[0])):
        lat, lon = cell.point
        target = next((
            other for other in kept.values()
            if math.hypot((other.point[0] - lat) / lat_step, (other.point[1] - lon) / lon_step)
            < MERGE_DISTANCE
        ), None)
        if target is None:
            kept[key] = cell
            continue
        target.count += cell.count
        target.lat_sum += cell.lat_sum
        target.lon_sum += cell.lon_sum
        target.categories.update(cell.categories)
        target.keys.extend(cell.keys)
        w, s, e, n = target.bounds
        cw, cs, ce, cn = cell.bounds
        target.bounds = (min(w, cw), min(s, cs), max(e, ce), max(n, cn))
    return kept


def cell_key(lat: float, lon: float, zoom: int, latitude: float) -> tuple[int, int]:
    """The key ``cluster`` gives the cell holding ``(lat, lon)``."""
    lat_step, lon_step = cell_size(zoom, latitude)
    return math.floor(lat / lat_step), math.floor(lon / lon_step)
