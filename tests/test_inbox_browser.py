"""The inbox on a 360 px phone in a real browser: no sideways scrolling, every checkbox on the same
line as its label, claiming and the conversation view work without JavaScript."""

from __future__ import annotations

import pytest

from tests.test_admin_flow import receive
from tests.test_admin_support import PASSWORD, make_staff

pytestmark = pytest.mark.browser


def same_line(page, box_selector, label_selector) -> bool:
    box = page.locator(box_selector).bounding_box()
    label = page.locator(label_selector).bounding_box()
    middle = box["y"] + box["height"] / 2
    return label["y"] <= middle <= label["y"] + label["height"] and label["x"] > box["x"]


@pytest.mark.parametrize("tab", ["page_js", "page_nojs"])
def test_inbox_at_360_px(app, live_server, tab, request):
    page = request.getfixturevalue(tab)
    make_staff(app)
    first = receive(app, "b-1", text="Salam, Masallıda bazarda bir kişi hər gün narahat edir.",
                    sender="+994501110001", suggestions={"places": ["masalli-town"],
                                                         "categories": ["verbal"], "language": "az"})
    receive(app, "b-2", text="Bu gün yenə gəldi.", sender="+994501110001")
    receive(app, "b-3", text="Başqa birisi yazır.", sender="+994501110002")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/admin/messages?lang=en")
    page.fill("input[name=email]", "moderator@sesim.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/messages*")
    assert page.locator("article.message").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 362
    assert same_line(page, f"#m{first}", f"label[for=m{first}]")

    page.click(f"button[name=action][value='claim:{first}']")
    page.wait_for_load_state()
    assert "claimed by moderator@sesim.test" in page.locator(f"[data-message='{first}']").inner_text()

    page.click(f"[data-message='{first}'] a.badge")  # "2 messages from this sender"
    page.wait_for_url(f"{live_server}/admin/messages/{first}")
    assert page.locator("ol.thread li").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 362

    page.goto(f"{live_server}/admin/messages/report?ids={first}")
    verbal = page.locator("input[name=categories]:checked")
    assert verbal.count() == 1  # the suggestion is ticked
    box_id = verbal.get_attribute("id")
    assert same_line(page, f"#{box_id}", f"label[for={box_id}]")
    assert same_line(page, "#consent_publish", "label[for=consent_publish]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 362
