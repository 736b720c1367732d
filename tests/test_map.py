"""The map plugin: a page of constant size that loads nothing from another host, clustered GeoJSON
at the blurred public points only, filters without JavaScript, area outlines and counts."""

from __future__ import annotations

import json
import re
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import brotli
import pytest

from core.extensions import db
from core.models import Category
from tests.outputs_data import SECRETS, assert_no_secrets, make_report, populate


@pytest.fixture
def app_config():
    return {"SESIM_PLUGINS": "map"}


class Links(HTMLParser):
    """Every URL a page refers to, with its tag, plus inline scripts and styles."""

    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, dict]] = []
        self.inline_scripts: list[dict] = []
        self.styles = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            if attrs.get(name) is not None:
                self.urls.append((attrs[name], {"tag": tag, **attrs}))
        if tag == "script" and "src" not in attrs:
            self.inline_scripts.append(attrs)
        if tag == "style":
            self.styles += 1


def parse(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


def seed(count: int, **fields) -> None:
    """``count`` published reports with titles of one length, so page sizes compare fairly."""
    for i in range(count):
        make_report(title=f"Report number {i:06d}", **fields)
    db.session.commit()


def test_page_refers_only_to_our_own_host(app, client):
    response = client.get("/map")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    links = parse(html)
    assert links.urls
    foreign = [(url, attrs) for url, attrs in links.urls if urlsplit(url).netloc not in ("", "localhost")]
    # The quick-exit button is the one deliberate way off the site: a link, never a resource.
    assert [url for url, attrs in foreign if "quick-exit" not in attrs.get("class", "")] == []
    assert [url for url, _ in foreign] == [app.config["SESIM_QUICK_EXIT_URL"]]
    for bad in ("cdn", "jquery", "bootstrap", "fontawesome", "awesome-markers", "unpkg", "//"):
        scripts_and_css = [url for url, attrs in links.urls if attrs["tag"] in ("script", "link")]
        assert not [url for url in scripts_and_css if bad in url], bad
    assert "cdn.jsdelivr" not in html and "cloudflare" not in html


def test_every_asset_the_page_loads_is_served_here(client):
    links = parse(client.get("/map").get_data(as_text=True))
    assets = [url for url, attrs in links.urls if attrs["tag"] == "script"
              or attrs.get("rel") == "stylesheet"]
    # One script (Sesim's Leaflet build, then map.js) and one style sheet (Leaflet's, then ours).
    script = next(url for url in assets if re.fullmatch(r"/map/assets/map-[0-9a-f]{16}\.js", url))
    sheet = next(url for url in assets if re.fullmatch(r"/map/assets/map-[0-9a-f]{16}\.css", url))
    for url in assets:
        assert fetch(client, url), url
    static = "/map/static/"
    assert fetch(client, script) == (fetch(client, static + "vendor/leaflet/leaflet.js") + b"\n"
                                     + fetch(client, static + "map.js"))
    css = fetch(client, sheet)
    assert css == (fetch(client, static + "vendor/leaflet/leaflet.css") + b"\n"
                   + fetch(client, static + "map.css"))
    assert b"url(images/" not in css  # joined, relative image addresses would point nowhere
    assert b"BSD" in fetch(client, "/map/static/vendor/leaflet/LICENSE")
    with client.get(script) as response:  # a new version is a new address: keep it for a year
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        tag = response.headers["ETag"]
    with client.get(script, headers={"If-None-Match": tag}) as again:
        assert again.status_code == 304 and again.data == b""
    with client.get(static + "map.js") as response:
        assert "max-age=86400" in response.headers["Cache-Control"]  # fetched once a day at most
    assert client.get(script.replace("/map-", "/map-0")).status_code == 404  # another version
    assert client.get("/map/assets/other-0123456789abcdef.js").status_code == 404


def test_the_tiles_build_is_loaded_only_with_tiles(make_app, tmp_path):
    (tmp_path / "tiles").mkdir()
    plain = parse(make_app(SESIM_PLUGINS="map").test_client().get("/map").get_data(as_text=True))
    tiles = make_app(SESIM_PLUGINS="map", SESIM_MAP_TILE_DIR=str(tmp_path / "tiles"),
                     SESIM_MAP_TILE_ATTRIBUTION="Example tiles").test_client()
    with_tiles = parse(tiles.get("/map").get_data(as_text=True))
    scripts = [[url for url, attrs in links.urls if attrs["tag"] == "script" and "/map/" in url]
               for links in (plain, with_tiles)]
    assert re.fullmatch(r"/map/assets/map-[0-9a-f]{16}\.js", scripts[0][0])
    assert re.fullmatch(r"/map/assets/map-tiles-[0-9a-f]{16}\.js", scripts[1][0])
    body = fetch(tiles, scripts[1][0])
    assert body.startswith(fetch(tiles, "/map/static/vendor/leaflet/leaflet-tiles.js"))
    assert b"tileLayer" in body


def fetch(client, url: str) -> bytes:
    """The body of a static file (closing it, since files are streamed)."""
    with client.get(url) as response:
        assert response.status_code == 200, url
        return response.get_data()


def test_inline_script_runs_only_with_this_responses_nonce(client):
    response = client.get("/map")
    policy = response.headers["Content-Security-Policy"]
    links = parse(response.get_data(as_text=True))
    assert links.styles == 0  # folium's global inline styles are gone
    assert len(links.inline_scripts) == 1
    nonce = links.inline_scripts[0]["nonce"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert f"'nonce-{nonce}'" in directives["script-src"].split()
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in policy
    assert client.get("/map").headers["Content-Security-Policy"] != policy  # a new nonce each time
    # Everything else is the site-wide policy, which the nonce never reaches.
    site = client.get("/").headers["Content-Security-Policy"]
    assert policy.replace(f" 'nonce-{nonce}'", "") == site
    assert "nonce" not in site


def test_page_size_does_not_grow_with_ten_times_more_reports(ctx, client):
    seed(60)
    small = len(client.get("/map?lang=en").data)
    seed(540)
    large_page = client.get("/map?lang=en")
    large = len(large_page.data)
    assert b"600 published reports match" in large_page.data
    assert abs(large - small) / small < 0.01, (small, large)


def features(client, query: str) -> dict:
    response = client.get(f"/map/points.geojson?{query}")
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/geo+json"
    return response.get_json()


def test_low_zoom_clusters_on_the_server_with_the_dominant_colour(ctx, client):
    seed(30, categories=["stalking"])
    seed(10, categories=["verbal"], place_id="baku-khatai", public_latitude=40.3839,
         public_longitude=49.9475)
    seed(5, categories=["online"], place_id="khachmaz-town", region_id="khachmaz",
         public_latitude=41.4635, public_longitude=48.806)
    # (One app context for the whole test: Flask-Babel keeps the first request's language.)
    data = features(client, "bbox=44.76,38.39,50.63,41.91&zoom=6&lang=en")
    assert data["total"] == 45
    counts = sorted(f["properties"]["count"] for f in data["features"])
    assert counts == [5, 40]  # Nasimi and Khatai share a cell at this zoom
    baku = next(f for f in data["features"] if f["properties"]["count"] == 40)
    stalking = Category.query.filter_by(slug="stalking").one()
    assert baku["properties"]["category"] == "stalking"
    assert baku["properties"]["colour"] == stalking.colour
    assert "reports" not in baku["properties"]  # too many for a popup: a link to the list instead
    khachmaz = next(f for f in data["features"] if f["properties"]["count"] == 5)
    assert len(khachmaz["properties"]["reports"]) == 5  # few enough: the popup lists them
    assert baku["properties"]["list_url"].startswith("/map?bbox=")
    listed = client.get(baku["properties"]["list_url"].split("#")[0] + "&lang=en").get_data(as_text=True)
    assert "40 published reports match" in listed
    # Zoomed in, Nasimi and Khatai are two features.
    zoomed = features(client, "bbox=49.7,40.3,50.05,40.5&zoom=12")
    assert sorted(f["properties"]["count"] for f in zoomed["features"]) == [10, 30]


@pytest.mark.parametrize("zoom", [7, 12])  # read from cells, and from points
def test_with_a_category_filter_clusters_take_a_chosen_categorys_colour(ctx, client, zoom):
    """Every report here is verbal and online, and verbal comes first: unfiltered, the clusters
    are verbal; filtered on online (or on online and stalking), they are online, the colour the
    reader chose, never one she left out."""
    seed(12, categories=["verbal", "online"])
    seed(3, categories=["stalking"])
    view = f"bbox=44.76,38.39,50.63,41.91&zoom={zoom}"

    def colours(query: str) -> set:
        return {f["properties"]["category"] for f in features(client, f"{view}&{query}")["features"]}

    assert colours("lang=en") == {"verbal"}
    assert colours("category=online") == {"online"}
    assert colours("category=online&category=stalking") == {"online"}
    assert colours("category=stalking") == {"stalking"}


def test_high_zoom_popups_link_to_report_pages_at_the_blurred_point(ctx, client):
    made = populate()
    data = features(client, "bbox=49.7,40.3,50.05,40.5&zoom=14&lang=en")
    text = json.dumps(data)
    assert_no_secrets(text)
    (feature,) = data["features"]  # shared, unconsented and formula reports share Nasimi's point
    assert feature["geometry"]["coordinates"] == [49.8291, 40.3828]
    urls = {r["url"] for r in feature["properties"]["reports"]}
    assert urls == {f"/reports/{made[k].public_id}" for k in ("shared", "unconsented", "formula")}
    assert made["hidden"].public_id not in text
    assert feature["properties"]["label"] == "3 reports"
    for url in urls:
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("query", [
    "zoom=x", "zoom=-1", "zoom=21", "zoom=1.5", "zoom=",
    "bbox=1,2,3", "bbox=a,b,c,d", "bbox=0,50,10,40", "bbox=-200,0,0,10",
    "category=no-such-thing", "since=2026-02-30", "until=yesterday", "since=2026-05-01&until=2026-01-01",
    "region=atlantis", "verified=maybe",
])
def test_malformed_input_is_a_clear_400_in_json(client, query):
    if query == "zoom=":
        # An empty zoom means "the default", not an error.
        assert client.get(f"/map/points.geojson?{query}").status_code == 200
        return
    for path in ("/map/points.geojson", "/map/areas.geojson"):
        if path.endswith("areas.geojson") and query.startswith("zoom"):
            continue
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        body = response.get_json()
        assert body["status"] == 400 and len(body["error"]) > 10


@pytest.mark.parametrize("query", ["category=nope", "since=31.01.2026", "page=0", "page=abc",
                                   "page=99999999", "verified=perhaps"])
def test_bad_filters_on_the_page_explain_and_keep_the_form(client, query):
    response = client.get(f"/map?{query}&lang=en")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="alert"' in html and '<form method="get"' in html


def test_filters_work_as_plain_query_parameters(ctx, client):
    populate()
    make_report(title="Verified in Masalli", verified=True, place_id="masalli-town", region_id="masalli",
                public_latitude=39.0342, public_longitude=48.6656, categories=["physical"],
                occurred_at=datetime(2025, 6, 1))
    db.session.commit()

    def listed(query):
        html = client.get(f"/map?lang=en&{query}").get_data(as_text=True)
        return set(re.findall(r'<a href="/reports/[^"]+">([^<]+)</a>', html))

    everything = listed("")
    assert "Verified in Masalli" in everything and "Newer shared story" in everything
    assert listed("category=online") == {"Newer shared story"}
    assert listed("region=masalli") == {"Verified in Masalli"}
    assert listed("verified=true") == {"Verified in Masalli", "Shared story in Nasimi"}
    assert listed("since=2026-04-01") == {"Newer shared story"}
    assert listed("until=2025-06-30") == {"Verified in Masalli"}
    assert listed("category=physical&category=online") == {
        "Verified in Masalli", "Newer shared story", "Published without consent"}
    # The map's data follows the same filters.
    assert features(client, "category=online&zoom=7")["total"] == 1
    assert features(client, "region=masalli&zoom=7")["total"] == 1
    # The form shows what was chosen.
    html = client.get("/map?category=online&region=masalli&verified=true").get_data(as_text=True)
    assert re.search(r'value="online" checked', html)
    assert 'value="masalli" selected' in html and 'value="true" selected' in html


@pytest.mark.parametrize("query", [
    "", "since=2026-03-01&until=2026-03-31", "until=2026-01-01", "region=baku", "verified=true",
    "category=verbal&since=2025-01-01", "bbox=49.7,40.3,50.0,40.5", "bbox=48.0,38.0,49.0,39.5",
])
def test_the_pages_count_is_every_matching_report(ctx, client, query):
    """The page's "N published reports match" (read with the area counts when there is no box)
    is what counting the reports gives, hidden places included."""
    from werkzeug.datastructures import MultiDict

    from core.publicdata import parse_filters, published

    populate()
    seed(3, location_precision="hidden", occurred_at=datetime(2026, 3, 20))
    with client.application.test_request_context():
        expected = published(parse_filters(MultiDict(
            [pair.split("=") for pair in query.split("&") if pair]))).order_by(None).count()
    html = client.get(f"/map?lang=en&{query}").get_data(as_text=True)
    assert f"{expected} published report" in html, (query, expected)


def test_list_fallback_is_paged_and_keeps_the_filters(ctx, client):
    seed(60, categories=["verbal"])
    first = client.get("/map?category=verbal&lang=en").get_data(as_text=True)
    assert first.count('href="/reports/') == 50
    assert "/map?page=2&amp;category=verbal#reports" in first or \
        "/map?category=verbal&amp;page=2#reports" in first
    second = client.get("/map?category=verbal&page=2&lang=en").get_data(as_text=True)
    assert second.count('href="/reports/') == 10
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_no_private_field_reaches_the_page_or_the_data(ctx, client):
    populate()
    for url in ("/map?lang=en", "/map?lang=az", "/map/points.geojson?zoom=7",
                "/map/points.geojson?zoom=16&bbox=49.8,40.37,49.85,40.4"):
        assert_no_secrets(client.get(url).get_data(as_text=True))
    areas = client.get("/map/areas.geojson").get_json()
    counts = {f["properties"]["id"]: f["properties"]["count"] for f in areas["features"]}
    assert counts["baku-yasamal"] == 0  # the hidden report is not placed anywhere
    assert counts["baku-nasimi"] == 3 and counts["khachmaz"] == 1
    text = json.dumps(areas)
    assert SECRETS["exact latitude"] not in text and SECRETS["pending title"] not in text


def test_areas_count_reports_per_district_and_region(ctx, client):
    seed(4, place_id="baku-sabail", public_latitude=40.36, public_longitude=49.833)
    seed(2, place_id="sabirabad-javad", region_id="sabirabad", public_latitude=39.937,
         public_longitude=48.521)
    seed(3, location_precision="region")  # in Baku, but no district published
    data = client.get("/map/areas.geojson?lang=en").get_json()
    assert data["approximate"] is True
    by_id = {f["properties"]["id"]: f["properties"] for f in data["features"]}
    assert by_id["baku-sabail"]["count"] == 4 and by_id["sabirabad"]["count"] == 2
    assert by_id["baku-sabail"]["name"] == "Sabail" and by_id["sabirabad"]["parent"] is None
    assert data["unplaced"] == {"Baku": 3}
    assert data["max"] == 4
    page = client.get("/map?lang=en").get_data(as_text=True)
    assert "Baku, district not published" in page
    assert "District and region outlines are approximate" in page


def _inside(point, ring) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_drawn_outlines_cover_each_place_and_only_it(app):
    from core import gazetteer
    from plugins.map.outlines import generated

    gaz = gazetteer.load()
    collection = generated(gaz)
    shapes = {f["properties"]["id"]: f["geometry"]["coordinates"][0] for f in collection["features"]}
    baku = gaz.region("baku")
    assert {p.id for p in baku.places} <= set(shapes)
    assert {r.id for r in gaz.regions if r.id != "baku"} <= set(shapes)
    for area_id, ring in shapes.items():
        place = gaz.place(area_id)
        assert _inside((place.lon, place.lat), ring), area_id
        others = [p for p in (*baku.places, *gaz.regions) if p.id != area_id and p.id != "baku"]
        assert not [p.id for p in others if _inside((p.lon, p.lat), ring)], area_id
    for region in gaz.regions:
        for place in region.places:  # every village of a rural region lies in its outline
            if region.id != "baku":
                assert _inside((place.lon, place.lat), shapes[region.id]), place.id


def test_a_deployer_can_drop_in_real_boundaries(make_app, tmp_path):
    square = [[49.80, 40.36], [49.86, 40.36], [49.86, 40.41], [49.80, 40.41], [49.80, 40.36]]
    boundaries = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "baku-nasimi"},
         "geometry": {"type": "Polygon", "coordinates": [square]}},
        {"type": "Feature", "properties": {"id": "nowhere"},
         "geometry": {"type": "Polygon", "coordinates": [square]}},
    ]}
    path = tmp_path / "districts.geojson"
    path.write_text(json.dumps(boundaries))
    app = make_app(SESIM_PLUGINS="map", SESIM_MAP_AREAS_FILE=str(path))
    client = app.test_client()
    data = client.get("/map/areas.geojson").get_json()
    assert data["approximate"] is False
    assert [f["properties"]["id"] for f in data["features"]] == ["baku-nasimi"]
    assert data["features"][0]["geometry"]["coordinates"] == [square]
    assert "outlines are approximate" not in client.get("/map?lang=en").get_data(as_text=True)


