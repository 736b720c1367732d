"""Replies by SMTP (a real aiosmtpd server): the case code on first contact, in her language,
threaded under her mail; moderator replies; follow-ups joined to the conversation; failures."""

import logging
import re

import pytest

from core import casecodes
from core.extensions import db
from core.intake import deliver, queue_reply
from core.models import Message
from tests import mail_servers
from tests.conftest import csrf_token, on_each_statement
from tests.mail_servers import INBOUND_SECRET, OUR_ADDRESS, SENDER, email_settings, free_port, plain_mail

smtp_server, smtp = mail_servers.smtp_server, mail_servers.smtp  # fixtures
URL = "/channels/email/inbound"
CODE = re.compile(r"\b(\d{4}-\d{4}-\d{4})\b")


@pytest.fixture
def app_config(smtp_server):
    return email_settings(smtp=smtp_server)


def push(client, raw: bytes):
    response = client.post(URL, data=raw, content_type="message/rfc822",
                           headers={"X-Sesim-Secret": INBOUND_SECRET})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Salam. Dünən Nəsimi rayonunda bir kişi məni izlədi, çox qorxdum.", "Müraciət kodunuz"),
        ("Здравствуйте. Вчера в метро мужчина меня преследовал.", "Код вашего обращения"),
        ("Hello. A man followed me home from the bus stop yesterday.", "Your case code is"),
    ],
    ids=["az", "ru", "en"],
)
def test_first_mail_gets_its_case_code_in_her_language_threaded(app, client, smtp, text, phrase):
    push(client, plain_mail(text, subject="Kömək"))
    [(mail_from, rcpt, mail)] = smtp.wait(1)
    assert mail_from == OUR_ADDRESS and rcpt == [SENDER]
    assert mail["In-Reply-To"] == "<m1@example.org>"
    assert "<m1@example.org>" in mail["References"]
    assert mail["Subject"] == "Re: Kömək"
    assert mail["Auto-Submitted"] == "auto-replied"
    body = mail.get_content()
    assert phrase in body and "https://sesim.test/case" in body
    code = CODE.search(body).group(1)
    with app.app_context():
        inbound = Message.query.filter_by(direction="in").one()
        reply = Message.query.filter_by(direction="out").one()
        assert inbound.case_code_hash == casecodes.hash_code(code)
        assert (reply.status, reply.in_reply_to_id, reply.data["kind"]) == ("sent", inbound.id, "case-code")
        assert reply.data["message_id"] == mail["Message-ID"]
        assert code not in reply.text and "····-····-····" in reply.text  # only her mailbox has it
    # The code works on the public follow-up page.
    page = client.post("/case", data={"code": code, "csrf_token": csrf_token(client, "/case")},
                       follow_redirects=True)
    assert page.status_code == 200 and 'id="case-status"' in page.get_data(as_text=True)


def test_her_answer_joins_the_conversation_and_gets_no_second_code(app, client, smtp):
    push(client, plain_mail("Salam, kömək lazımdır."))
    [(_f, _r, our_reply)] = smtp.wait(1)
    answer = plain_mail(
        "Bəli, yenə oldu.\n\nOn Mon, Sesim wrote:\n> Müraciət kodunuz\n", message_id="<m2@example.org>",
        subject="Re: Metroda",
        extra_headers=f"In-Reply-To: {our_reply['Message-ID']}\r\n"
                      f"References: <m1@example.org> {our_reply['Message-ID']}\r\n",
    )
    push(client, answer)
    with app.app_context():
        first, second = Message.query.filter_by(direction="in").order_by(Message.id).all()
        assert second.in_reply_to_id == first.id
        assert second.text == "Bəli, yenə oldu."
        assert second.case_code_hash is None
    assert len(smtp.wait(2, timeout=1)) == 1


def test_a_second_new_mail_from_her_gets_no_second_code(app, client, smtp):
    push(client, plain_mail("Birinci məktub."))
    push(client, plain_mail("İkinci, ayrı məktub.", message_id="<other@example.org>"))
    assert len(smtp.wait(2, timeout=1)) == 1


