"""The conversation view shows the whole thread of an SMS reporter: her SMS, the staff reply from
the report page, and her answers through /case (web) and by SMS with her code."""

from __future__ import annotations

import re

import pytest

from core.models import Message
from tests.conftest import post_form
from tests.test_admin_flow import make_report, report_id_from
from tests.test_admin_support import client_as, make_staff, post
from tests.test_case_sms import CODE, PHONE, phone_fetches, sms


@pytest.fixture
def app_config():
    from tests.test_case_sms import SECRET

    return {"SESIM_PLUGINS": "sms", "SESIM_SMS_GATEWAYS": "smssync",
            "SESIM_SMS_SMSSYNC_SECRET": SECRET, "SESIM_SMS_AUTO_REPLY": True}


def test_staff_replies_and_her_answers_are_in_the_conversation(app, client):
    make_staff(app)
    sms(client, "Masallıda bazarda bir kişi hər gün söz atır", "m-1")
    [code_sms] = phone_fetches(client)
    code = CODE.search(code_sms["message"]).group(0)
    moderator = client_as(app, "moderator")
    with app.app_context():
        first = Message.query.filter_by(direction="in").one().id
    report_id = report_id_from(make_report(moderator, app, [first]))
    page = f"/admin/reports/{report_id}"
    post(moderator, f"{page}/reply", {"text": "Mesajınızı oxuduq. Təhlükəsizsiniz?"}, page)
    phone_fetches(client)

    client.get("/case?lang=en")  # she answers on the case page
    post_form(client, "/case", {"code": code})
    post_form(client, "/case/reply", {"text": "Bəli, amma o yenə gəldi"}, page="/case")
    sms(client, f"{code} Bu gün də gördüm", "m-2")  # and by SMS with her code

    thread = moderator.get(f"/admin/messages/{first}").get_data(as_text=True)
    texts = [t.strip() for t in re.findall(r'<div class="story">([^<]*)</div>', thread)]
    assert texts[0] == "Masallıda bazarda bir kişi hər gün söz atır"
    for expected in ("Mesajınızı oxuduq. Təhlükəsizsiniz?", "Bəli, amma o yenə gəldi", "Bu gün də gördüm"):
        assert expected in texts
    assert texts.index("Mesajınızı oxuduq. Təhlükəsizsiniz?") < texts.index("Bəli, amma o yenə gəldi")
    assert "Reply from staff" in thread and "Her answer on the case page" in thread
    assert PHONE not in thread and code not in thread
