"""IMAP polling against a real IMAP server (pymap) through ``sesim channels fetch``."""

import logging

import pytest

from core.fetching import fetch
from core.models import ChannelCursor, Message
from tests import mail_servers
from tests.mail_servers import IMAP_PASSWORD, email_settings, free_port, plain_mail

imap_server, mailbox = mail_servers.imap_server, mail_servers.mailbox  # fixtures


@pytest.fixture
def app_config(imap_server):
    # No SMTP: replies stay queued; these tests are about reading the mailbox.
    return email_settings(imap_server, SESIM_EMAIL_AUTO_REPLY=False)


def fetch_cli(runner):
    return runner.invoke(args=["channels", "fetch", "--channel", "email"])


def mails(count: int, start: int = 1) -> list[bytes]:
    return [plain_mail(f"Məni {n} dəfə izlədilər, Nəsimi rayonunda.", f"<m{n}@example.org>")
            for n in range(start, start + count)]


def stored(app) -> list[Message]:
    with app.app_context():
        return Message.query.filter_by(channel="email").order_by(Message.id).all()


def test_fetch_stores_new_mail_once_and_marks_it_seen(app, runner, mailbox):
    for raw in mails(3):
        mailbox.append(raw)
    result = fetch_cli(runner)
    assert result.exit_code == 0, result.output
    assert "email: 3 new, 0 duplicate, 0 failed" in result.output
    messages = stored(app)
    assert [m.external_id for m in messages] == ["<m1@example.org>", "<m2@example.org>",
                                                 "<m3@example.org>"]
    assert messages[0].text == "Məni 1 dəfə izlədilər, Nəsimi rayonunda."
    assert messages[0].language == "az"
    assert "suggestions" in messages[0].data
    assert mailbox.uids(criteria="UNSEEN") == []

    # Nothing new: nothing fetched again, not even as a duplicate (the UID cursor moved).
    again = fetch_cli(runner)
    assert "email: 0 new, 0 duplicate, 0 failed" in again.output
    mailbox.append(mails(1, start=4)[0])
    assert "email: 1 new, 0 duplicate" in fetch_cli(runner).output
    assert len(stored(app)) == 4


def test_processed_mail_can_be_moved_to_a_folder(make_app, imap_server, mailbox):
    conn = mailbox.connect()
    conn.create("Sesim-done")
    conn.logout()
    app = make_app(**email_settings(imap_server, SESIM_EMAIL_AUTO_REPLY=False,
                                    SESIM_EMAIL_IMAP_MOVE_TO="Sesim-done"))
    for raw in mails(2):
        mailbox.append(raw)
    with app.app_context():
        [result] = fetch("email")
    assert (result.new, result.error) == (2, "")
    assert mailbox.uids("INBOX") == []
    assert len(mailbox.uids("Sesim-done")) == 2


def test_uidvalidity_reset_rescans_without_duplicates(make_app, imap_server, mailbox):
    conn = mailbox.connect()
    conn.create("Reports")
    conn.logout()
    app = make_app(**email_settings(imap_server, SESIM_EMAIL_AUTO_REPLY=False,
                                    SESIM_EMAIL_IMAP_FOLDER="Reports"))
    for raw in mails(2):
        mailbox.append(raw, "Reports")
    with app.app_context():
        assert fetch("email")[0].new == 2
        before = ChannelCursor.query.filter_by(channel="email").one().value

    # The server loses its folder state: same mail, new UIDVALIDITY, UIDs from the start.
    conn = mailbox.connect()
    conn.delete("Reports")
    conn.create("Reports")
    conn.logout()
    for raw in [*mails(2), *mails(1, start=3)]:
        mailbox.append(raw, "Reports")
    with app.app_context():
        [result] = fetch("email")
        after = ChannelCursor.query.filter_by(channel="email").one().value
    assert (result.new, result.duplicates, result.error) == (1, 2, "")
    assert before.split(":")[0] != after.split(":")[0]
    assert [m.external_id for m in stored(app)] == ["<m1@example.org>", "<m2@example.org>",
                                                    "<m3@example.org>"]


class Crash(BaseException):
    """Stands for the process dying (BaseException: nothing in the core may swallow it)."""


