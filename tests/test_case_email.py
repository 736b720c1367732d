"""An e-mail reporter's case: the staff reply from the report page goes out by SMTP (a real
aiosmtpd server) threaded under her mail, shows on /case, and her answer by mail lands on the
report, unread."""

import re

import pytest

from core.models import Message
from tests import mail_servers
from tests.conftest import post_form
from tests.mail_servers import INBOUND_SECRET, SENDER, email_settings, plain_mail
from tests.test_admin_flow import make_report, report_id_from
from tests.test_admin_support import client_as, make_staff, post

smtp_server, smtp = mail_servers.smtp_server, mail_servers.smtp  # fixtures
CODE = re.compile(r"\b(\d{4}-\d{4}-\d{4})\b")


@pytest.fixture
def app_config(smtp_server):
    return email_settings(smtp=smtp_server)


def push(client, raw: bytes):
    response = client.post("/channels/email/inbound", data=raw, content_type="message/rfc822",
                           headers={"X-Sesim-Secret": INBOUND_SECRET})
    assert response.status_code == 200


def test_email_reporter_and_staff_talk_by_mail_and_on_the_case_page(app, client, smtp):
    make_staff(app)
    push(client, plain_mail("Salam. Dünən metroda bir kişi məni izlədi."))
    [(_f, _r, code_mail)] = smtp.wait(1)
    code = CODE.search(code_mail.get_content()).group(1)
    moderator = client_as(app, "moderator")
    with app.app_context():
        first = Message.query.filter_by(direction="in").one()
    report_id = report_id_from(make_report(moderator, app, [first.id]))

    page = f"/admin/reports/{report_id}"
    post(moderator, f"{page}/reply", {"text": "Biz sizin məktubunuzu oxuduq. Zəng edə bilərik?"}, page)
    mails = smtp.wait(2)
    assert len(mails) == 2
    _from, rcpt, ours = mails[1]
    assert rcpt == [SENDER] and "Zəng edə bilərik?" in ours.get_content()
    assert ours["In-Reply-To"] == "<m1@example.org>"

    push(client, plain_mail("Bəli, axşam zəng edin.", message_id="<m2@example.org>",
                            subject="Re: Metroda",
                            extra_headers=f"In-Reply-To: {ours['Message-ID']}\r\n"
                                          f"References: <m1@example.org> {ours['Message-ID']}\r\n"))
    with app.app_context():
        answer = Message.query.filter_by(external_id="<m2@example.org>").one()
        assert (answer.report_id, answer.unread, answer.data["kind"]) == (report_id, True, "answer")
    assert "Bəli, axşam zəng edin." in moderator.get("/admin/answers").get_data(as_text=True)

    client.get("/case?lang=en")
    post_form(client, "/case", {"code": code})
    body = client.get("/case").get_data(as_text=True)
    assert "Zəng edə bilərik?" in body and "Bəli, axşam zəng edin." in body