def test_a_mail_followed_up_again_gets_no_second_code(app, client, smtp):
    """Her code went out, then the follow-up's last commit failed: the worker follows the mail up
    again (core.followups) and must not send a second code, which would void the first."""
    from tests.test_late_followups import sweeps_past_the_grace

    push(client, plain_mail("Salam, kömək lazımdır."))
    [(_f, _r, mail)] = smtp.wait(1)
    code = CODE.search(mail.get_content()).group(1)
    with app.app_context():
        inbound = Message.query.filter_by(direction="in").one()
        inbound.data = {key: value for key, value in inbound.data.items() if key != "processed"}
        db.session.commit()
    sweeps_past_the_grace(app)
    with app.app_context():
        inbound = Message.query.filter_by(direction="in").one()
        assert inbound.data["processed"] and inbound.data["late"]
        assert inbound.case_code_hash == casecodes.hash_code(code)  # her code still works
        assert Message.query.filter_by(direction="out").count() == 1
    assert len(smtp.wait(2, timeout=1)) == 1


def test_a_mail_answered_meanwhile_by_another_follow_up_gets_no_second_code(app, client, smtp):
    """Two follow-ups of one mail at once (a slow request and the worker): the one that finds the
    answer claimed sends nothing."""
    from sqlalchemy import update

    from core.models.base import utcnow
    from plugins.email.replies import on_received

    app.config["SESIM_EMAIL_AUTO_REPLY"] = False
    push(client, plain_mail("Salam, kömək lazımdır."))
    app.config["SESIM_EMAIL_AUTO_REPLY"] = True
    with app.app_context():
        message = Message.query.filter_by(direction="in").one()  # not answered, as it is read
        with db.engine.begin() as other:  # the other follow-up claims the answer
            other.execute(update(Message).where(Message.id == message.id).values(answered_at=utcnow()))
        on_received(message)
        assert Message.query.filter_by(direction="out").count() == 0
        assert db.session.get(Message, message.id).case_code_hash is None
    assert smtp.wait(1, timeout=1) == []


def test_a_reply_that_cannot_be_stored_leaves_no_code_she_never_got(app, client, smtp):
    """Her code, its claim and the reply that carries it go in one commit: when the reply's row
    cannot be written, the mail keeps no code (a code she never received would be the one that
    counts) and no claim (a later answer is not refused as given)."""
    from sqlalchemy.exc import OperationalError

    from plugins.email.replies import on_received

    def disk_full_for_the_reply(statement, parameters):
        if statement.lstrip().upper().startswith("INSERT INTO MESSAGES"):
            raise OperationalError(statement, parameters, Exception("database or disk is full"))

    app.config["SESIM_EMAIL_AUTO_REPLY"] = False
    push(client, plain_mail("Salam, kömək lazımdır."))
    app.config["SESIM_EMAIL_AUTO_REPLY"] = True
    with app.app_context():
        message = Message.query.filter_by(direction="in").one()
        with on_each_statement(disk_full_for_the_reply), pytest.raises(OperationalError):
            on_received(message)
        db.session.rollback()
        stored = db.session.get(Message, message.id)
        assert (stored.case_code_hash, stored.answered_at) == (None, None)
        assert Message.query.filter_by(direction="out").count() == 0
    assert smtp.wait(1, timeout=1) == []


@pytest.mark.parametrize(
    "headers",
    ["Auto-Submitted: auto-replied\r\n", "Precedence: bulk\r\n", "List-Id: <news.example.org>\r\n"],
)
def test_robots_get_no_answer(app, client, smtp, headers):
    push(client, plain_mail("I am out of office.", extra_headers=headers))
    assert smtp.wait(1, timeout=0.5) == []
    with app.app_context():
        assert Message.query.filter_by(direction="out").count() == 0
        assert Message.query.one().data["automatic"] is True


def test_bounce_from_mailer_daemon_gets_no_answer(app, client, smtp):
    push(client, plain_mail("Delivery failed", sender="MAILER-DAEMON@example.org"))
    assert smtp.wait(1, timeout=0.5) == []


