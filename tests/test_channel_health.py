"""Channel health: /admin/channels fed by intake, SMSSync check-ins, dispatch and fetching; the
worker's check e-mails admins about silent or failing channels, naming only the channel."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import mail_servers
from tests.test_admin_support import client_as, make_staff

smtp_server, smtp = mail_servers.smtp_server, mail_servers.smtp  # fixtures
SECRET = "smssync-secret-123"
PHONE = "+994501234567"
URL = "/channels/sms/smssync"


@pytest.fixture
def app_config(smtp_server):
    return {
        "SESIM_PLUGINS": "sms",
        "SESIM_SMS_GATEWAYS": "smssync",
        "SESIM_SMS_SMSSYNC_SECRET": SECRET,
        "SESIM_PUBLIC_URL": "https://sesim.test",
        "SESIM_MAIL_SMTP_HOST": "127.0.0.1",
        "SESIM_MAIL_SMTP_PORT": smtp_server.port,
        "SESIM_MAIL_SMTP_TLS": "off",
        "SESIM_MAIL_FROM": "alerts@sesim.test",
    }


def sms(n=1):
    return {"from": PHONE, "message": f"Məni izləyirlər {n}", "message_id": f"m-{n}",
            "secret": SECRET, "sent_timestamp": "1714560000000"}


def row(app, channel="sms", gateway="smssync"):
    from core.models import ChannelHealth

    with app.app_context():
        return ChannelHealth.query.filter_by(channel=channel, gateway=gateway).one_or_none()


def test_health_page_shows_messages_check_ins_errors_queue_and_worker(app, client, runner):
    from core.extensions import db
    from core.intake import queue_reply
    from core.models import Message

    make_staff(app)
    assert client.post(URL, data=sms()).status_code == 200
    assert row(app).last_received_at is not None
    app.extensions["sesim_health"].clear()  # as if the throttle minute had passed
    with app.app_context():
        row_id = row(app).id
        from core.models import ChannelHealth

        db.session.get(ChannelHealth, row_id).last_ok_at = None
        db.session.commit()
    assert client.get(f"{URL}?task=send&secret={SECRET}").status_code == 200  # the phone polls
    assert row(app).last_ok_at is not None  # a check-in
    assert client.get(f"{URL}?task=send&secret=wrong").status_code == 403
    assert row(app).last_error == "a request to the SMSSync URL had the wrong secret"
    assert row(app).failures == 0  # anyone can send a wrong secret: it is not the phone failing

    moderator = client_as(app, "moderator")
    page = moderator.get("/admin/channels").get_data(as_text=True)
    assert 'data-channel="sms/smssync"' in page and "wrong secret" in page
    assert "never: start `sesim worker`" in page
    assert PHONE not in page

    with app.app_context():
        original = Message.query.filter_by(direction="in").one()
        queue_reply(original, "Salam")  # SMSSync replies wait for the phone
        queue_reply(original, "Yenə salam")
        db.session.commit()
    assert runner.invoke(args=["worker", "--once"]).exit_code == 0
    page = moderator.get("/admin/channels").get_data(as_text=True)
    assert "never: start" not in page
    assert ">2 · " in page  # two replies waiting, with the age of the oldest
    lawyer = client_as(app, "lawyer")
    assert lawyer.get("/admin/channels").status_code == 403


def test_failures_are_redacted_and_counted_until_a_success(app):
    from core import health

    with app.app_context():
        for _ in range(3):
            health.failed("sms", f"gateway said: unknown number {PHONE}", "twilio")
    state = row(app, gateway="twilio")
    assert state.failures == 3 and PHONE not in state.last_error
    with app.app_context():
        health.ok("sms", "twilio")
    assert row(app, gateway="twilio").failures == 0


def test_silent_channel_alerts_admins_once_and_names_no_reporter(app, client, smtp):
    from core.channel_alerts import check_channels
    from core.extensions import db
    from core.models import ChannelHealth, User
    from core.models.base import utcnow

    staff = make_staff(app)
    client.post(URL, data=sms())
    with app.app_context():
        state = ChannelHealth.query.filter_by(channel="sms", gateway="smssync").one()
        # The Masallı phone went quiet: no SMS and no check-in for 30 hours.
        state.last_received_at = state.last_ok_at = utcnow() - timedelta(hours=30)
        db.session.commit()
        db.session.get(User, staff["admin"]).language = "en"
        db.session.commit()
        [problem] = check_channels()
        assert problem.silent_since is not None
    [(sender, recipients, mail)] = smtp.wait(1)
    assert recipients == ["admin@sesim.test"]  # admins only
    body = mail.get_content()
    assert "sms/smssync has been silent since" in body and "/admin/channels" in body
    assert PHONE not in body and "izləyirlər" not in body and PHONE not in mail["Subject"]

    with app.app_context():
        check_channels()  # the same problem again: no second mail yet
    assert len(smtp.received) == 1
    with app.app_context():
        state = ChannelHealth.query.filter_by(channel="sms", gateway="smssync").one()
        state.last_ok_at = utcnow()  # the phone is back
        db.session.commit()
        assert check_channels() == []
        assert ChannelHealth.query.filter_by(channel="sms").one().alerted_at is None


def test_failing_channel_alerts_and_disabled_channels_do_not(app, smtp):
    from core import health
    from core.channel_alerts import check_channels

    make_staff(app)
    with app.app_context():
        for _ in range(3):
            health.failed("sms", f"timeout sending to {PHONE}", "twilio")
            health.failed("twitter", "401 Unauthorized")  # twitter is not enabled here
        [problem] = check_channels()
        assert problem.failing and problem.name == "sms/twilio"
    [(_sender, _to, mail)] = smtp.wait(1)
    body = mail.get_content()
    assert "ardıcıl 3 dəfə" in body and PHONE not in body and "twitter" not in body  # az: default


def test_alert_is_in_the_admins_language(app, smtp):
    from core import health
    from core.channel_alerts import check_channels
    from core.extensions import db
    from core.models import User

    staff = make_staff(app)
    with app.app_context():
        db.session.get(User, staff["admin"]).language = "ru"
        db.session.commit()
        for _ in range(3):
            health.failed("sms", "timeout", "smssync")
        check_channels()
    [(_sender, _to, mail)] = smtp.wait(1)
    assert "сбоев подряд" in mail.get_content()


def test_without_staff_mail_the_alert_waits(make_app, caplog):
    from core import health
    from core.channel_alerts import check_channels
    from core.models import ChannelHealth

    app = make_app(SESIM_PLUGINS="sms", SESIM_SMS_GATEWAYS="smssync", SESIM_SMS_SMSSYNC_SECRET=SECRET)
    make_staff(app)
    with app.app_context():
        for _ in range(3):
            health.failed("sms", "timeout", "smssync")
        assert check_channels()
        assert ChannelHealth.query.one().alerted_at is None  # not sent: tried again next time
    assert "staff e-mail" in caplog.text


def test_each_smssync_phone_has_its_own_row_so_a_silent_phone_is_named(app, client, smtp):
    from core.channel_alerts import check_channels
    from core.extensions import db
    from core.models import ChannelHealth
    from core.models.base import utcnow

    make_staff(app)
    client.post(URL, data={**sms(1), "device_id": "masalli-phone"})
    client.post(URL, data={**sms(2), "device_id": "baku-phone"})
    phone = row(app, gateway="smssync:masalli-phone")
    assert phone.last_received_at is not None and phone.last_ok_at is not None
    page = client_as(app, "moderator").get("/admin/channels").get_data(as_text=True)
    assert 'data-channel="sms/smssync:masalli-phone"' in page
    assert 'data-channel="sms/smssync:baku-phone"' in page
    with app.app_context():
        quiet = ChannelHealth.query.filter_by(gateway="smssync:masalli-phone").one()
        quiet.last_received_at = quiet.last_ok_at = utcnow() - timedelta(days=2)
        db.session.commit()
        [problem] = check_channels()
    assert problem.name == "sms/smssync:masalli-phone"
    [(_sender, _to, mail)] = smtp.wait(1)
    assert "sms/smssync:masalli-phone" in mail["Subject"] and "baku-phone" not in mail.get_content()
