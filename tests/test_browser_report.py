"""A woman on a phone without JavaScript files a report and checks it with her case code."""

import re
from datetime import date, timedelta

import pytest

from core.models import Report

pytestmark = pytest.mark.browser


def test_report_end_to_end_without_javascript(app, live_server, page_nojs):
    requested = []
    page_nojs.on("request", lambda request: requested.append(request.url))
    page_nojs.set_viewport_size({"width": 360, "height": 640})

    page_nojs.goto(f"{live_server}/")
    assert page_nojs.locator("html").get_attribute("lang") == "az"
    page_nojs.click("text=Baş verəni bildirin")  # "Report what happened"

    page_nojs.fill("[name=title]", "Dayanacaqda söz atdılar")
    page_nojs.fill("[name=story]", "Axşam avtobus dayanacağında iki kişi ardımca gəldi.")
    page_nojs.fill("[name=occurred_on]", (date.today() - timedelta(days=1)).isoformat())
    page_nojs.select_option("[name=place]", "baku-sabunchu")
    page_nojs.check("text=Sözlü təcavüz")
    page_nojs.check("[name=consent_publish]")
    page_nojs.click("button[type=submit]")

    code = page_nojs.locator("#case-code").inner_text().strip()
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}", code)
    with app.app_context():
        report = Report.query.one()
        assert report.status == "pending" and report.place_id == "baku-sabunchu"
        assert report.title == "Dayanacaqda söz atdılar" and report.consent_publish

    page_nojs.goto(f"{live_server}/case")
    page_nojs.fill("[name=code]", code.replace("-", " "))
    page_nojs.click("button[type=submit]")
    assert "Moderatoru gözləyir" in page_nojs.content()  # "Waiting for a moderator"
    assert code not in page_nojs.url

    assert requested and all(url.startswith(live_server) for url in requested)


def test_bad_input_keeps_what_she_typed_in_the_browser(live_server, page_nojs):
    page_nojs.goto(f"{live_server}/report?lang=ru")
    page_nojs.fill("[name=story]", "Начальник пишет по ночам.")
    page_nojs.fill("[name=occurred_on]", (date.today() + timedelta(days=5)).isoformat())
    page_nojs.click("button[type=submit]")
    assert page_nojs.locator("#title-error").inner_text() == "Это поле обязательно."
    assert page_nojs.locator("#occurred_on-error").inner_text() == "Дата не может быть в будущем."
    assert page_nojs.locator("[name=story]").input_value() == "Начальник пишет по ночам."
