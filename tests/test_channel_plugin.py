"""A channel written by a third party is a peer of the built-in ones.

``tests/channel_pkg`` (a Telegram-like bot webhook) is pip-installed and found through its own
``sesim.plugins`` entry point, as a deployer would install it. With no change to core it shows its
notice and reach line on the home page, its label in the inbox, its filters, statistics and the
audit, its name in exports and the API, receives messages (stored, deduplicated) and answers them
through its fake HTTP API, with each delivery outcome recorded.
"""

import importlib
import json
import sys
from pathlib import Path

import pytest
import responses

from tests.conftest import pip_install_package
from tests.test_admin_flow import make_report, report_id_from
from tests.test_admin_support import client_as, make_staff, post

CHANNEL_PKG = Path(__file__).parent / "channel_pkg"
SECRET = "bot-webhook-secret"
API = "https://bots.example.org"
SEND_URL = f"{API}/botTOKEN/sendMessage"
CHAT = "424242"


@pytest.fixture(scope="session")
def installed_channel(tmp_path_factory):
    return pip_install_package(CHANNEL_PKG, tmp_path_factory)


@pytest.fixture
def app(installed_channel, monkeypatch, make_app):
    monkeypatch.syspath_prepend(str(installed_channel))
    importlib.invalidate_caches()
    app = make_app(SESIM_PLUGINS="telegram,export", SESIM_STATS_MIN_COUNT=1,
                   SESIM_TELEGRAM_SECRET=SECRET, SESIM_TELEGRAM_TOKEN="TOKEN",
                   SESIM_TELEGRAM_BOT="@sesim_bot", SESIM_TELEGRAM_API=API)
    yield app
    sys.modules.pop("sesim_telegram", None)


@pytest.fixture
def bot_api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def update(update_id, text, chat=CHAT):
    return {"update_id": update_id, "message": {"message_id": 7, "text": text,
                                                "chat": {"id": int(chat), "type": "private"}}}


def deliver(client, body, secret=SECRET):
    return client.post("/channels/telegram/webhook", json=body,
                       headers={"X-Telegram-Bot-Api-Secret-Token": secret})


def messages(app, **filters):
    from core.models import Message

    with app.app_context():
        return [(m.text, m.status, m.error, m.sender) for m in
                Message.query.filter_by(channel="telegram", **filters).order_by(Message.id)]


def test_the_core_does_not_name_the_channel():
    core = Path(__file__).resolve().parent.parent / "core"
    named = {p.name for p in core.rglob("*") if p.suffix in (".py", ".html")
             and "telegram" in p.read_text().lower()}
    assert named <= {"redaction.py", "detection.py"}  # network names in text, not a channel


def test_home_page_shows_its_notice_and_how_to_reach_it(app):
    page = app.test_client().get("/?lang=en").get_data(as_text=True)
    assert 'id="notice-telegram"' in page
    assert "<li>Telegram: <strong>@sesim_bot</strong></li>" in page


def test_staff_filters_offer_it_before_any_message_came(app):
    """Filters list the registered channels, not only those with rows: a deployer who just
    installed it can already pick it (and a channel switched off since still shows its rows)."""
    from core.models import Message

    make_staff(app)
    with app.app_context():
        db = Message.query.session
        db.add(Message(channel="retired", external_id="r1", direction="in", text="old", status="new"))
        db.commit()
    moderator = client_as(app, "moderator")
    for page in ("/admin/messages?lang=en", "/admin/reports?lang=en"):
        html = moderator.get(page).get_data(as_text=True)
        assert '<option value="telegram">Telegram</option>' in html, page
    inbox = moderator.get("/admin/messages?lang=en").get_data(as_text=True)
    assert '<option value="retired">retired</option>' in inbox


def test_it_receives_stores_once_and_refuses_a_wrong_secret(app):
    client = app.test_client()
    assert deliver(client, update(1, "Metroda bir kişi məni izləyir"), secret="wrong").status_code == 403
    assert messages(app) == []
    assert deliver(client, update(1, "Metroda bir kişi məni izləyir")).status_code == 200
    assert deliver(client, update(1, "Metroda bir kişi məni izləyir")).status_code == 200  # again
    assert messages(app) == [("Metroda bir kişi məni izləyir", "new", None, CHAT)]


