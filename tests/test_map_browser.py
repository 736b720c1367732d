"""The map in a real browser: Leaflet runs under the page's strict CSP, clusters come from our own
GeoJSON, nothing is requested from another host; without JavaScript the filters and list work."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.outputs_data import make_report, populate

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"SESIM_PLUGINS": "map"}


@pytest.fixture
def reports(app):
    from core.extensions import db

    with app.app_context():
        made = populate()
        for i in range(12):
            make_report(title=f"Khatai report {i:02d}", place_id="baku-khatai", public_latitude=40.3839,
                        public_longitude=49.9475, categories=["stalking"])
        db.session.commit()
        return {name: report.public_id for name, report in made.items()}


def test_map_draws_server_clusters_under_a_strict_policy(live_server, page_js, reports):
    requests, problems, failed = [], [], []
    page_js.on("request", lambda request: requests.append(request.url))
    page_js.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    # CSP violations ("Refused to …") and script errors; failed loads are checked by URL below.
    page_js.on("console", lambda msg: problems.append(msg.text)
               if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    page_js.on("pageerror", lambda error: problems.append(str(error)))
    page_js.goto(f"{live_server}/map?lang=en")
    page_js.wait_for_selector(".sesim-cluster-count", timeout=15_000)
    expect(page_js.locator("#map-status")).to_contain_text("in view", timeout=15_000)
    counts = sorted(int(t) for t in page_js.locator(".sesim-cluster-count").all_inner_texts())
    assert sum(counts) >= 12
    assert "in view" in page_js.inner_text("#map-status")
    # The offline outlines are drawn (no tiles are configured).
    # (wait_for_function would need eval, which the page's policy rightly refuses.)
    page_js.wait_for_selector(".leaflet-sesimAreas-pane path >> nth=5", state="attached")
    assert page_js.locator(".leaflet-tile").count() == 0
    # Open a cluster: its popup links to the list of its reports.
    page_js.locator(".sesim-cluster").first.click()
    popup = page_js.wait_for_selector(".leaflet-popup-content a", timeout=10_000)
    assert "/map?" in popup.get_attribute("href")
    assert not problems, problems
    assert [url for url in failed if not url.endswith("/favicon.ico")] == []
    foreign = [url for url in requests if urlsplit(url).netloc != urlsplit(live_server).netloc]
    assert foreign == []
    assert any("/map/points.geojson?" in url and "zoom=" in url for url in requests)


def test_zoomed_in_popup_links_to_the_report_page(live_server, page_js, reports):
    # A bbox around Nasimi opens the map zoomed in: few reports, so the popup lists them.
    page_js.goto(f"{live_server}/map?lang=en&bbox=49.82,40.375,49.84,40.39")
    marker = page_js.wait_for_selector(
        ".leaflet-marker-pane .sesim-cluster, .leaflet-overlay-pane .leaflet-interactive", timeout=15_000)
    marker.click()
    link = page_js.wait_for_selector(".leaflet-popup-content li a", timeout=10_000)
    href = link.get_attribute("href")
    assert href.startswith("/reports/") and href.split("/")[-1] in reports.values()
    link.click()
    page_js.wait_for_url(f"**{href}")
    assert page_js.locator("h1").inner_text()


def test_filters_and_list_work_without_javascript(live_server, page_nojs, reports):
    page_nojs.goto(f"{live_server}/map?lang=en")
    assert page_nojs.locator("noscript").count() == 1
    assert page_nojs.locator("#reports ol > li").count() == 17  # 5 published by populate + 12
    page_nojs.click("details.map-filters-box > summary")  # folded under the map; opens without JS
    page_nojs.check("input[name=category][value=online]")
    page_nojs.click("form.map-filters button[type=submit]")
    page_nojs.wait_for_url("**category=online**")
    titles = page_nojs.locator("#reports ol > li > a").all_inner_texts()
    assert titles == ["Newer shared story"]


def _png() -> bytes:
    """A valid 1×1 grey PNG: what a tile folder holds, in miniature."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xcc")) + chunk(b"IEND", b""))


def test_the_deployers_tiles_are_drawn_by_the_tiles_build(make_app, tmp_path, page_js):
    """With tiles set, the page loads the Leaflet build that has tile layers (the default build
    has none) and draws the tiles, listed as a base layer in the layer switch."""
    import math
    import threading

    from werkzeug.serving import make_server

    png = _png()
    for z in (6, 7, 8):  # every tile over the map's frame at the zooms the first view can have
        n = 2 ** z
        for x in range(int((43.5 + 180) / 360 * n), int((52.0 + 180) / 360 * n) + 1):
            top = int((1 - math.asinh(math.tan(math.radians(43.0))) / math.pi) / 2 * n)
            bottom = int((1 - math.asinh(math.tan(math.radians(37.5))) / math.pi) / 2 * n)
            for y in range(top, bottom + 1):
                (tmp_path / "tiles" / str(z) / str(x)).mkdir(parents=True, exist_ok=True)
                (tmp_path / "tiles" / str(z) / str(x) / f"{y}.png").write_bytes(png)
    app = make_app(SESIM_PLUGINS="map", SESIM_MAP_TILE_DIR=str(tmp_path / "tiles"),
                   SESIM_MAP_TILE_ATTRIBUTION="Example tiles")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    problems, scripts = [], []
    page_js.on("pageerror", lambda error: problems.append(str(error)))
    page_js.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    try:
        page_js.goto(f"http://127.0.0.1:{server.server_port}/map?lang=en")
        page_js.wait_for_selector(".leaflet-tile-loaded", timeout=15_000)
        assert page_js.locator(".leaflet-tile-pane img.leaflet-tile").count() >= 4
        assert "Example tiles" in page_js.inner_text(".leaflet-control-attribution")
        page_js.hover(".leaflet-control-layers")
        assert page_js.locator(".leaflet-control-layers-base input[type=radio]").count() == 1
        assert page_js.locator(".leaflet-control-layers-overlays input[type=checkbox]").count() == 2
    finally:
        server.shutdown()
        thread.join(5)
    assert [url.split("/")[-1].rsplit("-", 1)[0] for url in scripts if "/map/" in url] == ["map-tiles"]
    assert not problems, problems