def test_moderator_reply_threads_under_her_mail(app, client, smtp):
    push(client, plain_mail("Salam."))
    smtp.wait(1)
    with app.app_context():
        inbound = Message.query.filter_by(direction="in").one()
        reply = queue_reply(inbound, "Hüquqşünasımız sizinlə əlaqə saxlayacaq.", kind="lawyer")
        assert reply.status == "sent"
    [_auto, (_f, rcpt, mail)] = smtp.wait(2)
    assert rcpt == [SENDER]
    assert mail["In-Reply-To"] == "<m1@example.org>"
    assert "Auto-Submitted" not in mail
    assert mail.get_content().strip() == "Hüquqşünasımız sizinlə əlaqə saxlayacaq."


def test_refused_recipient_fails_without_leaking_the_address(app, client, smtp, caplog):
    smtp.refuse = True
    caplog.set_level(logging.DEBUG)
    push(client, plain_mail("Salam."))
    with app.app_context():
        reply = Message.query.filter_by(direction="out").one()
        assert reply.status == "failed"
        assert reply.error == "the SMTP server refused the recipient address"
        retry_id = reply.data["message_id"]
        smtp.refuse = False
        assert deliver(reply) is True
        assert reply.data["message_id"] == retry_id  # a retry is the same mail
    ours = [r.getMessage() for r in caplog.records if r.name != "mail.log"]  # not the test server's
    assert ours and not any(SENDER in line for line in ours)
    [(_f, _r, mail)] = smtp.wait(1)
    assert mail["Message-ID"] == retry_id


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"SESIM_EMAIL_SMTP_HOST": ""}, "sending e-mail is not configured"),
        ({"SESIM_EMAIL_SMTP_PORT": "closed"}, "cannot send through 127.0.0.1"),
        ({"SESIM_EMAIL_SMTP_USER": "someone", "SESIM_EMAIL_SMTP_PASSWORD": "x"}, "cannot send"),
    ],
)
def test_smtp_problems_leave_the_reply_failed_with_a_clear_error(make_app, smtp_server, overrides, error):
    if overrides.get("SESIM_EMAIL_SMTP_PORT") == "closed":
        overrides = {"SESIM_EMAIL_SMTP_PORT": free_port()}
    app = make_app(**email_settings(smtp=smtp_server, **overrides))
    push(app.test_client(), plain_mail("Salam."))
    with app.app_context():
        inbound = Message.query.filter_by(direction="in").one()
        reply = Message.query.filter_by(direction="out").one()
        assert inbound.text == "Salam."  # stored whatever happens to the reply
        assert reply.status == "failed"
        assert error in reply.error and SENDER not in reply.error


def test_other_channels_messages_are_not_sent_by_email(app, smtp):
    with app.app_context():
        sms = Message(channel="sms", external_id="out-1", direction="out", sender="+994501234567",
                      text="x", status="queued")
        db.session.add(sms)
        db.session.commit()
        assert deliver(sms) is False
        assert sms.status == "queued"
    assert smtp.wait(1, timeout=0.3) == []


@pytest.mark.parametrize("results", [
    "mx.sesim.test; spf=fail smtp.mailfrom=example.org; dkim=none; dmarc=fail header.from=example.org",
    "mx.sesim.test; spf=softfail smtp.mailfrom=example.org",
])
def test_a_forged_sender_gets_no_case_code(app, client, smtp, results):
    """Otherwise anyone could make Sesim mail a case code to a woman whose mailbox is watched."""
    push(client, plain_mail("Hello, I need help.", extra_headers=f"Authentication-Results: {results}\r\n"))
    assert smtp.wait(1, timeout=0.5) == []
    with app.app_context():
        assert Message.query.one().data["sender_unverified"] is True
        assert Message.query.filter_by(direction="out").count() == 0


def test_a_verified_sender_still_gets_her_code(app, client, smtp):
    headers = "Authentication-Results: mx.sesim.test; spf=pass; dkim=pass; dmarc=pass\r\n"
    push(client, plain_mail("Hello, I need help.", extra_headers=headers))
    assert len(smtp.wait(1)) == 1


def test_a_message_id_too_long_for_the_column_is_kept_apart(app, client, smtp):
    long_id = "<" + "x" * 300 + "@example.org>"
    push(client, plain_mail("first", message_id=long_id))
    push(client, plain_mail("second", message_id=long_id[:-13] + "y@example.org>"))
    with app.app_context():
        stored = Message.query.filter_by(direction="in").all()
        assert len(stored) == 2 and all(m.external_id.startswith("sha256:") for m in stored)