def test_staff_see_its_label_and_answer_through_it(app, bot_api):
    from core.models import Message

    staff = make_staff(app)  # noqa: F841  (the staff accounts client_as logs in)
    client = app.test_client()
    deliver(client, update(10, "İşdə rəhbər mənə hədə-qorxu gəlir"))
    moderator = client_as(app, "moderator")

    inbox = moderator.get("/admin/messages?lang=en").get_data(as_text=True)
    assert '<option value="telegram">Telegram</option>' in inbox  # the channel filter
    assert "Telegram · " in inbox  # each message's label
    assert moderator.get("/admin/messages?channel=telegram&lang=en").status_code == 200

    with app.app_context():
        message_id = Message.query.filter_by(channel="telegram").one().id
    report_id = report_id_from(make_report(moderator, app, [message_id]))
    page = f"/admin/reports/{report_id}"
    assert "Reply to the reporter through Telegram" in moderator.get(f"{page}?lang=en").get_data(as_text=True)
    reports = moderator.get("/admin/reports?lang=en").get_data(as_text=True)
    assert '<option value="telegram">Telegram</option>' in reports and "<td>Telegram</td>" in reports

    # Sent: the fake bot API got her chat id and the words; the reply is marked sent.
    bot_api.post(SEND_URL, json={"ok": True, "result": {"message_id": 8}})
    post(moderator, f"{page}/reply", {"text": "Sizi eşidirik. Təhlükəsizsiniz?"}, page)
    assert json.loads(bot_api.calls[-1].request.body) == {"chat_id": CHAT,
                                                          "text": "Sizi eşidirik. Təhlükəsizsiniz?"}
    # Failed: the reason is kept for staff.
    bot_api.replace(responses.POST, SEND_URL, status=403,
                    json={"ok": False, "description": "Forbidden: bot was blocked by the user"})
    post(moderator, f"{page}/reply", {"text": "Bizə yazın."}, page)
    # Deferred (flood control): it stays queued for the worker's next try.
    bot_api.replace(responses.POST, SEND_URL, status=429,
                    json={"ok": False, "description": "Too Many Requests: retry after 5"})
    post(moderator, f"{page}/reply", {"text": "Sonra yazacağıq."}, page)
    assert messages(app, direction="out") == [
        ("Sizi eşidirik. Təhlükəsizsiniz?", "sent", None, CHAT),
        ("Bizə yazın.", "failed", "Forbidden: bot was blocked by the user", CHAT),
        ("Sonra yazacağıq.", "queued", None, CHAT),
    ]
    # The worker retries the failed one while the API still says "later": it stays failed, and
    # staff keep reading why it failed.
    from core.intake import deliver as send_again

    with app.app_context():
        failed = Message.query.filter_by(channel="telegram", direction="out", status="failed").one()
        assert send_again(failed) is False
        assert (failed.status, failed.error) == ("failed", "Forbidden: bot was blocked by the user")
    channels_page = client_as(app, "admin").get("/admin/channels?lang=en").get_data(as_text=True)
    assert 'data-channel="telegram"' in channels_page
    assert 'Telegram <span class="muted arrives">webhook</span>' in channels_page

    # Published: statistics, the API and the export carry the channel, by its label or name.
    post(moderator, f"{page}/status", {"action": "publish"}, page)
    stats = app.test_client().get("/stats?lang=en").get_data(as_text=True)
    assert "Telegram" in stats
    csv = app.test_client().get("/stats.csv?lang=en").get_data(as_text=True)
    assert "channel,telegram,Telegram,1," in csv
    [item] = app.test_client().get("/api/v1/reports").get_json()["reports"]
    assert item["source_channel"] == "telegram"
    assert ",telegram" in app.test_client().get("/export/reports.csv").get_data(as_text=True)
