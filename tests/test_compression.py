"""Compression: what a visitor downloads in bulk is compressed (brotli or gzip); pages carrying a
CSRF token or anything personal never are (BREACH)."""

import gzip

import brotli
import pytest


@pytest.fixture
def app_config():
    return {"SESIM_PLUGINS": "map,stories,export"}


def _body(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(response.data)
    if encoding == "gzip":
        return gzip.decompress(response.data)
    return response.data


@pytest.mark.parametrize("url", ["/?lang=en", "/map?lang=en", "/map/areas.geojson", "/stories/",
                                 "/api/v1/reports", "/map/static/vendor/leaflet/leaflet.js",
                                 "/static/style.css", "/map/static/map.css"])
@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_public_pages_data_and_assets_are_compressed(client, reports, url, encoding):
    with client.get(url, headers={"Accept-Encoding": "identity"}) as plain:
        plain.get_data()
    with client.get(url, headers={"Accept-Encoding": f"{encoding}, deflate"}) as squeezed:
        squeezed.get_data()
    assert plain.status_code == squeezed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert squeezed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in squeezed.headers["Vary"]
    assert len(squeezed.data) < len(plain.data) / 2
    if "static" in url or "api" in url:
        assert _body(squeezed) == plain.data
    else:  # the same page (random ids and the CSP nonce of /map change between two requests)
        assert abs(len(_body(squeezed)) - len(plain.data)) < 100
        assert _body(squeezed)[:200] == plain.data[:200]


@pytest.mark.parametrize("url", ["/static/style.css", "/map/static/vendor/leaflet/leaflet.js"])
@pytest.mark.parametrize("encoding", ["br", "gzip", "identity"])
def test_a_file_she_already_has_is_not_sent_again(client, url, encoding):
    """Revalidating a cached static file answers 304 with no body, compressed copies included
    (their tag names the encoding); a changed tag gets the file."""
    headers = {"Accept-Encoding": encoding}
    with client.get(url, headers=headers) as first:
        first.get_data()
    tag = first.headers["ETag"]
    assert (f":{encoding}" in tag) == (encoding != "identity")
    with client.get(url, headers={**headers, "If-None-Match": tag}) as again:
        assert again.status_code == 304 and again.get_data() == b""
    with client.get(url, headers={**headers, "If-None-Match": '"stale"'}) as changed:
        assert changed.status_code == 200 and changed.get_data()


@pytest.mark.parametrize("url", ["/report", "/case", "/admin/login"])
def test_pages_with_a_csrf_token_or_personal_data_are_never_compressed(client, url):
    response = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert b"csrf_token" in response.data or response.headers.get("Cache-Control") == "no-store"


def test_a_form_sent_back_with_errors_is_not_compressed(client):
    from tests.conftest import post_form

    response = post_form(client, "/report", {"title": "x"}, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 400 and "Content-Encoding" not in response.headers
