"""The grid public points are clustered on: one cell is about a quarter of a 256-pixel map tile at
each zoom, the same for every reader of a deployment (one reference latitude), so a cluster never
shifts on pan.

Cells nest: a cell at zoom ``z`` is exactly four cells at ``z + 1`` (steps halve in binary), so
counts kept per cell at a *band* zoom (``public_cells``) add up to the cells of every coarser zoom.
The map reads those few cells at country and region zooms instead of every public point.
"""

from __future__ import annotations

import math

CELLS_PER_TILE = 4  # 256 px / 4 = 64 px cells
BANDS = (7, 8, 9, 10)  # zooms whose cells are counted ahead (coarse to fine)
MICRO = 1_000_000  # coordinates are summed in micro-degrees: exact, whatever the order of changes


def reference_latitude() -> float:
    """One latitude for the cell shape of the whole deployment: the middle of the gazetteer.
    ``public_cells`` are filed by it: a release whose gazetteer bounds move it must recount them
    in a migration (``core.publiccounts.rebuild``; tests/test_public_counts.py holds the figure)."""
    from core import gazetteer

    bounds = gazetteer.load().bounds
    return (bounds["south"] + bounds["north"]) / 2


def cell_size(zoom: int, latitude: float) -> tuple[float, float]:
    """``(degrees of latitude, degrees of longitude)`` of one cell at ``zoom`` near ``latitude``."""
    lon_step = 360.0 / (2**zoom) / CELLS_PER_TILE
    # Web Mercator stretches latitude by 1/cos φ; square cells on screen need shorter steps.
    return lon_step * math.cos(math.radians(latitude)), lon_step


def cell_key(lat: float, lon: float, zoom: int, latitude: float) -> tuple[int, int]:
    """``(row, column)`` of the cell holding ``(lat, lon)`` at ``zoom``."""
    lat_step, lon_step = cell_size(zoom, latitude)
    return math.floor(lat / lat_step), math.floor(lon / lon_step)


def micro(degrees: float) -> int:
    return round(degrees * MICRO)
