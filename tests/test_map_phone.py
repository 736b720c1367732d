"""The map on a 360 px phone: it opens on the deployment's own area (Baku, or the four rural
districts) with the border, the sea and labelled districts drawn from Sesim's own files, the
choropleth and its legend showing at once, the filters folded below, and no other host contacted."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.conftest import screenshot
from tests.outputs_data import make_report

pytestmark = pytest.mark.browser


def _watch(page):
    seen = {"requests": [], "problems": []}
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.on("pageerror", lambda error: seen["problems"].append(str(error)))
    page.on("console", lambda msg: seen["problems"].append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    return seen


def _inside(box, outer) -> bool:
    centre_x, centre_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    return (outer["x"] <= centre_x <= outer["x"] + outer["width"]
            and outer["y"] <= centre_y <= outer["y"] + outer["height"])


def _visible_labels(page) -> list[str]:
    return [node.text_content().split(" · ")[0] for node in page.locator(".sesim-label-area").all()
            if node.evaluate("n => getComputedStyle(n).visibility") == "visible"]


def _open_map(page, url):
    page.goto(url)
    page.wait_for_selector(".leaflet-sesimBase-pane path >> nth=1", state="attached", timeout=15_000)
    page.wait_for_selector(".sesim-label-area", timeout=15_000)
    return page.locator(".sesim-map").bounding_box()


@pytest.mark.parametrize("app_config", [{"SESIM_PROFILE": "baku", "SESIM_PLUGINS": "map"}])
def test_baku_opens_on_baku_map_first_with_labels_legend_and_no_other_host(live_server, phone_js, app):
    from core.extensions import db

    with app.app_context():
        for i in range(3):
            make_report(title=f"Nasimi {i}", place_id="baku-nasimi", public_latitude=40.388,
                        public_longitude=49.833, categories=["stalking"])
        db.session.commit()
    seen = _watch(phone_js)
    box = _open_map(phone_js, f"{live_server}/map?lang=az")
    # Map first: its top is within the first screen, above the folded filters.
    assert box["y"] < 200 and box["width"] >= 320
    filters = phone_js.locator("details.map-filters-box")
    assert filters.get_attribute("open") is None
    assert filters.bounding_box()["y"] > box["y"] + box["height"]
    # Border of Azerbaijan and the Caspian Sea, from Sesim's own file.
    assert phone_js.locator(".leaflet-sesimBase-pane path").count() == 2
    # Baku's districts, and only Baku's, with their names; the opening view is Baku.
    names = phone_js.locator(".sesim-label-area").all_text_contents()
    assert len(names) == 12 and any(n.startswith("Nəsimi · 3") for n in names)
    assert not any("Xaçmaz" in n for n in names)
    visible = _visible_labels(phone_js)
    assert len(visible) >= 4
    for node in phone_js.locator(".sesim-label-area").all():
        assert _inside(node.bounding_box(), box), node.inner_text()
    # The choropleth shows at once (Nasimi is shaded darker than an empty district) with its legend.
    phone_js.wait_for_selector(".leaflet-sesimAreas-pane path >> nth=11", state="attached")
    opacities = {float(p.get_attribute("fill-opacity"))
                 for p in phone_js.locator(".leaflet-sesimAreas-pane path").all()}
    assert len(opacities) == 2 and max(opacities) > 0.5
    assert phone_js.locator("#map-legend").is_visible()
    assert "rəng" in phone_js.inner_text("#map-legend").lower()
    # The layer control is folded.
    assert phone_js.locator(".leaflet-control-layers-expanded").count() == 0
    assert phone_js.locator(".leaflet-control-layers-toggle").is_visible()
    screenshot(phone_js, "map-baku-360")
    foreign = [u for u in seen["requests"] if urlsplit(u).netloc != urlsplit(live_server).netloc]
    assert foreign == [] and not seen["problems"], (foreign, seen["problems"])


@pytest.mark.parametrize("app_config", [{"SESIM_PROFILE": "rural", "SESIM_PLUGINS": "map"}])
def test_rural_opens_on_its_four_districts(live_server, phone_js):
    seen = _watch(phone_js)
    box = _open_map(phone_js, f"{live_server}/map?lang=az")
    labels = phone_js.locator(".sesim-label-area")
    assert sorted(n.split(" · ")[0] for n in labels.all_text_contents()) == [
        "Masallı rayonu", "Sabirabad rayonu", "Xaçmaz rayonu", "İsmayıllı rayonu"]
    for node in labels.all():
        assert _inside(node.bounding_box(), box), node.inner_text()
    assert len(_visible_labels(phone_js)) == 4
    screenshot(phone_js, "map-rural-360")
    assert all(urlsplit(u).netloc == urlsplit(live_server).netloc for u in seen["requests"])
    assert not seen["problems"]


@pytest.mark.parametrize("app_config", [{"SESIM_PROFILE": "baku", "SESIM_PLUGINS": "map"}])
def test_without_javascript_the_page_says_what_is_really_there(live_server, phone_nojs):
    phone_nojs.goto(f"{live_server}/map?lang=en")
    text = phone_nojs.inner_text("main")
    assert "The map needs JavaScript, so it is not shown here" in text
    assert "circle" not in text.lower()  # no circles are drawn without JavaScript
    assert not phone_nojs.locator(".sesim-map").is_visible()
    phone_nojs.click("details.map-filters-box > summary")
    phone_nojs.select_option("#map-region", "baku")
    phone_nojs.click("form.map-filters button[type=submit]")
    phone_nojs.wait_for_url("**region=baku**")
    assert phone_nojs.locator("details.map-filters-box").get_attribute("open") is not None
    screenshot(phone_nojs, "map-nojs-360")
