"""Every hook in core/hookspecs.py has a test here named ``test_hook_<name>`` and an entry in
docs/plugins.md; the two meta-tests at the end fail when a new hook lacks either."""

import inspect
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from core import hookimpl, hookspecs
from core.channels import ChannelInfo, Delivery
from core.fetching import polled_channels
from core.intake import Inbound, queue_reply, receive
from core.models import Category, Message, Report
from core.nav import NavItem
from tests.conftest import post_form

DOCS = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
HOOKS = sorted(name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
               if name.startswith("sesim_"))


def register(app, plugin, name="probe"):
    app.extensions["sesim"].manager.register(plugin, name=name)
    return plugin


def test_hook_sesim_config_defaults(make_app, monkeypatch):
    class Plugin:
        @hookimpl
        def sesim_config_defaults(self):
            return {"SESIM_PROBE_RETRIES": 3, "SESIM_PROBE_LOUD": False, "SESIM_PROBE_NAME": "x"}

    # Defaults apply under what the deployer set, and environment strings take the default's type.
    from core import plugins

    original = plugins.PluginHost.load

    def load(self, wanted):
        original(self, wanted)
        self.manager.register(Plugin(), name="probe")

    monkeypatch.setattr(plugins.PluginHost, "load", load)
    monkeypatch.setenv("SESIM_PROBE_RETRIES", "7")
    monkeypatch.setenv("SESIM_PROBE_LOUD", "true")
    app = make_app()
    assert app.config["SESIM_PROBE_RETRIES"] == 7
    assert app.config["SESIM_PROBE_LOUD"] is True
    assert app.config["SESIM_PROBE_NAME"] == "x"


def test_hook_sesim_register_blueprints(make_app, monkeypatch):
    from flask import Blueprint

    bp = Blueprint("probe", __name__)
    bp.add_url_rule("/probe", "index", lambda: "probe page")

    class Plugin:
        @hookimpl
        def sesim_register_blueprints(self, app):
            app.register_blueprint(bp)

    _preload(monkeypatch, Plugin())
    assert make_app().test_client().get("/probe").get_data(as_text=True) == "probe page"


def test_hook_sesim_csp_sources(make_app, monkeypatch):
    class Plugin:
        @hookimpl
        def sesim_csp_sources(self, app):
            return {"img-src": ["https://tiles.example.org"]}

    _preload(monkeypatch, Plugin())
    csp = make_app().test_client().get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tiles.example.org" in csp
    assert "script-src 'self';" in csp


def _preload(monkeypatch, plugin):
    """Register ``plugin`` while the app is being built (as an entry point would be)."""
    from core import plugins

    original = plugins.PluginHost.load

    def load(self, wanted):
        original(self, wanted)
        self.manager.register(plugin, name="probe")

    monkeypatch.setattr(plugins.PluginHost, "load", load)


def test_hook_sesim_channel_info(app):
    """A channel is described once; core fetches it and sends through it by name, and reads the
    explicit ``Delivery`` (sent / deferred / failed with a reason)."""
    sent = []

    def fetch(app):
        yield Inbound(channel="probe", external_id="1", text="one", sender="+994")
        # By the time the generator resumes, the message is stored.
        assert Message.query.filter_by(channel="probe", external_id="1").count() == 1
        yield Inbound(channel="probe", external_id="2", text="two")

    def send(message):
        if "fail" in message.text:
            return Delivery.failed("gateway down: cannot reach +994 50 123 45 67")
        if "later" in message.text:
            return Delivery.deferred("waits for the phone")
        if "crash" in message.text:
            raise ConnectionError("boom")
        sent.append(message.text)
        return Delivery.sent()

    class Plugin:
        @hookimpl
        def sesim_channel_info(self):
            return ChannelInfo("probe", "Probe", send=send, fetch=fetch, polled=True)

    class Other:  # another channel is never asked to send or fetch the probe's messages
        @hookimpl
        def sesim_channel_info(self):
            return ChannelInfo("other", "Other", send=lambda m: 1 / 0, fetch=lambda a: 1 / 0)

    register(app, Plugin())
    register(app, Other(), name="other")
    from core.fetching import fetch as fetch_all

    with app.app_context():
        assert "probe" in polled_channels() and "other" not in polled_channels()
        (result,) = fetch_all("probe")
        assert (result.new, result.duplicates, result.failed, result.error) == (2, 0, 0, "")
        original = Message.query.filter_by(channel="probe", external_id="1").one()
        ok = queue_reply(original, "Your case code is 1234")
        failed = queue_reply(original, "this will fail")
        later = queue_reply(original, "send it later")
        crashed = queue_reply(original, "crash")
        assert (ok.status, ok.direction, ok.sender) == ("sent", "out", "+994")
        assert failed.status == "failed" and "gateway down" in failed.error
        assert "123 45 67" not in failed.error  # her number never lands in the error text
        assert (later.status, later.error) == ("queued", None)
        assert crashed.status == "failed" and "boom" in crashed.error
        assert Message.query.filter_by(direction="out").count() == 4  # stored either way
    assert sent == ["Your case code is 1234"]