def test_a_broken_boundaries_file_falls_back_to_drawn_outlines(make_app, tmp_path, caplog):
    path = tmp_path / "broken.geojson"
    path.write_text("{not json")
    app = make_app(SESIM_PLUGINS="map", SESIM_MAP_AREAS_FILE=str(path))
    assert "cannot be read as GeoJSON" in caplog.text
    client = app.test_client()
    assert client.get("/map").status_code == 200
    assert client.get("/map/areas.geojson").get_json()["approximate"] is True


def test_without_tiles_no_other_host_is_allowed_anywhere(client):
    for path in ("/", "/map"):
        policy = client.get(path).headers["Content-Security-Policy"]
        img = next(p for p in policy.split(";") if p.strip().startswith("img-src"))
        assert img.split()[1:] == ["'self'", "data:"]
    assert "L.tileLayer" not in client.get("/map").get_data(as_text=True)


def test_a_configured_tile_server_is_the_only_extra_image_host(make_app):
    app = make_app(SESIM_PLUGINS="map",
                   SESIM_MAP_TILE_URL="https://{s}.tiles.example.org/{z}/{x}/{y}.png",
                   SESIM_MAP_TILE_ATTRIBUTION="© Example contributors")
    client = app.test_client()
    page = client.get("/map")
    html = page.get_data(as_text=True)
    assert "https://{s}.tiles.example.org/{z}/{x}/{y}.png" in html and "Example contributors" in html
    for response in (page, client.get("/")):
        img = next(p for p in response.headers["Content-Security-Policy"].split(";")
                   if p.strip().startswith("img-src"))
        assert img.split()[1:] == ["'self'", "data:", "https://*.tiles.example.org"]
        assert "tiles.example.org" not in response.headers["Content-Security-Policy"].replace(img, "")


