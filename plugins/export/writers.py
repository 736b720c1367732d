"""The built-in export formats: CSV, GeoJSON and KML, each a generator of text chunks so a
download of a million reports never sits in memory whole."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from core.exports import csv_cell

CSV_COLUMNS = (
    "id", "title", "story", "occurred_on", "published_at", "categories", "verified",
    "place", "region", "region_id", "lat", "lon", "source_channel",
)
ROWS_PER_CHUNK = 200


def _chunks(lines: Iterable[str], size: int = ROWS_PER_CHUNK) -> Iterator[str]:
    """Join small pieces into chunks of ``size`` so the response is not one write per row."""
    buffer: list[str] = []
    for line in lines:
        buffer.append(line)
        if len(buffer) >= size:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


def write_csv(rows: Iterable[dict]) -> Iterator[str]:
    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        yield "\ufeff" + buffer.getvalue()  # BOM: spreadsheet programs then read UTF-8 right
        for row in rows:
            buffer.seek(0)
            buffer.truncate()
            # The id is ours (URL-safe random text) and may start with "-": kept as is so it still
            # matches the API and /reports/<id>; every other text cell is made formula-safe.
            writer.writerow([row["id"], *(csv_cell(row[c]) for c in CSV_COLUMNS[1:])])
            yield buffer.getvalue()

    return _chunks(lines())


GEOJSON_PROPERTIES = tuple(c for c in CSV_COLUMNS if c not in ("lat", "lon")) + ("category_names",)


def write_geojson(rows: Iterable[dict]) -> Iterator[str]:
    def pieces():
        yield '{"type": "FeatureCollection", "features": ['
        separator = "\n"
        for row in rows:
            geometry = None
            if row["lat"] is not None and row["lon"] is not None:
                geometry = {"type": "Point", "coordinates": [row["lon"], row["lat"]]}
            feature = {
                "type": "Feature",
                "id": row["id"],
                "geometry": geometry,
                "properties": {key: row[key] for key in GEOJSON_PROPERTIES},
            }
            yield separator + json.dumps(feature, ensure_ascii=False)
            separator = ",\n"
        yield "\n]}\n"

    return _chunks(pieces())


def _kml_placemark(row: dict) -> str:
    parts = [f"<Placemark id=\"r-{escape(row['id'])}\"><name>{escape(row['title'])}</name>"]
    details = [row["occurred_on"], ", ".join(row["category_names"]), row["place"] or row["region"] or ""]
    parts.append(f"<description>{escape(' · '.join(d for d in details if d))}</description>")
    parts.append("<ExtendedData>")
    for key in ("occurred_on", "verified", "region_id", "source_channel"):
        value = row[key]
        text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
        parts.append(f'<Data name="{key}"><value>{escape(text)}</value></Data>')
    parts.append(f'<Data name="categories"><value>{escape(";".join(row["categories"]))}</value></Data>')
    parts.append("</ExtendedData>")
    if row["lat"] is not None and row["lon"] is not None:
        parts.append(f"<Point><coordinates>{row['lon']},{row['lat']}</coordinates></Point>")
    parts.append("</Placemark>\n")
    return "".join(parts)


def write_kml(rows: Iterable[dict]) -> Iterator[str]:
    def pieces():
        yield ('<?xml version="1.0" encoding="UTF-8"?>\n'
               '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Sesim</name>\n')
        for row in rows:
            yield _kml_placemark(row)
        yield "</Document></kml>\n"

    return _chunks(pieces())