def test_hook_sesim_template_slot(make_app, monkeypatch, tmp_path):
    """Plugins add to named places of core pages: a template (with the page's context), Markup as
    it is, plain text escaped; a plugin that raises is skipped and the page still renders."""
    from flask import Blueprint
    from markupsafe import Markup

    (tmp_path / "probe").mkdir()
    (tmp_path / "probe" / "_slot.html").write_text('<p id="probe-tpl">{{ site_name }}</p>')
    bp = Blueprint("probe", __name__, template_folder=str(tmp_path))

    class Plugin:
        @hookimpl
        def sesim_register_blueprints(self, app):
            app.register_blueprint(bp)

        @hookimpl
        def sesim_template_slot(self, slot):
            return {"home_ways": [Markup('<p id="probe-markup">ok</p>'), "probe/_slot.html"],
                    "footer": "<script>alert(1)</script>",
                    "report_done": "probe/_missing.html"}.get(slot)

    class Broken:
        @hookimpl
        def sesim_template_slot(self, slot):
            raise RuntimeError("boom")

    from core import plugins

    original = plugins.PluginHost.load

    def load(self, wanted):
        original(self, wanted)
        self.manager.register(Plugin(), name="probe")
        self.manager.register(Broken(), name="broken")

    monkeypatch.setattr(plugins.PluginHost, "load", load)
    app = make_app(SESIM_SITE_NAME="Probe site")
    page = app.test_client().get("/?lang=en").get_data(as_text=True)
    assert '<p id="probe-markup">ok</p>' in page
    assert '<p id="probe-tpl">Probe site</p>' in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.index("probe-markup") < page.index("Already reported")  # in the home_ways slot


def test_hook_sesim_spam_verdict(app):
    received = []

    class Plugin:
        @hookimpl
        def sesim_spam_verdict(self, message):
            return "casino" in message.text or None

        @hookimpl
        def sesim_message_received(self, message):
            received.append(message.external_id)

    register(app, Plugin())
    with app.app_context():
        spam, _ = receive(Inbound(channel="probe", external_id="s", text="casino bonus"))
        ham, _ = receive(Inbound(channel="probe", external_id="h", text="help me"))
        assert (spam.status, ham.status) == ("spam", "new")
    assert received == ["h"]


def test_hook_sesim_message_received(app):
    received = []

    class Plugin:
        @hookimpl
        def sesim_message_received(self, message):
            received.append((message.id is not None, message.text))

    register(app, Plugin())
    with app.app_context():
        receive(Inbound(channel="probe", external_id="1", text="stored first"))
        receive(Inbound(channel="probe", external_id="1", text="stored first"))  # repeat: not again
    assert received == [(True, "stored first")]


def test_hook_sesim_report_created(app, client):
    created = []

    class Plugin:
        @hookimpl
        def sesim_report_created(self, report):
            created.append((report.public_id, report.status))

    register(app, Plugin())
    with app.app_context():
        category = Category.query.first().id
    data = {"title": "t", "story": "s", "place": "baku", "categories": [str(category)],
            "occurred_on": (date.today() - timedelta(days=1)).isoformat()}
    assert post_form(client, "/report", data, follow_redirects=True).status_code == 200
    with app.app_context():
        assert created == [(Report.query.one().public_id, "pending")]