@pytest.mark.parametrize("url", ["ftp://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org/x.png",
                                 "https://{r}.example.org/{z}/{x}/{y}.png", "not a url"])
def test_an_unusable_tile_url_is_ignored(make_app, url, caplog):
    app = make_app(SESIM_PLUGINS="map", SESIM_MAP_TILE_URL=url)
    policy = app.test_client().get("/map").headers["Content-Security-Policy"]
    assert "example.org" not in policy
    assert "SESIM_MAP_TILE_URL" in caplog.text


def test_nav_links_to_the_map(client):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<a href="/map">Map</a>' in html
    html = client.get("/?lang=ru").get_data(as_text=True)
    assert '<a href="/map">Карта</a>' in html


def test_without_javascript_no_empty_map_box_and_scripts_come_last(client):
    page = client.get("/map").get_data(as_text=True)
    head = page[: page.index("</head>")]
    assert "<script" not in head  # nothing blocks the first paint on 2G
    assert re.search(r'<div class="folium-map sesim-map" id="[^"]+" hidden', page)
    assert page.index('<script src=') > page.index('class="map-filters"')


def test_bundled_outlines_are_small_and_cover_the_deployments(make_app):
    from plugins.map.views import DATA

    base = json.loads((DATA / "base.geojson").read_text())
    assert [f["properties"]["id"] for f in base["features"]] == ["caspian", "AZ"]
    assert (DATA / "base.geojson").stat().st_size < 30_000
    assert (DATA / "areas.geojson").stat().st_size < 20_000
    client = make_app(SESIM_PLUGINS="map").test_client()
    with client.get("/map/base.geojson") as response:
        assert response.status_code == 200 and response.mimetype == "application/geo+json"
        assert response.get_json() == base
    # The same bytes for everyone, so compressed once at brotli's best, not a page's level.
    with client.get("/map/base.geojson", headers={"Accept-Encoding": "br"}) as response:
        assert response.headers["Content-Encoding"] == "br"
        assert response.data == brotli.compress((DATA / "base.geojson").read_bytes(), quality=11)
    for profile, expected in (("baku", 12), ("rural", 4)):
        app = make_app(SESIM_PROFILE=profile, SESIM_PLUGINS="map")
        data = app.test_client().get("/map/areas.geojson").get_json()
        assert len(data["features"]) == expected
        assert all(f["properties"]["label_at"] for f in data["features"])


