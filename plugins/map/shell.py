"""The map *shell*, built with folium: the Leaflet map, the deployer's tile layer (or none), the
layers fed from our GeoJSON endpoints, and the layer control. No report is ever rendered into the
page, so its size does not depend on how many reports there are.

folium would link Leaflet, jQuery, Bootstrap, Font Awesome and awesome-markers from four CDN hosts
and add global inline styles; ``ShellMap`` links only our own copies and emits no inline style.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
from flask import url_for
from folium.map import Layer
from folium.template import Template

from plugins.map import assets


def asset_links(tiles: bool = False) -> tuple[list, list]:
    """``(default_js, default_css)`` of the shell: every URL points at this Sesim. One script
    (Leaflet and ``map.js``) and one style sheet (``plugins/map/assets.py``). Our Leaflet build has
    tile layers only in ``leaflet-tiles.js``, joined in when the deployer set tiles: a map drawn
    from the bundled outlines alone needs 3 KB less (plugins/map/static/vendor/README.md)."""
    script = assets.filename("map-tiles.js" if tiles else "map.js")
    js = [("sesim_map", url_for("map.bundle", name=script))]
    css = [("sesim_map_css", url_for("map.bundle", name=assets.filename("map.css")))]
    return js, css


class ShellMap(folium.Map):
    """``folium.Map`` without CDN links, global ``html, body`` styles, jQuery or inline ``<style>``."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}{% endmacro %}

        {% macro html(this, kwargs) %}
            <div class="folium-map sesim-map" id={{ this.get_name()|tojson }} hidden
                 role="region" aria-label="{{ this.label|e }}"></div>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            document.getElementById({{ this.get_name()|tojson }}).hidden = false;
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {
                    crs: L.CRS.{{ this.crs }},
                    ...{{ this.options|tojavascript }}
                }
            );
            {%- if this.control_scale %}
            L.control.scale().addTo({{ this.get_name() }});
            {%- endif %}
            {{ this.get_name() }}.fitBounds({{ this.bounds|tojson }});
            SesimMap.setup({{ this.get_name() }}, {{ this.settings|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, label: str, settings: dict, bounds, frame=None, tiles=False, **kwargs):
        self.default_js, self.default_css = asset_links(tiles)  # instance attributes: per app
        super().__init__(tiles=None, **kwargs)
        if frame:  # beyond the bundled border and sea there is nothing to see
            self.options["maxBounds"] = frame
            self.options["maxBoundsViscosity"] = 0.8
        self.options["zoomSnap"] = 0.5
        self.label = label
        self.settings = settings
        # The view is set once, from these bounds, before any layer is added: one data request.
        self.bounds = bounds


class RemoteLayer(Layer):
    """A layer our ``map.js`` fills from a GeoJSON endpoint (points, choropleth or outlines)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = SesimMap.{{ this.kind }}({{ this._parent.get_name() }},
                {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, kind: str, name: str, options: dict, show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "RemoteLayer"
        self.kind = kind
        self.options = options


@dataclass(frozen=True)
class Shell:
    """The rendered pieces, placed by ``map/index.html`` into the page's ``<head>`` and body."""

    head: str  # <script src> and <link rel=stylesheet> for our own assets
    html: str  # the map's <div>
    script: str  # inline JavaScript; the template gives it csp_nonce()


def build(*, label, bounds, tiles, layers, settings, frame=None) -> Shell:
    """Render a map fitted to ``bounds`` ``[[south, west], [north, east]]`` with ``layers``
    (``RemoteLayer`` list) and, when ``tiles`` is ``(url, attribution, name)``, a tile layer."""
    shell = ShellMap(label, settings, bounds, frame, tiles=bool(tiles), min_zoom=6, max_zoom=18,
                     control_scale=True)
    if tiles:
        url, attribution, name = tiles
        folium.TileLayer(tiles=url, attr=attribution, name=name, max_zoom=18).add_to(shell)
    for layer in layers:
        layer.add_to(shell)
    folium.LayerControl(collapsed=True).add_to(shell)  # open, it would cover a phone's map
    figure = shell.get_root()
    figure.header._children.pop("meta_http", None)  # the page has its own <meta charset>
    figure.render()
    return Shell(figure.header.render(), figure.html.render(), figure.script.render())

