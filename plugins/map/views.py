"""``/map`` (filters as a plain GET form, the map shell, a list that needs no JavaScript) and its
data: ``/map/points.geojson`` (clusters in a bounding box) and ``/map/areas.geojson`` (outlines
with report counts, for the choropleth)."""

from __future__ import annotations

import functools
import logging
from dataclasses import replace
from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _

from core import gazetteer
from core.compression import compress_once
from core.config import ConfigError, split_list
from core.i18n import current_language
from core.models import Category
from core.numbers import whole
from core.publicdata import (
    FilterError,
    filter_args,
    parse_filters,
    public_fields,
    published,
    published_count,
)
from plugins.map import assets, outlines, points, shell
from plugins.map.clustering import MAX_ZOOM, MIN_ZOOM
from plugins.map.tiles import tile_dir, tile_source

log = logging.getLogger("sesim.map")


class _MapBlueprint(Blueprint):
    def get_send_file_max_age(self, filename):
        """Static files (Leaflet is 120 KB): a phone on 2G fetches them once a day at most (as theme
        files); the page itself loads the year-long bundles of plugins/map/assets.py."""
        return 86400


bp = _MapBlueprint("map", __name__, url_prefix="/map", template_folder="templates",
                   static_folder="static", static_url_path="/static")

PER_PAGE = 50
MAX_PAGE = 10_000
FILTER_KEYS = ("category", "since", "until", "region", "verified")
DEFAULT_ZOOM = 7
GEOJSON = "application/geo+json"
DATA = Path(__file__).parent / "data"
# What the map can be panned over: the frame of the bundled border and sea (south-west, north-east).
FRAME = [[37.5, 43.5], [43.0, 52.0]]


class InputError(ValueError):
    """A page number or zoom that cannot be used; ``str()`` is the translated reason."""


def init_app(app) -> None:
    try:
        areas = outlines.load(app.config, app.instance_path)
    except ConfigError as exc:  # the map must still work: fall back to the drawn outlines
        log.error("%s; using the outlines drawn from the gazetteer", exc)
        areas = outlines.drawn(app.config)
    app.extensions["sesim_map_areas"] = areas
    app.register_blueprint(bp)


def _areas() -> outlines.Areas:
    return current_app.extensions["sesim_map_areas"]



def _whole(value: str | None, name: str, low: int, high: int, default: int) -> int:
    if value is None or value == "":
        return default
    number = whole(value, low, high)
    if number is None:
        raise InputError(_("%(name)s must be a whole number from %(low)s to %(high)s.",
                           name=name, low=low, high=high))
    return number


def _filter_args(with_bbox: bool = False) -> dict:
    """The page's filters as query arguments, for links that keep them."""
    return filter_args(request.args, (*FILTER_KEYS, "bbox") if with_bbox else FILTER_KEYS)


def _json_error(exc: Exception):
    return jsonify(error=str(exc), status=400), 400


def _geojson(data: dict):
    response = jsonify(data)
    response.mimetype = GEOJSON
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/points.geojson")
def points_geojson():
    """Clusters of the matching published reports in ``bbox`` at ``zoom`` (default: the country)."""
    try:
        filters = parse_filters(request.args)
        zoom = _whole(request.args.get("zoom"), "zoom", MIN_ZOOM, MAX_ZOOM, DEFAULT_ZOOM)
    except (FilterError, InputError) as exc:
        return _json_error(exc)
    data = points.feature_collection(filters, zoom, current_language(), _filter_args())
    return _geojson(data)


@bp.route("/base.geojson")
def base_geojson():
    """Azerbaijan's border and the Caspian Sea near it (Natural Earth, simplified; 12 KB kept in
    memory, so a visitor who leaves mid-download leaves no open file behind)."""
    response = current_app.response_class(_base_bytes(), mimetype=GEOJSON)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    response.add_etag()
    # The same bytes for everyone: compressed once at brotli's best (2.5 KB instead of 3.5 KB).
    return compress_once(response)


@functools.cache
def _base_bytes() -> bytes:
    return (DATA / "base.geojson").read_bytes()


@bp.route("/assets/<name>")
def bundle(name):
    """Leaflet with ``map.js``, or the two style sheets, at the address of this version
    (``plugins/map/assets.py``): kept by the browser for a year, compressed once per process."""
    stem, _, ext = name.rpartition(".")
    base, _, digest = stem.rpartition("-")
    key = f"{base}.{ext}"
    if key not in assets.BUNDLES:
        return "", 404
    current, body = assets.bundle(key)
    if digest != current:  # an older version: the page that named it is gone too
        return "", 404
    response = current_app.response_class(body, mimetype=assets.MIMETYPES[ext])
    response.cache_control.public = True
    response.cache_control.max_age = assets.YEAR
    response.cache_control.immutable = True
    response.set_etag(current)
    return compress_once(response)


@bp.route("/tiles/<int:z>/<int:x>/<int:y>.png")
def tile(z, x, y):
    """A tile from the deployer's own folder (``SESIM_MAP_TILE_DIR``): no other host is contacted."""
    folder = tile_dir(current_app.config)
    if folder is None or z > MAX_ZOOM:
        return "", 404
    return send_from_directory(folder, f"{z}/{x}/{y}.png", mimetype="image/png", max_age=86400)