def test_the_map_opens_on_the_deployments_area(make_app):
    def bounds(app):
        page = app.test_client().get("/map").get_data(as_text=True)
        south_west, north_east = json.loads(re.search(r"fitBounds\((\[\[.*?\]\])\)", page).group(1))
        return south_west, north_east

    (south, west), (north, east) = bounds(make_app(SESIM_PROFILE="baku", SESIM_PLUGINS="map"))
    assert 40.2 < south < north < 40.7 and 49.5 < west < east < 50.5  # Baku, not the country
    (south, west), (north, east) = bounds(make_app(SESIM_PROFILE="rural", SESIM_PLUGINS="map"))
    assert south < 38.9 and north > 41.5 and west > 47.5 and east < 49.5  # the four districts


def test_tiles_from_the_deployers_own_folder_contact_no_one(make_app, tmp_path):
    folder = tmp_path / "tiles" / "9" / "318"
    folder.mkdir(parents=True)
    (folder / "193.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    app = make_app(SESIM_PLUGINS="map", SESIM_MAP_TILE_DIR=str(tmp_path / "tiles"),
                   SESIM_MAP_TILE_ATTRIBUTION="© OpenStreetMap contributors")
    client = app.test_client()
    response = client.get("/map")
    html = response.get_data(as_text=True)
    assert "/map/tiles/{z}/{x}/{y}.png" in html and "OpenStreetMap contributors" in html
    img = next(p for p in response.headers["Content-Security-Policy"].split(";")
               if p.strip().startswith("img-src"))
    assert img.split()[1:] == ["'self'", "data:"]
    with client.get("/map/tiles/9/318/193.png") as tile:
        assert tile.status_code == 200 and tile.data.startswith(b"\x89PNG")
    assert client.get("/map/tiles/9/318/194.png").status_code == 404
    assert client.get("/map/tiles/9/../193.png").status_code == 404
    no_dir = make_app(SESIM_PLUGINS="map").test_client()
    assert no_dir.get("/map/tiles/9/318/193.png").status_code == 404