def test_hook_sesim_nav_items(app, client):
    class Plugin:
        @hookimpl
        def sesim_nav_items(self):
            return [NavItem("public.case", "Second", order=60), NavItem("public.home", "First", order=10)]

    register(app, Plugin())
    page = client.get("/").get_data(as_text=True)
    assert page.index('href="/">First<') < page.index('href="/case">Second<')


def test_hook_sesim_cli_commands(make_app, monkeypatch):
    import click

    class Plugin:
        @hookimpl
        def sesim_cli_commands(self, cli):
            @cli.command("probe")
            def probe():
                click.echo("probe ran")

    _preload(monkeypatch, Plugin())
    assert make_app().test_cli_runner().invoke(args=["probe"]).output == "probe ran\n"


def _report(status="pending", **fields) -> Report:
    from core.extensions import db

    values = dict(title="Followed", story="Private words", public_story="Public words",
                  occurred_at=datetime(2026, 5, 1), status=status, place_id="baku-nasimi",
                  region_id="baku", public_latitude=40.388, public_longitude=49.833,
                  latitude=40.3812, longitude=49.8401, consent_publish=True)
    report = Report(**{**values, **fields})
    db.session.add(report)
    db.session.commit()
    return report


def test_hook_sesim_report_published(app):
    from flask_login import login_user

    from core.admin.workflow import change_status
    from core.extensions import db
    from core.models import User

    published = []

    class Plugin:
        @hookimpl
        def sesim_report_published(self, report):
            # Called after the commit: the report is public when plugins hear of it.
            db.session.expire(report)
            published.append((report.public_id, report.status))

    register(app, Plugin())
    with app.test_request_context():
        moderator = User(email="m@example.org", password_hash="!", role="moderator")
        db.session.add(moderator)
        report = _report()
        login_user(moderator)
        assert change_status(report, "reject", moderator)
        assert published == []  # rejecting tells nobody
        assert change_status(report, "publish", moderator)
        assert published == [(report.public_id, "published")]


def _moderator_session(app):
    from flask_login import login_user

    from core.extensions import db
    from core.models import User

    moderator = User(email="m@example.org", password_hash="!", role="moderator")
    db.session.add(moderator)
    db.session.commit()
    login_user(moderator)
    return moderator


def test_hook_sesim_report_updated(app):
    from core.admin.workflow import moderate, tell_if_public_changed
    from core.extensions import db

    updated = []

    class Plugin:
        @hookimpl
        def sesim_report_updated(self, report):
            updated.append(report.public_story)

    register(app, Plugin())
    with app.test_request_context():
        moderator = _moderator_session(app)
        pending, public = _report(), _report(status="published")
        for report in (pending, public):
            changed = moderate(report, False, "", "place", "Edited words", moderator)
            db.session.commit()
            tell_if_public_changed(report, changed)
        tell_if_public_changed(public, moderate(public, False, "", "place", "Edited words", moderator))
        assert updated == ["Edited words"]  # only the published one, and only when it changed


def test_hook_sesim_admin_nav_items(app):
    from tests.test_admin_support import client_as, make_staff

    class Plugin:
        @hookimpl
        def sesim_admin_nav_items(self):
            return [NavItem("admin.audit", "Everyone's page", order=10),
                    NavItem("admin.users", "Admins' page", order=20, roles=("admin",))]

    register(app, Plugin())
    make_staff(app)
    admin_page = client_as(app, "admin").get("/admin/reports").get_data(as_text=True)
    moderator_page = client_as(app, "moderator").get("/admin/reports").get_data(as_text=True)
    assert admin_page.index("Everyone&#39;s page") < admin_page.index("Admins&#39; page")
    assert "Everyone&#39;s page" in moderator_page and "Admins&#39; page" not in moderator_page


