"""On a 360 px phone without JavaScript she opens her case with her code, reads the team's
message, answers, and leaves: the code never shows in a URL, nothing loads from elsewhere."""

import re
from datetime import date, timedelta

import pytest

from core.extensions import db
from core.models import Message, Report

pytestmark = pytest.mark.browser


def fits(page, selector, width=360) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_case_page_without_javascript_at_360_px(app, live_server, page_nojs):
    requested = []
    page_nojs.on("request", lambda request: requested.append(request.url))
    page_nojs.set_viewport_size({"width": 360, "height": 640})

    page_nojs.goto(f"{live_server}/report?lang=en")
    page_nojs.fill("[name=title]", "Shouted at me at the bus stop")
    page_nojs.fill("[name=story]", "Two men followed me from the bus stop.")
    page_nojs.fill("[name=occurred_on]", (date.today() - timedelta(days=1)).isoformat())
    page_nojs.select_option("[name=place]", "baku-sabunchu")
    page_nojs.check("text=Verbal harassment")
    page_nojs.click("button[type=submit]")
    code = page_nojs.locator("#case-code").inner_text().strip()
    with app.app_context():
        report = Report.query.one()
        db.session.add(Message(channel="web", external_id="out-web-1", direction="out", status="sent",
                               text="We read your report. Are you safe now?", report_id=report.id,
                               data={"kind": "staff"}))
        db.session.commit()
        report_id = report.id

    page_nojs.goto(f"{live_server}/case")
    page_nojs.fill("[name=code]", code)
    page_nojs.click("button[type=submit]")
    assert page_nojs.url == f"{live_server}/case" and code not in page_nojs.url
    assert "We read your report. Are you safe now?" in page_nojs.content()
    assert page_nojs.locator("#case-status").inner_text() == "Waiting for a moderator"
    for selector in ("button.leave", "textarea[name=text]", "input[name=photo]", "form.case-answer button"):
        assert fits(page_nojs, selector), selector
    assert page_nojs.locator("textarea[name=text]").get_attribute("autocomplete") == "off"

    page_nojs.fill("[name=text]", "Yes, I am safe. Thank you.")
    page_nojs.click("form.case-answer button[type=submit]")
    assert "Your answer was received" in page_nojs.content()
    assert "Yes, I am safe. Thank you." in page_nojs.locator(".from-her").inner_text()
    with app.app_context():
        answer = Message.query.filter_by(direction="in").one()
        assert answer.report_id == report_id and answer.unread

    page_nojs.click("button.leave")
    assert "You left your case" in page_nojs.content()
    page_nojs.goto(f"{live_server}/case")
    assert "We read your report" not in page_nojs.content()
    assert not re.search(r"\d{4}-\d{4}-\d{4}", " ".join(requested))
    assert requested and all(url.startswith(live_server) for url in requested)
