"""The story wall in a browser with JavaScript off: filter form and paging work, nothing external."""

from __future__ import annotations

import pytest

from tests.outputs_data import populate

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"SESIM_PLUGINS": "stories,export"}


def test_filter_and_read_without_javascript(app, live_server, page_nojs):
    with app.app_context():
        populate()
    requested = []
    page_nojs.on("request", lambda request: requested.append(request.url))
    page_nojs.goto(f"{live_server}/stories/?lang=en")
    assert page_nojs.locator("article.report").count() == 4
    page_nojs.select_option("#f-category", "online")
    page_nojs.click("form.filters button[type=submit]")
    assert "category=online" in page_nojs.url
    assert page_nojs.locator("article.report h2").all_inner_texts() == ["Newer shared story"]
    assert page_nojs.locator("article.report .story").inner_text() == "Second redacted story."
    assert all(url.startswith(live_server) for url in requested)
