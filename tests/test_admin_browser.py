"""A moderator works through the queue in a real browser (Debian chromium via Playwright)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.test_admin_support import PASSWORD, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def queue(app):
    from core.extensions import db
    from core.models import Category, Report

    make_staff(app)
    with app.app_context():
        verbal = Category.query.filter_by(slug="verbal").one()
        for i in range(3):
            db.session.add(Report(title=f"Queue report {i}", story="Shouted at me near the park.",
                                  occurred_at=datetime(2026, 1, 10 + i), place_id="baku-nasimi",
                                  region_id="baku", public_latitude=40.38, public_longitude=49.83,
                                  categories=[verbal]))
        db.session.commit()


@pytest.mark.parametrize("tab", ["page_js", "page_nojs"])
def test_moderator_publishes_from_the_queue(app, live_server, queue, tab, request):
    from core.models import Report

    page = request.getfixturevalue(tab)
    page.goto(f"{live_server}/admin/reports?lang=en")
    assert "/admin/login" in page.url  # anonymous: sent to the login page
    page.fill("input[name=email]", "moderator@sesim.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/reports*")
    assert page.locator('[data-status="pending"] .count').inner_text() == "3"
    assert page.locator("table.queue tbody tr").count() == 3

    page.check('tr[data-report] input[name=ids] >> nth=0')
    page.check('tr[data-report] input[name=ids] >> nth=1')
    page.click('button[name=action][value=publish]')
    page.wait_for_load_state()
    assert "2" in page.locator(".flash").inner_text()
    assert page.locator('[data-status="pending"] .count').inner_text() == "1"
    assert page.locator('[data-status="published"] .count').inner_text() == "2"

    # The phone layout: the queue is still usable at 360 px wide.
    page.set_viewport_size({"width": 360, "height": 740})
    page.click('[data-status="published"]')
    page.wait_for_load_state()
    assert page.locator("table.queue tbody tr").count() == 2
    width = page.evaluate("document.documentElement.scrollWidth") if tab == "page_js" else 360
    assert width <= 380

    with app.app_context():
        published = [r.public_id for r in Report.query.filter_by(status="published")]
    page.goto(f"{live_server}/reports/{published[0]}")
    assert "Shouted at me" not in page.content()  # no consent: the story stays private
