"""Server-side grid clustering: the browser gets at most one feature per grid cell, whatever the
number of reports, so a phone on 2G draws a country of 100,000 reports as a few dozen circles.

The cell size follows the zoom (about a quarter of a 256-pixel tile, ``core.mapgrid``), so clusters
split as a reader zooms in. Reports published at the same blurred point always share a feature: they
cannot be told apart on a map, and showing them as one is also what keeps a single report from
standing out.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from core.mapgrid import MICRO, cell_key, cell_size, micro

MIN_ZOOM, MAX_ZOOM = 0, 20
MERGE_DISTANCE = 0.75  # in cells: closer cluster centres are drawn as one
MERGE_LIMIT = 2000  # above this many cells, skip merging (quadratic) and keep the grid


@dataclass
class Cluster:
    """The reports of one grid cell: how many, where (their mean public point; sums in
    micro-degrees), and of what kind."""

    count: int = 0
    lat_sum: int = 0
    lon_sum: int = 0
    categories: Counter = field(default_factory=Counter)
    bounds: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # west, south, east, north
    keys: list = field(default_factory=list)  # the grid cells merged into this cluster

    def add(self, count: int, lat_sum: int, lon_sum: int) -> None:
        self.count += count
        self.lat_sum += lat_sum
        self.lon_sum += lon_sum

    @property
    def point(self) -> tuple[float, float]:
        return self.lat_sum / self.count / MICRO, self.lon_sum / self.count / MICRO

    @property
    def dominant(self) -> int | None:
        """The category with most reports here (ties: the lowest id, so the answer is stable)."""
        if not self.categories:
            return None
        return min(self.categories.items(), key=lambda item: (-item[1], item[0]))[0]


def grid(points, zoom: int, latitude: float) -> dict[tuple[int, int], Cluster]:
    """Group ``(lat, lon, count, {category_id: count})`` into grid cells keyed by ``(row, column)``."""
    cells: dict[tuple[int, int], Cluster] = defaultdict(Cluster)
    for lat, lon, count, categories in points:
        cell = cells[cell_key(lat, lon, zoom, latitude)]
        cell.add(count, micro(lat) * count, micro(lon) * count)
        cell.categories.update(categories)
    return cells


def merged(cells: dict[tuple[int, int], Cluster], zoom: int, latitude: float) -> dict:
    """The clusters drawn at ``zoom`` from its grid cells: each cell's bounds, and close ones merged."""
    lat_step, lon_step = cell_size(zoom, latitude)
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
        target.add(cell.count, cell.lat_sum, cell.lon_sum)
        target.categories.update(cell.categories)
        target.keys.extend(cell.keys)
        w, s, e, n = target.bounds
        cw, cs, ce, cn = cell.bounds
        target.bounds = (min(w, cw), min(s, cs), max(e, ce), max(n, cn))
    return kept
