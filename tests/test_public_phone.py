"""Public pages on a 360 px phone: the quick exit is in reach at the bottom of the long report form
(a tap, or Esc, replaces the page so Back does not return; without JavaScript it is a plain link),
and the thank-you page says what happens next and where to get help, with JavaScript on and off."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import PHONE, screenshot

pytestmark = pytest.mark.browser

EXIT = "https://exit.example/"


@pytest.fixture
def app_config():
    return {"SESIM_QUICK_EXIT_URL": EXIT, "SESIM_LEGAL_HELP": True,
            "SESIM_SUPPORT_TEXT": "Qadın Hüquqları Mərkəzi: +994 12 000 00 00"}


def _fake_exit_site(page):
    """The exit address answered inside the browser: the test never contacts another host."""
    page.route(f"{EXIT}**", lambda route: route.fulfill(body="<title>away</title>", content_type="text/html"))


def _scroll_to_the_end_of_the_form(page, live_server):
    page.goto(f"{live_server}/report?lang=en")
    page.locator("footer.site").scroll_into_view_if_needed()
    page.fill("[name=story]", "She typed a long story here.")


def _in_reach(page) -> dict:
    box = page.locator("#quick-exit").bounding_box()
    assert box is not None, "the quick exit is not on screen"
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]  # on screen, not scrolled off
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["height"] >= 44 and box["width"] >= 44  # a thumb's target
    assert box["y"] > PHONE["height"] / 2  # in the lower half, where a thumb rests
    return box


def test_quick_exit_at_the_bottom_of_the_form_with_javascript(live_server, phone_js):
    _fake_exit_site(phone_js)
    _scroll_to_the_end_of_the_form(phone_js, live_server)
    _in_reach(phone_js)
    screenshot(phone_js, "form-bottom-js-360")
    phone_js.click("#quick-exit")
    phone_js.wait_for_url(EXIT)
    phone_js.go_back()
    assert "127.0.0.1" not in phone_js.url  # the form was replaced in history, not stacked


def test_escape_leaves_even_from_inside_the_story(live_server, phone_js):
    _fake_exit_site(phone_js)
    _scroll_to_the_end_of_the_form(phone_js, live_server)
    phone_js.focus("[name=story]")
    phone_js.keyboard.press("Escape")
    phone_js.wait_for_url(EXIT)
    phone_js.go_back()
    assert "127.0.0.1" not in phone_js.url


def test_quick_exit_without_javascript_is_a_plain_link_in_reach(live_server, phone_nojs):
    _fake_exit_site(phone_nojs)
    _scroll_to_the_end_of_the_form(phone_nojs, live_server)
    _in_reach(phone_nojs)
    assert phone_nojs.get_attribute("#quick-exit", "href") == EXIT
    screenshot(phone_nojs, "form-bottom-nojs-360")
    phone_nojs.click("#quick-exit")
    phone_nojs.wait_for_url(EXIT)


@pytest.mark.parametrize("page_fixture", ["phone_js", "phone_nojs"])
def test_done_page_says_what_happens_next_and_where_to_get_help(app, live_server, request, page_fixture):
    """With JS: the directory is empty, so the deployer's text shows. Without: her region's entry."""
    page = request.getfixturevalue(page_fixture)
    directory = page_fixture == "phone_nojs"
    if directory:
        from core.extensions import db
        from core.models.support import SupportResource

        with app.app_context():
            db.session.add(SupportResource(region_id="baku", name_az="Bakı Qadın Mərkəzi",
                                           phone="+994 12 111 11 11"))
            db.session.add(SupportResource(region_id="masalli", name_az="Masallı Mərkəzi"))
            db.session.commit()
    page.goto(f"{live_server}/report?lang=az")
    page.fill("[name=title]", "Dayanacaqda söz atdılar")
    page.fill("[name=story]", "Axşam avtobus dayanacağında iki kişi ardımca gəldi.")
    page.fill("[name=occurred_on]", (date.today() - timedelta(days=1)).isoformat())
    page.select_option("[name=place]", "baku-sabunchu")
    page.check("text=Sözlü təcavüz")
    page.check("[name=wants_legal_help]")
    page.click("form button[type=submit]")
    page.wait_for_selector("#case-code")
    steps = page.inner_text(".next-steps")
    assert "Bundan sonra nə olacaq" in steps  # what happens next
    assert "moderatorları" in steps and "hüquqşünas" in steps.lower()  # who reads it (and a lawyer)
    assert "3 gün ərzində" in steps  # when she may hear back
    assert "Mənim müraciətim" in steps and "müraciət kodunuzu" in steps  # how to come back
    assert "112" in steps  # help now
    main = page.inner_text("main")
    if directory:  # her region's contacts from the support directory, not another region's
        assert "Bakı Qadın Mərkəzi" in main and "+994 12 111 11 11" in main
        assert "Masallı Mərkəzi" not in main and "Qadın Hüquqları Mərkəzi" not in main
    else:  # the deployer's text until the directory has entries
        assert "Qadın Hüquqları Mərkəzi" in main
    assert page.locator(".next-steps a[href='/case']").count() == 1
    for word in ("İş kodu", "Mənim işim", "Bildiriş"):
        assert word not in page.inner_text("body")
    _in_reach(page)
    screenshot(page, f"done-{page_fixture}-360")


def test_stats_chart_labels_fit_and_are_readable_at_360(app, live_server, phone_nojs):
    from tests.outputs_data import populate

    with app.app_context():
        populate()
    phone_nojs.goto(f"{live_server}/stats?lang=az")
    figure = phone_nojs.locator("figure").first.bounding_box()
    texts = phone_nojs.locator("figure svg text").all()
    assert texts
    for text in texts:
        box = text.bounding_box()
        assert box["x"] >= figure["x"] - 1 and box["x"] + box["width"] <= figure["x"] + figure["width"] + 1
        assert box["height"] >= 14, (text.text_content(), box)  # ~15 px type, not 11
    checkbox = phone_nojs.locator("input[type=checkbox]").first
    if checkbox.count():
        assert checkbox.bounding_box()["width"] >= 20
    screenshot(phone_nojs, "stats-360")
