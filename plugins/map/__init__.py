"""The public map (``/map``): a folium-built Leaflet shell whose markers, clustered on the server,
come from ``/map/points.geojson``; a choropleth by district and region; a list that works without
JavaScript. Every asset is served by Sesim; only a deployer-chosen tile server is ever contacted."""

from flask_babel import lazy_gettext as _l

from core import hookimpl
from core.nav import NavItem


@hookimpl
def sesim_config_defaults():
    return {
        "SESIM_MAP_TILE_URL": "",  # empty: no tiles, the bundled outlines on a plain background
        "SESIM_MAP_TILE_ATTRIBUTION": "",
        "SESIM_MAP_TILE_DIR": "",  # a folder of {z}/{x}/{y}.png tiles Sesim serves itself
        "SESIM_MAP_AREAS_FILE": "",  # empty: <instance>/map-areas.geojson if present, else generated
    }


@hookimpl
def sesim_register_blueprints(app):
    from plugins.map import views

    views.init_app(app)


@hookimpl
def sesim_nav_items():
    return [NavItem("map.index", _l("Map"), order=10)]


@hookimpl
def sesim_csp_sources(app):
    from plugins.map.tiles import tile_source

    tiles = tile_source(app.config)
    return {"img-src": [tiles.origin]} if tiles and tiles.origin else None