def test_hook_sesim_report_unpublished(app, client):
    from flask_login import login_user

    from core import casecodes
    from core.admin.workflow import change_status
    from core.extensions import db
    from core.models import User

    heard = []

    class Plugin:
        @hookimpl
        def sesim_report_unpublished(self, report, reason):
            db.session.expire(report)  # called after the commit
            heard.append((report.public_id, report.status, reason))

    register(app, Plugin())
    with app.test_request_context():
        moderator = User(email="m@example.org", password_hash="!", role="moderator")
        db.session.add(moderator)
        archived, never = _report(status="published"), _report()
        login_user(moderator)
        assert change_status(archived, "archive", moderator)
        assert change_status(never, "reject", moderator)  # never public: nothing to say
        code, code_hash = casecodes.issue()
        withdrawn = _report(status="published", case_code_hash=code_hash)
        ids = archived.public_id, withdrawn.public_id
    assert heard == [(ids[0], "archived", "archive")]
    post_form(client, "/case", {"code": code})
    client.post("/case/withdraw", data={"confirm": "yes", "csrf_token": _token(client)})
    assert heard[1:] == [(ids[1], "withdrawn", "withdrawn")]


def _token(client) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, "/case")


def test_hook_sesim_export_formats(make_app):
    from core.exports import ExportFormat

    def titles(rows):
        for row in rows:
            yield row["title"] + "\n"

    class Plugin:
        @hookimpl
        def sesim_export_formats(self):
            return [ExportFormat("txt", "text/plain", titles)]

    app = make_app(SESIM_PLUGINS="export")
    register(app, Plugin())
    with app.app_context():
        _report(status="published")
        _report(status="pending", title="Not public")
    response = app.test_client().get("/export/reports.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.is_streamed
    assert response.get_data(as_text=True) == "Followed\n"


def test_hook_sesim_periodic_jobs(app):
    from flask import current_app

    from core.jobs import PeriodicJob
    from core.worker import guarded, scheduled_jobs

    ran = []

    def job(app_given):
        ran.append((app_given is current_app._get_current_object(), Message.query.count()))

    class Plugin:
        @hookimpl
        def sesim_periodic_jobs(self):
            return [PeriodicJob("probe", 300, job)]

    register(app, Plugin())
    jobs = {name: (seconds, function) for name, seconds, function in scheduled_jobs(app)}
    seconds, function = jobs["job:probe"]
    assert seconds == 300
    guarded(app, "probe", function)()  # as the worker runs it: in its own app context
    assert ran == [(True, 0)]


def test_hook_sesim_doctor_checks(app):
    from core.doctor import Finding, check

    asked = []

    class Plugin:
        @hookimpl
        def sesim_doctor_checks(self, app, live):
            asked.append(live)
            return [Finding("error", "probe: the probe cannot work — set SESIM_PROBE")]

    class Broken:
        @hookimpl
        def sesim_doctor_checks(self, app, live):
            raise RuntimeError("boom")

    register(app, Plugin())
    register(app, Broken(), name="broken")
    with app.app_context():
        findings = check(live=True)
    assert asked == [True]
    assert Finding("error", "probe: the probe cannot work — set SESIM_PROBE") in findings
    assert any(f.level == "error" and f.text.startswith("broken: its doctor check failed")
               for f in findings)


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_has_a_test(name):
    assert f"test_hook_{name}" in globals(), f"hook {name} has no test_hook_{name}"


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_is_documented(name):
    assert f"### `{name}" in DOCS.read_text(), f"hook {name} is missing from docs/plugins.md"


@pytest.mark.parametrize("name", HOOKS)
def test_documented_signature_matches_the_hookspec(name):
    """The heading ``### `sesim_x(a, b)``` in docs/plugins.md names the spec's arguments, in order."""
    import re

    found = re.search(rf"^### `{name}\(([^)]*)\)`", DOCS.read_text(), re.MULTILINE)
    assert found, f"docs/plugins.md has no heading ### `{name}(…)`"
    documented = [a.strip() for a in found.group(1).split(",") if a.strip()]
    spec = list(inspect.signature(getattr(hookspecs, name)).parameters)
    assert documented == spec, f"docs say {name}({', '.join(documented)}), the hookspec {spec}"


@pytest.mark.parametrize("name", HOOKS)
def test_firstresult_is_documented_as_such(name):
    """A hook where one answer wins says so in its heading, and only such a hook does."""
    import re

    first = getattr(hookspecs, name).sesim_spec.get("firstresult", False)
    heading = re.search(rf"^### `{name}\(.*$", DOCS.read_text(), re.MULTILINE).group(0)
    assert ("*(firstresult)*" in heading) == first