@pytest.mark.parametrize("crash_at", [1, 3])
def test_fetch_interrupted_half_way_loses_and_duplicates_nothing(app, runner, mailbox, monkeypatch,
                                                                  crash_at):
    import core.fetching

    for raw in mails(5):
        mailbox.append(raw)
    real_receive = core.fetching.receive
    calls = {"n": 0}

    def dying_receive(inbound):
        calls["n"] += 1
        if calls["n"] == crash_at:
            real_receive(inbound)  # stored, then the process dies before the cursor moves
            raise Crash
        return real_receive(inbound)

    monkeypatch.setattr(core.fetching, "receive", dying_receive)
    with app.app_context(), pytest.raises(Crash):
        fetch("email")
    assert len(stored(app)) == crash_at
    monkeypatch.setattr(core.fetching, "receive", real_receive)

    result = fetch_cli(runner)
    assert result.exit_code == 0, result.output
    # The mail stored just before the crash is seen again and recognised, not stored twice.
    assert f"email: {5 - crash_at} new, 1 duplicate, 0 failed" in result.output
    assert [m.external_id for m in stored(app)] == [f"<m{n}@example.org>" for n in range(1, 6)]
    assert mailbox.uids(criteria="UNSEEN") == []


def test_mail_that_cannot_be_stored_stops_the_fetch_and_is_fetched_again(app, runner, mailbox,
                                                                         monkeypatch):
    import core.fetching

    for raw in mails(3):
        mailbox.append(raw)
    real_receive = core.fetching.receive

    def failing_second(inbound):
        if inbound.external_id == "<m2@example.org>":
            raise RuntimeError("database went away")
        return real_receive(inbound)

    monkeypatch.setattr(core.fetching, "receive", failing_second)
    result = fetch_cli(runner)
    assert result.exit_code == 1
    assert "could not be stored" in result.output
    assert [m.external_id for m in stored(app)] == ["<m1@example.org>"]
    assert len(mailbox.uids(criteria="UNSEEN")) == 2

    monkeypatch.setattr(core.fetching, "receive", real_receive)
    result = fetch_cli(runner)
    assert "email: 2 new, 0 duplicate, 0 failed" in result.output
    assert len(stored(app)) == 3


def test_mail_without_message_id_is_keyed_on_its_content(app, runner, mailbox):
    raw = plain_mail("Xətai metrosunda bir kişi məni təqib etdi.", message_id=None)
    mailbox.append(raw)
    assert "1 new" in fetch_cli(runner).output
    [message] = stored(app)
    assert message.external_id.startswith("sha256:")


def test_huge_mail_keeps_its_text_and_drops_its_attachments(make_app, imap_server, mailbox, caplog):
    from email.message import EmailMessage

    app = make_app(**email_settings(imap_server, SESIM_EMAIL_AUTO_REPLY=False,
                                    SESIM_EMAIL_MAX_MESSAGE_BYTES=20_000))
    mail = EmailMessage()
    mail["From"], mail["Subject"], mail["Message-ID"] = "a@example.org", "big", "<big@example.org>"
    mail.set_content("Bu mesajın mətni qalmalıdır.")
    mail.add_attachment(b"\x00" * 200_000, maintype="application", subtype="octet-stream",
                        filename="video.bin")
    mailbox.append(mail.as_bytes())
    caplog.set_level(logging.WARNING, "sesim.email")
    with app.app_context():
        [result] = fetch("email")
        message = Message.query.one()
        assert (result.new, result.error) == (1, "")
        assert message.text == "Bu mesajın mətni qalmalıdır."
        assert message.attachments == []
        assert message.data["truncated_mail"] is True
    assert "over SESIM_EMAIL_MAX_MESSAGE_BYTES" in caplog.text


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"SESIM_EMAIL_IMAP_PASSWORD": "wrong"}, "rejected the login"),
        ({"SESIM_EMAIL_IMAP_PORT": "unused"}, "cannot reach the IMAP server"),
        ({"SESIM_EMAIL_IMAP_FOLDER": "No-Such-Folder"}, "SELECT No-Such-Folder failed"),
        ({"SESIM_EMAIL_IMAP_HOST": ""}, "IMAP polling is not configured"),
        ({"SESIM_EMAIL_IMAP_TLS": "maybe"}, "SESIM_EMAIL_IMAP_TLS must be"),
    ],
)
def test_mailbox_problems_are_clear_errors(make_app, imap_server, mailbox, overrides, expected, caplog):
    if overrides.get("SESIM_EMAIL_IMAP_PORT") == "unused":
        overrides = {"SESIM_EMAIL_IMAP_PORT": free_port()}
    mailbox.append(mails(1)[0])
    app = make_app(**email_settings(imap_server, SESIM_EMAIL_AUTO_REPLY=False, **overrides))
    caplog.set_level(logging.WARNING, "sesim.fetch")
    result = app.test_cli_runner().invoke(args=["channels", "fetch", "--channel", "email"])
    assert result.exit_code == 1
    assert expected in result.output
    assert expected in caplog.text
    assert IMAP_PASSWORD not in result.output + caplog.text
    assert stored(app) == []
    assert len(mailbox.uids(criteria="UNSEEN")) == 1  # nothing marked, so nothing lost
