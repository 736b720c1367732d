"""Outgoing webhooks end to end: an admin registers a partner, moderation publishes, changes and
takes down a report, ``sesim worker`` delivers signed JSON with public fields only to a real HTTP
server on 127.0.0.1, retries, gives up, pauses, and refuses unsafe addresses."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.mail_servers import smtp, smtp_server  # noqa: F401  (fixtures)
from tests.test_admin_support import audit_actions, client_as, make_staff, post
from tests.test_hooks import _report

LOCAL = {"SESIM_PLUGINS": "webhooks", "SESIM_WEBHOOKS_ALLOW_HTTP": True,
         "SESIM_WEBHOOKS_ALLOW_PRIVATE": True, "SESIM_WEBHOOKS_TIMEOUT": 1,
         "SESIM_WEBHOOKS_PAUSE_AFTER": 3}


@pytest.fixture
def app_config():
    return LOCAL


class Partner:
    """A partner's server: records what it receives and answers ``status`` (or hangs)."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 200
        self.hang = 0.0
        self.location = None
        partner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                partner.received.append({"path": self.path, "headers": dict(self.headers),
                                         "body": body})
                if partner.hang:
                    time.sleep(partner.hang)
                self.send_response(partner.status)
                if partner.location:
                    self.send_header("Location", partner.location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/sesim-hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def partner():
    server = Partner()
    yield server
    server.close()


@pytest.fixture
def admin(app):
    make_staff(app)
    return client_as(app, "admin")


def register(admin, url, events=("report.published", "report.updated", "report.unpublished")):
    return post(admin, "/admin/webhooks", {"url": url, "events": list(events)}, "/admin/webhooks")


def the_webhook(app):
    from plugins.webhooks.models import Webhook

    with app.app_context():
        webhook = Webhook.query.one()
        return webhook.id, webhook.secret


def run_worker(app):
    """What `sesim worker` runs on its schedule, once, through its own command."""
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output


def deliveries(app):
    from plugins.webhooks.models import WebhookDelivery

    with app.app_context():
        return [(d.event, d.status, d.attempts, d.body is not None)
                for d in WebhookDelivery.query.order_by(WebhookDelivery.id)]


def set_status(app, admin, report_id, action):
    page = f"/admin/reports/{report_id}"
    response = post(admin, f"{page}/status", {"action": action}, page)
    assert response.status_code == 302, response.get_data(as_text=True)


def new_report(app, **fields):
    with app.app_context():
        report = _report(**fields)
        return report.id, report.public_id


def test_published_changed_and_withdrawn_reports_reach_the_partner_signed(app, admin, partner):
    from plugins.webhooks.signing import verify

    assert register(admin, partner.url).status_code == 302
    webhook_id, secret = the_webhook(app)
    report_id, public_id = new_report(app, story="Her own words, with her number +994501234567")
    set_status(app, admin, report_id, "publish")
    assert deliveries(app) == [("report.published", "pending", 0, True)]  # queued, not sent inline
    assert partner.received == []
    run_worker(app)

    (first,) = partner.received
    assert first["path"] == "/sesim-hook"
    assert verify(secret, first["headers"]["Sesim-Signature"], first["body"], int(time.time()))
    assert not verify("whsec_wrong", first["headers"]["Sesim-Signature"], first["body"], int(time.time()))
    event = json.loads(first["body"])
    assert event["event"] == "report.published" and first["headers"]["Sesim-Event"] == event["event"]
    assert event["data"]["id"] == public_id and event["data"]["story"] == "Public words"
    body = first["body"].decode()
    for private in ("Her own words", "+994501234567", "40.3812", "49.8401"):
        assert private not in body
    assert deliveries(app) == [("report.published", "sent", 1, False)]  # no body kept after success

    page = f"/admin/reports/{report_id}"
    post(admin, f"{page}/moderate", {"location_precision": "place", "public_story": "Shorter words"}, page)
    set_status(app, admin, report_id, "archive")
    run_worker(app)
    updated, unpublished = (json.loads(r["body"]) for r in partner.received[1:])
    assert updated["event"] == "report.updated" and updated["data"]["story"] == "Shorter words"
    assert unpublished["event"] == "report.unpublished" and unpublished["data"] == {"id": public_id}
    detail = admin.get(f"/admin/webhooks/{webhook_id}").get_data(as_text=True)
    assert detail.count('data-delivery="sent"') == 3


def test_failures_are_retried_with_back_off_then_given_up(app, admin, partner):
    from core.extensions import db
    from core.models.base import utcnow
    from plugins.webhooks.models import WebhookDelivery

    register(admin, partner.url)
    report_id, _ = new_report(app)
    partner.status = 500
    set_status(app, admin, report_id, "publish")
    run_worker(app)
    with app.app_context():
        item = WebhookDelivery.query.one()
        assert (item.status, item.attempts, item.last_status_code) == ("failed", 1, 500)
        first_wait = item.next_attempt_at - utcnow()
        assert timedelta(seconds=50) < first_wait <= timedelta(minutes=1)
    run_worker(app)  # not due yet: nothing is sent
    assert len(partner.received) == 1
    with app.app_context():
        item = WebhookDelivery.query.one()
        item.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    run_worker(app)
    with app.app_context():
        item = WebhookDelivery.query.one()
        assert item.attempts == 2
        assert timedelta(seconds=110) < item.next_attempt_at - utcnow() <= timedelta(minutes=2)
        item.next_attempt_at = utcnow() - timedelta(seconds=1)
        item.created_at = utcnow() - timedelta(days=1, minutes=1)
        db.session.commit()
    run_worker(app)
    assert deliveries(app) == [("report.published", "gave_up", 3, False)]
    assert len(partner.received) == 3


def test_a_partner_that_keeps_failing_is_paused_and_admins_see_it(app, admin, partner):
    from core.extensions import db
    from core.models.base import utcnow
    from plugins.webhooks.models import Webhook, WebhookDelivery

    register(admin, partner.url)
    webhook_id, _ = the_webhook(app)
    partner.status = 503
    for _ in range(3):
        report_id, _ = new_report(app)
        set_status(app, admin, report_id, "publish")
    run_worker(app)  # three failures in a row: PAUSE_AFTER is 3
    with app.app_context():
        assert Webhook.query.one().paused_at is not None
        WebhookDelivery.query.update({"next_attempt_at": utcnow() - timedelta(seconds=1)})
        db.session.commit()
    assert "webhook.paused" in audit_actions(app)
    assert "kept failing" in admin.get("/admin/webhooks").get_data(as_text=True)
    run_worker(app)
    assert len(partner.received) == 3  # paused: nothing more is sent

    partner.status = 200
    page = f"/admin/webhooks/{webhook_id}"
    assert post(admin, f"{page}/resume", {}, page).status_code == 302
    run_worker(app)
    assert [d[1] for d in deliveries(app)] == ["sent", "sent", "sent"]


@pytest.mark.parametrize("mode", ["hang", "redirect"])
def test_slow_partners_time_out_and_redirects_are_not_followed(app, admin, partner, mode):
    register(admin, partner.url)
    report_id, _ = new_report(app)
    if mode == "hang":
        partner.hang = 3  # the timeout is 1 s
    else:
        partner.status, partner.location = 302, partner.url.replace("/sesim-hook", "/elsewhere")
    set_status(app, admin, report_id, "publish")
    started = time.monotonic()
    run_worker(app)
    assert time.monotonic() - started < 2.9
    assert [r["path"] for r in partner.received] == ["/sesim-hook"]
    assert deliveries(app) == [("report.published", "failed", 1, True)]


def test_send_test_event_button(app, admin, partner):
    register(admin, partner.url)
    webhook_id, _ = the_webhook(app)
    page = f"/admin/webhooks/{webhook_id}"
    response = post(admin, f"{page}/test", {}, page, follow_redirects=True)
    assert "accepted the test event" in response.get_data(as_text=True)
    assert json.loads(partner.received[0]["body"])["event"] == "ping"
    partner.status = 404
    response = post(admin, f"{page}/test", {}, page, follow_redirects=True)
    assert "The test event failed: HTTP 404" in response.get_data(as_text=True)


def test_rotating_the_secret_changes_the_signature(app, admin, partner):
    from plugins.webhooks.signing import verify

    register(admin, partner.url)
    webhook_id, old = the_webhook(app)
    page = f"/admin/webhooks/{webhook_id}"
    post(admin, f"{page}/rotate", {}, page)
    _, new = the_webhook(app)
    assert new != old and new.startswith("whsec_")
    post(admin, f"{page}/test", {}, page)
    received = partner.received[0]
    assert verify(new, received["headers"]["Sesim-Signature"], received["body"], int(time.time()))
    assert not verify(old, received["headers"]["Sesim-Signature"], received["body"], int(time.time()))
    assert post(admin, f"{page}/delete", {}, page).status_code == 302
    assert admin.get(page).status_code == 404


@pytest.mark.parametrize("url, error", [
    ("", "Enter the partner"),
    ("http://partner.example.org/hook", "must start with https://"),
    ("ftp://partner.example.org/hook", "must start with https://"),
    ("https://127.0.0.1/hook", "private or local network"),
    ("https://localhost:8443/hook", "private or local network"),
    ("https://10.1.2.3/hook", "private or local network"),
    ("https://192.168.0.10/hook", "private or local network"),
    ("https://169.254.169.254/latest/meta-data", "private or local network"),
    ("https://[::1]/hook", "private or local network"),
    ("https://[::ffff:127.0.0.1]/hook", "private or local network"),
    ("https://100.64.0.1/hook", "private or local network"),
    ("https://user:pw@partner.example.org/hook", "not a valid web address"),
    ("https://partner.example.org:99999/hook", "not a valid web address"),
    ("https://" + "a" * 2000 + ".org/", "Enter the partner"),
])
def test_unsafe_or_malformed_addresses_are_refused_in_words(make_app, url, error):
    app = make_app(SESIM_PLUGINS="webhooks")  # production settings: https and public addresses only
    make_staff(app)
    admin = client_as(app, "admin")
    response = register(admin, url)
    assert response.status_code == 400
    assert error in response.get_data(as_text=True)
    from plugins.webhooks.models import Webhook

    with app.app_context():
        assert Webhook.query.count() == 0


def test_no_event_chosen_is_refused(app, admin, partner):
    response = register(admin, partner.url, events=())
    assert response.status_code == 400
    assert "Choose at least one event" in response.get_data(as_text=True)


def test_only_admins_reach_the_webhooks_pages(app, partner):
    make_staff(app)
    assert app.test_client().get("/admin/webhooks").headers["Location"].startswith("/admin/login")
    moderator = client_as(app, "moderator")
    assert moderator.get("/admin/webhooks").status_code == 403
    assert "Partner webhooks" not in moderator.get("/admin/reports").get_data(as_text=True)
    assert "Partner webhooks" in client_as(app, "admin").get("/admin/reports").get_data(as_text=True)
    assert "refused.role" in audit_actions(app)


def test_admins_are_emailed_when_a_partner_is_paused(make_app, partner, smtp):  # noqa: F811
    app = make_app(**LOCAL, SESIM_MAIL_SMTP_HOST="127.0.0.1", SESIM_MAIL_SMTP_PORT=smtp.port,
                   SESIM_MAIL_SMTP_TLS="off", SESIM_MAIL_FROM="sesim@sesim.test",
                   SESIM_PUBLIC_URL="https://sesim.test")
    make_staff(app)
    admin = client_as(app, "admin")
    register(admin, partner.url)
    webhook_id, _ = the_webhook(app)
    partner.status = 500
    for _ in range(3):
        report_id, _ = new_report(app, story="Private story words")
        set_status(app, admin, report_id, "publish")
    run_worker(app)
    (_, recipients, mail), = smtp.wait(1)
    assert recipients == ["admin@sesim.test"]  # admins only, not the moderator or the lawyer
    body = mail.get_content()
    assert partner.url in body and f"https://sesim.test/admin/webhooks/{webhook_id}" in body
    assert "Private story words" not in body


def test_a_report_she_withdraws_is_unpublished_for_partners(app, admin, partner):
    from core import casecodes
    from tests.conftest import csrf_token, post_form

    register(admin, partner.url)
    with app.app_context():
        code, code_hash = casecodes.issue()
    report_id, public_id = new_report(app, case_code_hash=code_hash)
    set_status(app, admin, report_id, "publish")
    reporter = app.test_client()
    post_form(reporter, "/case", {"code": code})
    reporter.post("/case/withdraw", data={"confirm": "yes", "csrf_token": csrf_token(reporter, "/case")})
    run_worker(app)
    events = [json.loads(r["body"]) for r in partner.received]
    assert [e["event"] for e in events] == ["report.published", "report.unpublished"]
    assert events[1]["data"] == {"id": public_id}
