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
