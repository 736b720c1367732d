"""A sweep of every GET route, as four kinds of visitor: publicly cacheable responses (feeds,
exports, API, static) never carry Set-Cookie; a response that sets a cookie is never shared; a
page whose content depends on the session says ``Vary: Cookie`` or is ``no-store``."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.caching import publicly_cacheable
from tests.test_admin_support import client_as, make_staff


@pytest.fixture
def app_config():
    return {"SESIM_PLUGINS": "all"}


def sample_value(app, rule, name, public_id):
    """A real value for each URL variable, so the sweep reaches the view, not a 404."""
    if name == "filename":
        blueprint = rule.endpoint.rsplit(".", 1)[0]
        folder = app.blueprints[blueprint].static_folder if blueprint in app.blueprints else None
        if folder is None or not Path(folder).is_dir():
            folder = Path(app.root_path).parent / "themes" / "default" / "static"
        return sorted(p.name for p in Path(folder).iterdir() if p.is_file())[0]
    return {"public_id": public_id, "name": "csv", "rest": "nowhere"}.get(name, "1")


def every_get_url(app, public_id):
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        values = {name: sample_value(app, rule, name, public_id) for name in rule.arguments}
        urls.append(rule.build(values, append_unknown=False)[1])
    return sorted(set(urls))


def fetch(client, url):
    """GET ``url`` and read it whole (a file response is closed, not left open)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def shared(response) -> bool:
    """Could a shared cache keep this response?"""
    return not (response.cache_control.no_store or response.cache_control.private)


def test_every_route_is_safe_for_shared_caches(app, reports):
    make_staff(app)
    urls = every_get_url(app, reports["shared"])
    assert len(urls) >= 30  # the sweep really covers the routes
    visitors = {"anonymous": app.test_client(), "russian": app.test_client(),
                "staff": client_as(app, "admin")}
    visitors["russian"].get("/?lang=ru")
    cacheable = []
    for url in urls:
        plain = fetch(app.test_client(), url)
        for who, client in (*visitors.items(), ("asks ?lang=ru", app.test_client())):
            target = url + ("&" if "?" in url else "?") + "lang=ru" if who == "asks ?lang=ru" else url
            response = fetch(client, target)
            where = f"{who} GET {target} → {response.status_code}"
            assert response.status_code < 500, where
            if publicly_cacheable(response):
                cacheable.append(url)
                assert "Set-Cookie" not in response.headers, where
            if "Set-Cookie" in response.headers:
                assert not shared(response), where
            if shared(response) and response.get_data() != plain.get_data():
                assert "Cookie" in response.vary, where  # the page differs by session
    for public in ("/api/v1/reports", "/stories/feed.atom", "/export/reports.csv", "/static/style.css"):
        assert public in cacheable  # the sweep saw the cacheable kinds the issue names


def test_a_language_chosen_on_a_cacheable_url_sets_no_cookie_there(app, reports):
    client = app.test_client()
    response = client.get("/api/v1/reports?lang=ru")
    assert publicly_cacheable(response) and "Set-Cookie" not in response.headers
    page = client.get("/?lang=ru")
    assert "Set-Cookie" in page.headers and page.cache_control.private
    assert "Cookie" in page.vary


def test_pages_that_follow_the_browser_language_say_so(app):
    response = app.test_client().get("/", headers={"Accept-Language": "ru"})
    assert "Accept-Language" in response.vary and "Cookie" in response.vary
