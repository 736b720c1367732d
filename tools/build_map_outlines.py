"""Build the map's bundled outlines (``plugins/map/data/``) from Natural Earth and the gazetteer.

Run by a developer when the gazetteer or the source data change, never by a deployment:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz     # Natural Earth 1:10m, public domain
    .venv/bin/pip install -e '.[maps]'                              # shapely, for clipping/simplifying
    .venv/bin/python tools/build_map_outlines.py package/countries-10m.json

It writes two small GeoJSON files (see docs/map.md, "Outlines"):
- ``base.geojson``: Azerbaijan's border and the Caspian Sea near it (the sea is the frame minus every
  country's land), simplified to ~``BORDER_TOLERANCE`` degrees;
- ``areas.geojson``: Baku's districts and the regions, drawn from the gazetteer by
  ``plugins.map.outlines.generated`` (approximate) and clipped to the land, so no district reaches
  into the sea.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from shapely.geometry import Point, box, mapping, shape
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import gazetteer  # noqa: E402
from plugins.map.outlines import generated  # noqa: E402

OUT = ROOT / "plugins" / "map" / "data"
FRAME = (43.5, 37.5, 52.0, 43.0)  # west, south, east, north: what the map can be panned over
AZERBAIJAN = "031"
BORDER_TOLERANCE = 0.004  # degrees (~400 m): invisible at the zoom a district is read at
AREA_TOLERANCE = 0.002
DIGITS = 3  # ~100 m, a quarter of BORDER_TOLERANCE: unseen at the zooms the map opens at
COUNTRY_LABEL, SEA_LABEL = (47.6, 40.55), (50.05, 40.2)  # lon, lat; checked to lie inside


def topojson_geometries(path: Path) -> dict[str, dict]:
    """Natural Earth countries from world-atlas TopoJSON, as GeoJSON geometries by ISO number."""
    topo = json.loads(path.read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indexes):
        points = []
        for index in indexes:
            part = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(part if not points else part[1:])
        return points

    result = {}
    for geometry in topo["objects"]["countries"]["geometries"]:
        if geometry["type"] == "Polygon":
            coordinates = [ring(r) for r in geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            coordinates = [[ring(r) for r in polygon] for polygon in geometry["arcs"]]
        else:
            continue
        result[geometry.get("id")] = {"type": geometry["type"], "coordinates": coordinates}
    return result


def rounded(geometry) -> dict:
    def walk(value):
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], float):
            return [round(value[0], DIGITS), round(value[1], DIGITS)]
        return [walk(v) for v in value]

    data = mapping(geometry)
    return {"type": data["type"], "coordinates": walk(data["coordinates"])}


def feature(geometry, **properties) -> dict:
    return {"type": "Feature", "geometry": rounded(geometry), "properties": properties}


def write(name: str, features: list) -> None:
    path = OUT / name
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")
    print(f"{path.relative_to(ROOT)}: {len(features)} features, {len(text):,} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("countries", type=Path, help="world-atlas countries-10m.json")
    args = parser.parse_args()
    frame = box(*FRAME)
    countries = {}
    for key, geometry in topojson_geometries(args.countries).items():
        try:
            countries[key] = shape(geometry).buffer(0)
        except ValueError:  # a few specks far away are below TopoJSON's quantisation
            continue
    land = unary_union([g for g in countries.values() if g.intersects(frame)]).intersection(frame)
    azerbaijan = countries[AZERBAIJAN]
    sea = frame.difference(land)
    # The Caspian is the biggest piece of water in the frame; small lakes and slivers are dropped.
    parts = getattr(sea, "geoms", [sea])
    caspian = max(parts, key=lambda p: p.area)
    assert caspian.contains(Point(SEA_LABEL)) and azerbaijan.contains(Point(COUNTRY_LABEL))
    write("base.geojson", [
        feature(caspian.simplify(BORDER_TOLERANCE), kind="sea", id="caspian", label_at=SEA_LABEL),
        feature(azerbaijan.simplify(BORDER_TOLERANCE), kind="country", id="AZ",
                label_at=COUNTRY_LABEL),
    ])
    areas = []
    for item in generated(gazetteer.load())["features"]:
        clipped = shape(item["geometry"]).intersection(azerbaijan)
        if clipped.is_empty:
            continue
        clipped = clipped.simplify(AREA_TOLERANCE)
        areas.append({**feature(clipped), "properties": item["properties"]})
    write("areas.geojson", areas)


if __name__ == "__main__":
    main()
