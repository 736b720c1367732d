"""Alerts end to end: a visitor subscribes on /alerts, confirms through the link a real SMTP server
received, moderators publish, ``sesim worker`` sends the alert with a one-click unsubscribe; SMS
opt-in through SMSSync with ``ALERT <place>`` and STOP. Bad input gets words, never a 500."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.conftest import QUICK_EXIT_SCRIPT, post_form
from tests.mail_servers import smtp, smtp_server  # noqa: F401  (fixtures)
from tests.test_admin_support import client_as, make_staff
from tests.test_hooks import _report

ADDRESS = "leyla.reader@example.org"
PHONE = "+994551239876"
SMSSYNC_SECRET = "smssync-secret-123"


@pytest.fixture
def app_config(smtp):  # noqa: F811
    return {
        "SESIM_PLUGINS": "alerts,sms",
        "SESIM_PUBLIC_URL": "https://sesim.test",
        "SESIM_MAIL_SMTP_HOST": "127.0.0.1",
        "SESIM_MAIL_SMTP_PORT": smtp.port,
        "SESIM_MAIL_SMTP_TLS": "off",
        "SESIM_MAIL_FROM": "alerts@sesim.test",
        "SESIM_SMS_GATEWAYS": "smssync",
        "SESIM_SMS_SMSSYNC_SECRET": SMSSYNC_SECRET,
        "SESIM_SMS_REPORT_NUMBER": "+994 12 555 00 00",
    }


def run_worker(app):
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output


def subscribe(client, **fields):
    data = {"email": ADDRESS, "area": "masalli", "category": "", "frequency": "immediate", **fields}
    return post_form(client, "/alerts?lang=en", data, page="/alerts?lang=en")


def link(mail, path: str) -> str:
    body = mail.get_content()
    found = re.search(rf"https://sesim\.test(/alerts/{path}/[\w-]+)", body)
    assert found, body
    return found.group(1)


def confirm(app, client, smtp):  # noqa: F811
    run_worker(app)
    (_, recipients, mail), = smtp.wait(1)
    assert recipients == [ADDRESS]
    url = link(mail, "confirm")
    assert "Yes, send me alerts" in client.get(url + "?lang=en").get_data(as_text=True)
    assert post_form(client, url, {}, page=url).status_code == 200
    smtp.received.clear()
    return url


def publish(app, **fields):
    from core.admin.workflow import change_status
    from core.extensions import db
    from core.models import User

    with app.test_request_context():
        moderator = User.query.filter_by(email="m@alerts.test").first()
        if moderator is None:
            moderator = User(email="m@alerts.test", password_hash="!", role="moderator")
            db.session.add(moderator)
            db.session.commit()
        report = _report(**fields)
        change_status(report, "publish", moderator)
        db.session.commit()
        return report.id


def subscriptions(app):
    from plugins.alerts.models import AlertSubscription

    with app.app_context():
        return [(s.kind, s.area, s.frequency, s.confirmed_at is not None)
                for s in AlertSubscription.query.order_by(AlertSubscription.id)]


def test_subscribe_confirm_publish_alert_and_one_click_unsubscribe(app, client, smtp):  # noqa: F811
    response = subscribe(client)
    assert response.status_code == 200
    assert "Nothing is sent before you confirm" in response.get_data(as_text=True)
    assert smtp.received == []  # the worker sends it, so the answer's timing tells nothing
    publish(app, title="Before she confirmed", place_id="masalli-town", region_id="masalli")
    url = confirm(app, client, smtp)
    assert subscriptions(app) == [("email", "masalli", "immediate", True)]

    publish(app, title="Followed near the bazaar", place_id="masalli-town", region_id="masalli",
            public_story="Public words", story="Her own words +994501112233")
    publish(app, title="Elsewhere", place_id="baku-nasimi", region_id="baku")
    publish(app, title="Hidden place", place_id="masalli-town", region_id="masalli",
            location_precision="hidden")
    run_worker(app)
    (_, recipients, mail), = smtp.wait(1)
    assert recipients == [ADDRESS]
    body = mail.get_content()
    assert "Followed near the bazaar" in body
    for absent in ("Before she confirmed", "Elsewhere", "Hidden place", "Her own words",
                   "+994501112233", "Public words"):
        assert absent not in body  # no story, no other area, nothing she could not see on the map
    unsubscribe = link(mail, "unsubscribe")
    assert mail["List-Unsubscribe"].strip() == f"<https://sesim.test{unsubscribe}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    run_worker(app)
    assert len(smtp.received) == 1  # told once
    # RFC 8058: the mail client POSTs without a cookie or a CSRF token.
    response = app.test_client().post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert subscriptions(app) == []  # deleted, not flagged
    assert app.test_client().get(url).status_code == 404  # the confirmation link is dead too


def test_addresses_are_encrypted_at_rest(app, client, smtp):  # noqa: F811
    from core.extensions import db

    subscribe(client)
    with app.app_context():
        raw = db.session.execute(text("SELECT address, address_hash FROM alert_subscriptions")).one()
    assert ADDRESS not in raw.address and ADDRESS not in raw.address_hash


def test_a_repeated_subscription_is_not_duplicated_and_reveals_nothing(app, client, smtp):  # noqa: F811
    first = subscribe(client).get_data(as_text=True)
    confirm(app, client, smtp)
    again = subscribe(client).get_data(as_text=True)
    strip = re.compile(r'name="csrf_token"[^>]*>')
    assert strip.sub("", first) == strip.sub("", again)
    run_worker(app)
    assert smtp.received == [] and len(subscriptions(app)) == 1


def test_confirmation_links_expire_and_work_once(app, client, smtp):  # noqa: F811
    from core.extensions import db
    from plugins.alerts.models import AlertSubscription

    subscribe(client)
    run_worker(app)
    (_, _, mail), = smtp.wait(1)
    url = link(mail, "confirm")
    with app.app_context():
        row = AlertSubscription.query.one()
        row.confirm_sent_at -= timedelta(days=8)
        db.session.commit()
    expired = client.get(url + "?lang=en")
    assert expired.status_code == 404 and "expired or was already used" in expired.get_data(as_text=True)
    assert client.get("/alerts/confirm/not-a-real-token").status_code == 404
    run_worker(app)  # an expired, unconfirmed address is forgotten
    assert subscriptions(app) == []


def test_a_report_withdrawn_before_the_daily_digest_is_not_mentioned(app, client, smtp):  # noqa: F811
    from core.admin.workflow import change_status
    from core.extensions import db
    from core.models import Report
    from plugins.alerts.models import AlertSubscription

    subscribe(client, frequency="daily", area="masalli-town")
    confirm(app, client, smtp)
    publish(app, title="Still public", place_id="masalli-town", region_id="masalli")
    gone = publish(app, title="Taken down", place_id="masalli-town", region_id="masalli")
    run_worker(app)
    assert smtp.received == []  # a daily digest waits for its day
    with app.test_request_context():
        change_status(db.session.get(Report, gone), "archive", _staff(app))
        db.session.commit()
        subscription = AlertSubscription.query.one()
        subscription.confirmed_at -= timedelta(days=1)
        db.session.commit()
    run_worker(app)
    (_, _, mail), = smtp.wait(1)
    assert "Still public" in mail.get_content() and "Taken down" not in mail.get_content()


def _staff(app):
    from core.models import User

    return User.query.filter_by(email="m@alerts.test").one()


def test_manage_page_changes_and_deletes(app, client, smtp):  # noqa: F811
    subscribe(client)
    confirm(app, client, smtp)
    publish(app, place_id="masalli-town", region_id="masalli")
    run_worker(app)
    (_, _, mail), = smtp.wait(1)
    manage = link(mail, "manage")
    page = client.get(manage + "?lang=en").get_data(as_text=True)
    assert "Masalli" in page and ADDRESS not in page
    from plugins.alerts.models import AlertSubscription

    with app.app_context():
        sub_id = AlertSubscription.query.one().id
    post_form(client, manage, {"subscription": sub_id, "action": "save", "frequency": "weekly"}, page=manage)
    assert subscriptions(app) == [("email", "masalli", "weekly", True)]
    bad = post_form(client, manage, {"subscription": 999999, "action": "save", "frequency": "weekly"},
                    page=manage)
    assert bad.status_code == 400
    done = post_form(client, manage + "?lang=en", {"action": "delete_all"}, page=manage)
    assert "deleted from Sesim" in done.get_data(as_text=True)
    assert subscriptions(app) == []


@pytest.mark.parametrize("fields, error", [
    ({"email": "not-an-address"}, "Enter an e-mail address"),
    ({"email": ""}, "Enter an e-mail address"),
    ({"email": "a@" + "b" * 300 + ".org"}, "Enter an e-mail address"),
    ({"area": "atlantis"}, "Choose a place from the list"),
    ({"category": "999999"}, "Choose a category from the list"),
    ({"category": "99999999999999999999"}, "Choose a category from the list"),
    ({"category": "abc"}, "Choose a category from the list"),
    ({"frequency": "hourly"}, "Choose how often"),
])
def test_bad_input_is_answered_in_words(app, client, fields, error):
    response = subscribe(client, **fields)
    assert response.status_code == 400
    assert error in response.get_data(as_text=True)
    assert subscriptions(app) == []


def test_subscribing_is_rate_limited(app, client, smtp):  # noqa: F811
    statuses = [subscribe(client, email=f"reader{i}@example.org").status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]


def test_alerts_page_offers_sms_and_works_without_javascript(client):
    page = client.get("/alerts?lang=en").get_data(as_text=True)
    assert "<script" not in page.replace(QUICK_EXIT_SCRIPT, "")
    assert "Text ALERT" in page and "+994 12 555 00 00" in page
    assert '<option value="masalli-town"' in page


def smssync(client, message, message_id):
    return client.post("/channels/sms/smssync", data={
        "from": PHONE, "message": message, "message_id": message_id, "secret": SMSSYNC_SECRET,
        "sent_to": "+994125550000", "device_id": "phone-1", "sent_timestamp": "1764576000000"})


def outbound_texts(app):
    from core.models import Message

    with app.app_context():
        return [m.text for m in Message.query.filter_by(direction="out").order_by(Message.id)]


def test_sms_opt_in_with_a_misspelt_place_batches_alerts_and_stop_ends_them(app, client):
    assert smssync(client, "ALERT Masali", "m-1").status_code == 200  # misspelt on purpose
    assert subscriptions(app) == [("sms", "masalli-town", "daily", True)]
    (confirmation,) = outbound_texts(app)
    assert "Masalli" in confirmation and "STOP" in confirmation  # English: she wrote ALERT
    phone_gets = client.get(f"/channels/sms/smssync?task=send&secret={SMSSYNC_SECRET}").json
    assert [m["to"] for m in phone_gets["payload"]["messages"]] == [PHONE]

    publish(app, title="First", place_id="masalli-town", region_id="masalli", public_story="Words")
    run_worker(app)
    publish(app, title="Second", place_id="masalli-town", region_id="masalli")
    run_worker(app)  # at most one SMS a day: the second waits
    texts = outbound_texts(app)
    assert len(texts) == 2
    assert "1 new report" in texts[1] and "Masalli" in texts[1] and "Words" not in texts[1]

    assert smssync(client, "STOP", "m-2").status_code == 200
    assert subscriptions(app) == []


def test_sms_opt_in_with_an_unknown_place_is_told_how(app, client):
    smssync(client, "ALERT Qwertyzxcv", "m-9")
    assert subscriptions(app) == []
    (answer,) = outbound_texts(app)
    assert "ALERT Masallı" in answer


def test_staff_never_see_subscribers(app, client, smtp):  # noqa: F811
    subscribe(client)
    make_staff(app)
    admin = client_as(app, "admin")
    for page in ("/admin/reports", "/admin/messages", "/admin/audit"):
        assert ADDRESS not in admin.get(page).get_data(as_text=True)


@pytest.mark.parametrize("keyword, place, expected", [
    ("XƏBƏR", "Masallı", "Masallı üzrə yeni dərc olunmuş müraciətlər"),
    ("оповещение", "Масаллы", "новых опубликованных сообщениях в месте Масаллы"),
])
def test_sms_opt_in_answers_in_her_language(app, client, keyword, place, expected):
    smssync(client, f"{keyword} {place}", "m-lang")
    (answer,) = outbound_texts(app)
    assert expected in answer
    assert subscriptions(app)[0][0] == "sms"


def test_an_alert_request_gets_its_confirmation_and_no_case_code_even_late(app, client):
    """With case codes on, ALERT is not a report: one answer, the confirmation — live, and when
    the worker follows it up after a crash (the SMS plugin answers last)."""
    from core.models import Message
    from tests.test_late_followups import left_by_a_crash, sweeps_past_the_grace

    app.config["SESIM_SMS_AUTO_REPLY"] = True
    smssync(client, "ALERT Masallı", "m-live")
    (confirmation,) = outbound_texts(app)
    assert "STOP" in confirmation
    left_by_a_crash(app, external_id="smssync:m-late", text="ALERT Masallı")
    sweeps_past_the_grace(app)
    with app.app_context():
        late = Message.query.filter_by(external_id="smssync:m-late").one()
        assert late.data["late"] and late.case_code_hash is None
        [answer] = Message.query.filter_by(direction="out", in_reply_to_id=late.id).all()
        assert answer.data["kind"] == "alert"


def test_an_alert_request_whose_subscription_failed_is_subscribed_by_the_worker(app, client):
    """The database was busy when her ALERT was followed up: the SMS plugin still answered her
    (a case code), and the worker's next follow-up stores her subscription (no second answer)."""
    from sqlalchemy.exc import OperationalError

    from core.models import Message
    from tests.conftest import on_each_statement
    from tests.test_late_followups import sweeps_past_the_grace

    app.config["SESIM_SMS_AUTO_REPLY"] = True
    busy = []

    def once(statement, _parameters):
        if statement.startswith("INSERT INTO alert_subscriptions") and not busy:
            busy.append(statement)
            raise OperationalError(statement, {}, Exception("database is locked"))

    with on_each_statement(once, app):  # sent now: the worker follows up the last two days'
        assert client.post("/channels/sms/smssync", data={
            "from": PHONE, "message": "ALERT Masallı", "message_id": "m-busy",
            "secret": SMSSYNC_SECRET}).status_code == 200
    assert busy and subscriptions(app) == [] and len(outbound_texts(app)) == 1

    sweeps_past_the_grace(app)
    assert subscriptions(app) == [("sms", "masalli-town", "daily", True)]
    assert len(outbound_texts(app)) == 1  # she was answered once, in the request
    with app.app_context():
        request = Message.query.filter_by(external_id="smssync:m-busy").one()
        assert request.data["processed"] and request.data["alerts"] == "subscribed"