def test_own_tiles_without_a_credit_show_the_outlines_not_an_error(make_app, tmp_path, caplog):
    (tmp_path / "tiles").mkdir()
    app = make_app(SESIM_PLUGINS="map", SESIM_MAP_TILE_DIR=str(tmp_path / "tiles"))
    response = app.test_client().get("/map")
    assert response.status_code == 200
    assert "/map/tiles/" not in response.get_data(as_text=True)
    assert "SESIM_MAP_TILE_ATTRIBUTION is empty" in caplog.text


def test_core_nonce_reaches_only_responses_that_use_it(app):
    """``csp_nonce()`` is core's: any page that asks for it gets it in its own policy, once per
    response; the policy is not rebuilt from the header string."""
    from flask import Blueprint, render_template_string

    bp = Blueprint("nonce_probe", __name__)

    @bp.route("/nonce-probe")
    def probe():
        return render_template_string('<script nonce="{{ csp_nonce() }}"></script>'
                                      '<script nonce="{{ csp_nonce() }}"></script>')

    app.register_blueprint(bp)
    client = app.test_client()
    response = client.get("/nonce-probe")
    nonces = set(re.findall(r'nonce="([^"]+)"', response.get_data(as_text=True)))
    assert len(nonces) == 1 and len(next(iter(nonces))) >= 22  # one per response, 128+ bits
    script_src = next(d for d in response.headers["Content-Security-Policy"].split("; ")
                      if d.startswith("script-src "))
    assert script_src == f"script-src 'self' 'nonce-{nonces.pop()}'"
    assert "nonce" not in client.get("/report").headers["Content-Security-Policy"]
