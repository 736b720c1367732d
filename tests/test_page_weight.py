"""Every public page stays light for a cheap phone on 2G: the page, its own styles and scripts (and,
for the map, its outlines) add up to at most 50 KB. Leaflet, vendored and cached for a day, is
counted apart: it is one fixed file, the same for every visit."""

from __future__ import annotations

import re

import pytest

from tests.outputs_data import populate

BUDGET = 50 * 1024
VENDORED = "/map/static/vendor/"


@pytest.fixture
def app_config():
    return {"SESIM_PLUGINS": "all", "SESIM_LEGAL_HELP": True}


def _weight(client, path: str) -> tuple[int, list[str]]:
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200, path
    page = response.get_data(as_text=True)
    assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assets += re.findall(r'<script src="([^"]+)"', page)
    total = len(response.data)
    for url in assets:
        if url.startswith(VENDORED):
            continue
        with client.get(url) as asset:
            assert asset.status_code == 200, url
            total += len(asset.data)
    return total, assets


@pytest.mark.parametrize("path", ["/", "/report", "/case", "/map", "/stats", "/stories", "/export",
                                  "/report/done"])
def test_public_page_fits_the_budget(app, client, path):
    with app.app_context():
        populate()
    total, assets = _weight(client, path)
    if path == "/map":
        for data in ("/map/base.geojson", "/map/areas.geojson"):
            with client.get(data) as response:
                total += len(response.data)
    assert total <= BUDGET, (path, total, assets)