@bp.route("/areas.geojson")
def areas_geojson():
    """The outlines with the number of matching reports in each (``count``) and their names."""
    try:
        filters = parse_filters(request.args)
    except FilterError as exc:
        return _json_error(exc)
    counts, unplaced, _everywhere = points.area_counts(filters, _areas())
    language = current_language()
    gaz = gazetteer.load()
    features = []
    for feature in _areas().collection["features"]:
        props = feature["properties"]
        place = gaz.place(props["id"])
        features.append({**feature, "properties": {
            **props,
            "name": place.name(language) if place else props["id"],
            "label_at": [place.lon, place.lat] if place else None,
            "count": counts.get(props["id"], 0),
            "label": points.count_label(counts.get(props["id"], 0)),
            "list_url": url_for("map.index", **_area_args(props)) + "#reports",
        }})
    return _geojson({
        "type": "FeatureCollection",
        "features": features,
        "approximate": _areas().approximate,
        "max": max(counts.values(), default=0),
        "unplaced": {gaz.place(r).name(language) if gaz.place(r) else r: n for r, n in unplaced.items()},
    })


def _area_args(props: dict) -> dict:
    """Filters for the list of one area: its region (districts narrow no further than that)."""
    args = _filter_args()
    args["region"] = props.get("parent") or props["id"]
    return args


def _bounds(filters) -> list[list[float]]:
    """Where the map opens: the bbox asked for, else the chosen region's outlines, else the
    deployment's own area (Baku for the Baku profile, its four districts for the rural one)."""
    if filters.bbox:
        west, south, east, north = filters.bbox
        return [[south, west], [north, east]]
    rings = [
        point
        for f in _areas().collection["features"]
        if not filters.region or filters.region in (f["properties"]["id"], f["properties"]["parent"])
        for point in _flatten(f["geometry"]["coordinates"])
    ]
    if rings:
        lons, lats = [p[0] for p in rings], [p[1] for p in rings]
        return [[min(lats), min(lons)], [max(lats), max(lons)]]
    b = gazetteer.load().bounds
    return [[b["south"], b["west"]], [b["north"], b["east"]]]


def _flatten(coordinates):
    if coordinates and isinstance(coordinates[0], int | float):
        yield coordinates
        return
    for item in coordinates:
        yield from _flatten(item)


def _shell(filters, query_args: dict) -> shell.Shell:
    tiles = tile_source(current_app.config)
    query = url_for("map.points_geojson", **query_args).partition("?")[2]
    settings = {
        "points": url_for("map.points_geojson"),
        "areas": url_for("map.areas_geojson"),
        "base": url_for("map.base_geojson"),
        "query": query,
        "tiles": tiles is not None,
        "sources": _("Border and coast: Natural Earth"),
        "text": {
            "AZ": _("Azerbaijan"),
            "caspian": _("Caspian Sea"),
            "list": _("Show these reports in the list"),
            "verified": _("Verified"),
            "loading": _("Loading reports…"),
            "failed": _("The reports could not be loaded. The list below the map still works."),
        },
    }
    layers = [
        shell.RemoteLayer("choropleth", _("Reports by district and region"), {}),
        shell.RemoteLayer("points", _("Reports"), {}),
    ]
    return shell.build(
        label=_("Map of published reports"),
        bounds=_bounds(filters),
        tiles=(tiles.url if tiles.origin else request.script_root + tiles.url, tiles.attribution,
               _("Map")) if tiles else None,
        layers=layers,
        settings=settings,
        frame=None if tiles else FRAME,
    )


def _form_choices(language: str) -> dict:
    """What the filter form offers, and what the request picked (checked boxes, selections)."""
    wanted = split_list(current_app.config.get("SESIM_REGIONS"))
    categories = Category.query.filter_by(active=True).order_by(Category.position).all()
    return {
        "chosen": request.args,
        "picked": {s for value in request.args.getlist("category") for s in value.split(",")},
        "categories": categories,
        "colours": {c.slug: c.colour for c in categories},
        "regions": [(r.id, r.name(language)) for r in gazetteer.load().regions
                    if not wanted or r.id in wanted],
    }


@bp.route("")
def index():
    language = current_language()
    try:
        filters = parse_filters(request.args)
        page = _whole(request.args.get("page"), "page", 1, MAX_PAGE, 1)
    except (FilterError, InputError) as exc:
        body = render_template("map/index.html", error=str(exc), shell=None, **_form_choices(language))
        return body, 400
    counts, unplaced, everywhere = points.area_counts(filters, _areas())
    total = everywhere if filters.bbox is None else published_count(filters)
    reports = published(filters, wanted=page * PER_PAGE).offset((page - 1) * PER_PAGE).limit(PER_PAGE).all()
    gaz = gazetteer.load()
    area_rows = sorted(
        ((gaz.place(area_id).name(language) if gaz.place(area_id) else area_id, count)
         for area_id, count in counts.items()),
        key=lambda row: (-row[1], row[0]),
    )
    body = render_template(
        "map/index.html",
        error=None,
        shell=_shell(filters, _filter_args()),
        reports=[public_fields(r, language) for r in reports],
        total=total,
        page=page,
        per_page=PER_PAGE,
        pages=max(1, -(-total // PER_PAGE)),
        page_args=_filter_args(with_bbox=True),
        filter_args=_filter_args(),
        area_rows=area_rows,
        unplaced=[(gaz.place(r).name(language) if gaz.place(r) else r, n) for r, n in unplaced.items()],
        approximate=_areas().approximate,
        area_filter=replace(filters, bbox=None) != filters,
        **_form_choices(language),
    )
    return body
