"""Every public page stays light for a cheap phone on 2G: what the page loads with JavaScript on
(the page, its styles and scripts, Leaflet included, and for the map its GeoJSON) counted on the
wire as served to a browser that accepts brotli: compressed bodies plus their headers. The target
is 50 KB for every page, the map included: Sesim's trimmed Leaflet build (30 KB of it), one script
and one style sheet, outlines compressed at brotli's best (docs/scaling.md, "Page weight")."""

from __future__ import annotations

import re

import pytest

from tests.outputs_data import populate

BUDGET = 50 * 1024
LEAFLET = re.compile(r"/map/assets/map-[0-9a-f]{16}\.js")  # Leaflet and map.js


@pytest.fixture
def app_config():
    return {"SESIM_PLUGINS": "all", "SESIM_LEGAL_HELP": True}


def _on_the_wire(response) -> int:
    """Body as sent plus an HTTP/1.1 status line and headers (what chromium counts)."""
    headers = sum(len(f"{name}: {value}\r\n") for name, value in response.headers.items())
    return len(response.data) + len("HTTP/1.1 200 OK\r\n") + headers + 2


def _weight(client, path: str) -> tuple[int, dict]:
    browser = {"Accept-Encoding": "gzip, deflate, br"}
    response = client.get(path, headers=browser, follow_redirects=True)
    assert response.status_code == 200, path
    page = response.get_data(as_text=True) if "Content-Encoding" not in response.headers else None
    if page is None:  # read the links from the page as it decodes
        page = client.get(path, follow_redirects=True).get_data(as_text=True)
    assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assets += re.findall(r'<script src="([^"]+)"', page)
    if path == "/map":
        assets += ["/map/base.geojson", "/map/areas.geojson", "/map/points.geojson?zoom=7"]
    sizes = {path: _on_the_wire(response)}
    for url in assets:
        with client.get(url, headers=browser) as asset:
            assert asset.status_code == 200, url
            sizes[url] = _on_the_wire(asset)
    return sum(sizes.values()), sizes


@pytest.mark.parametrize("path", ["/", "/report", "/case", "/map", "/stats", "/stories", "/export",
                                  "/report/done"])
def test_public_page_fits_the_budget(app, client, path):
    with app.app_context():
        populate()
    total, sizes = _weight(client, path)
    assert total <= BUDGET, (path, total, sizes)  # /map: 47.6 KB with this test's data


def test_leaflet_is_counted_compressed_as_served(client):
    """The map's one big file (Sesim's trimmed Leaflet build, 120 KB, and map.js) goes out
    brotli-compressed (a quarter of its size), and plain to a client that accepts no compression."""
    _total, sizes = _weight(client, "/map")
    script = next(url for url in sizes if LEAFLET.fullmatch(url))
    assert 20 * 1024 < sizes[script] < 34 * 1024
    with client.get(script) as plain:
        assert "Content-Encoding" not in plain.headers and len(plain.data) > 110 * 1024
