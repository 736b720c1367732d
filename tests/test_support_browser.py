"""The support pages on a 360 px phone without JavaScript: readable, nothing wider than the
screen, nothing loaded from another host; the lawyers' queue and statistics on a phone too."""

import pytest

from tests.test_admin_support import make_staff
from tests.test_support import add_page, add_resource

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"SESIM_LEGAL_HELP": True}


def test_resources_and_learn_without_javascript_at_360_px(app, live_server, page_nojs):
    from tests.test_admin_support import client_as

    make_staff(app)
    admin = client_as(app, "admin")
    add_resource(admin, kind="shelter", region_id="khachmaz", name_en="Khachmaz shelter",
                 address_en="A very long street name that must wrap on a small phone, building 12",
                 website="https://ngo.example.org/a/very/long/path/that/should/wrap/nicely")
    add_page(admin)
    requested = []
    page_nojs.on("request", lambda request: requested.append(request.url))
    page_nojs.set_viewport_size({"width": 360, "height": 640})
    for url in ("/resources?lang=en", "/resources?region=khachmaz&lang=en", "/learn?lang=en",
                "/learn/know-your-rights?lang=en"):
        page_nojs.goto(f"{live_server}{url}")
        width = page_nojs.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (url, width)
    page_nojs.goto(f"{live_server}/resources?lang=en")
    page_nojs.select_option("[name=region]", "khachmaz")
    page_nojs.click("form.filters button[type=submit]")
    assert "region=khachmaz" in page_nojs.url and "Khachmaz shelter" in page_nojs.content()
    assert all(u.startswith(live_server) for u in requested), requested


def test_lawyer_queue_and_statistics_on_a_phone(app, live_server, page_nojs):
    from tests.test_admin_support import PASSWORD
    from tests.test_legal import legal_report

    make_staff(app)
    legal_report(app)
    page_nojs.set_viewport_size({"width": 360, "height": 740})
    page_nojs.goto(f"{live_server}/admin/login?lang=en")
    page_nojs.fill("[name=email]", "lawyer@sesim.test")
    page_nojs.fill("[name=password]", PASSWORD)
    page_nojs.click("button[type=submit]")
    page_nojs.goto(f"{live_server}/admin/legal?view=requests&lang=en")
    assert page_nojs.evaluate("document.documentElement.scrollWidth") <= 360
    page_nojs.click("text=Take this case")
    page_nojs.wait_for_selector("text=The case is yours")  # content() mid-navigation is empty
    page_nojs.select_option("#legal-state", "closed")
    page_nojs.select_option("#legal-outcome", "advice")
    page_nojs.click("text=Save the case")
    page_nojs.wait_for_selector("text=Case saved.")
    page_nojs.goto(f"{live_server}/admin/legal/stats?lang=en")
    assert "advice given" in page_nojs.content()
    assert page_nojs.evaluate("document.documentElement.scrollWidth") <= 360
