"""The `sesim` command: init, demo, users, channels fetch — through the real CLI group."""

import io

import pytest

from core import hookimpl
from core.channels import ChannelInfo
from core.intake import Inbound
from core.models import Category, ChannelCursor, Message, Report, User
from core.passwords import check_password


def test_init_adds_default_categories_in_three_languages(app, runner):
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        names = {c.slug: (c.name_az, c.name_ru, c.name_en) for c in Category.query.all()}
    assert set(names) >= {"verbal", "physical", "stalking", "online", "sextortion", "workplace", "other"}
    assert names["sextortion"][2] == "Sextortion / abuse of office"
    assert all(all(n) for n in names.values())


def test_demo_loads_once_across_baku_and_regions(app, runner):
    first = runner.invoke(args=["demo"])
    assert "Demo reports loaded: 36" in first.output
    second = runner.invoke(args=["demo"])
    assert "already loaded" in second.output
    with app.app_context():
        assert Report.query.count() == 37  # and one made from a demo SMS, with a reply
        regions = {r.region_id for r in Report.query.all()}
        assert "baku" in regions and regions & {"khachmaz", "sabirabad", "ismailli", "masalli"}
        published = Report.query.filter_by(status="published").all()
        assert published and all(r.public_latitude is not None for r in published)
        assert Message.query.filter_by(channel="sms", direction="in").count() == 6


def test_users_create_hashes_the_password(app, runner):
    result = runner.invoke(args=["users", "create", "Mod@Example.org", "--role", "moderator",
                                 "--password", "long enough pw"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = User.query.one()
        assert user.email == "mod@example.org" and user.role == "moderator"
        assert user.password_hash.startswith("$argon2id$")
        assert check_password(user.password_hash, "long enough pw")


def test_users_create_prompts_for_the_password(app, runner):
    result = runner.invoke(args=["users", "create", "law@example.org", "--role", "lawyer"],
                           input="a secret phrase\na secret phrase\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert User.query.one().role == "lawyer"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-an-email", "--password", "long enough pw"], "must have an @-sign"),
        (["a@example.org", "--password", "short"], "at least 10 characters"),
        (["a@example.org", "--role", "king", "--password", "long enough pw"], "Invalid value for '--role'"),
    ],
)
def test_users_create_refuses_bad_input(runner, args, message):
    result = runner.invoke(args=["users", "create", *args])
    assert result.exit_code != 0 and message in result.output


class PolledChannel:
    """A polled channel that fails half-way, as a network does."""

    name = "fake"

    def __init__(self, fail_after=None):
        self.fail_after = fail_after

    @hookimpl
    def sesim_channel_info(self):
        return ChannelInfo(self.name, "Fake", fetch=self.fetch, polled=True)

    def fetch(self, app):
        for n in range(3):
            if self.fail_after is not None and n == self.fail_after:
                raise ConnectionError("mailbox unreachable")
            yield Inbound(channel=self.name, external_id=f"m{n}", text=f"message {n}", sender="+994500000000")
            ChannelCursor.put(self.name, "", f"m{n}")  # advanced only after the core stored it


def test_channels_fetch_counts_new_and_duplicates_and_survives_a_crash(app, runner):
    host = app.extensions["sesim"]
    host.manager.register(PolledChannel(fail_after=2), name="fake")
    result = runner.invoke(args=["channels", "fetch", "--channel", "fake"])
    assert result.exit_code == 1
    assert "fake: 2 new, 0 duplicate, 0 failed — mailbox unreachable" in result.output
    with app.app_context():
        assert ChannelCursor.get("fake") == "m1"

    host.manager.unregister(name="fake")
    host.manager.register(PolledChannel(), name="fake")
    result = runner.invoke(args=["channels", "fetch"])
    assert result.exit_code == 0
    assert "fake: 1 new, 2 duplicate, 0 failed" in result.output
    with app.app_context():
        assert Message.query.filter_by(channel="fake").count() == 3


def test_channels_fetch_unknown_channel(runner):
    result = runner.invoke(args=["channels", "fetch", "--channel", "pigeon"])
    assert result.exit_code != 0 and "no enabled channel named 'pigeon'" in result.output


def test_doctor_passes_a_sound_deployment(make_app):
    app = make_app(SESIM_PUBLIC_URL="https://sesim.example.org", SESSION_COOKIE_SECURE=True)
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    assert "OK       database reachable and migrated" in result.output


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"SESIM_DEV": True}, "SESIM_DEV is on"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE is off"),
        ({"SESIM_PUBLIC_URL": "http://sesim.example.org"}, "is not https"),
    ],
)
def test_doctor_reports_unsafe_settings(make_app, config, message):
    settings = {"SESIM_PUBLIC_URL": "https://sesim.example.org", "SESSION_COOKIE_SECURE": True, **config}
    result = make_app(**settings).test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1 and message in result.output


def test_doctor_reports_world_readable_secrets(make_app):
    import os
    from pathlib import Path

    app = make_app(SESIM_PUBLIC_URL="https://sesim.example.org", SESSION_COOKIE_SECURE=True)
    os.chmod(Path(app.instance_path) / "secrets.json", 0o644)
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1 and "readable by others" in result.output


class ChannelWithABadMessage(PolledChannel):
    def fetch(self, app):
        for n in range(3):
            data = {"unstorable": object()} if n == 1 else {}
            yield Inbound(channel=self.name, external_id=f"m{n}", text=f"message {n}", data=data)
            ChannelCursor.put(self.name, "", f"m{n}")


def test_fetch_stops_at_a_message_it_cannot_store_so_the_cursor_never_passes_it(app, runner):
    app.extensions["sesim"].manager.register(ChannelWithABadMessage(), name="fake")
    result = runner.invoke(args=["channels", "fetch", "--channel", "fake"])
    assert result.exit_code == 1
    assert "fake: 1 new, 0 duplicate, 1 failed — stopped at a message that could not be stored" \
        in result.output
    with app.app_context():
        assert ChannelCursor.get("fake") == "m0"  # m1 will be fetched again
        assert [m.external_id for m in Message.query.filter_by(channel="fake")] == ["m0"]


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_drawn_on_a_terminal_and_silent_elsewhere():
    from core.progress import progress, tracked

    screen = _Terminal()
    assert list(tracked(range(4), "Counting", length=4, stream=screen)) == [0, 1, 2, 3]
    assert "Counting" in screen.getvalue() and "4/4" in screen.getvalue()
    with progress("Copying", 2, stream=screen) as bar:
        bar.update(2)
    assert "Copying" in screen.getvalue() and "2/2" in screen.getvalue()

    piped = io.StringIO()  # cron, a pipe, a log file
    assert list(tracked(range(4), "Counting", length=4, stream=piped)) == [0, 1, 2, 3]
    with progress("Copying", 2, stream=piped) as bar:
        bar.update(2)
    assert piped.getvalue() == ""


def test_long_commands_show_progress_only_on_a_terminal(app, make_app, monkeypatch):
    import sys

    from core.demo import load_demo
    from core.fetching import fetch

    screen = _Terminal()
    monkeypatch.setattr(sys, "stderr", screen)  # as `sesim demo` run by hand
    with app.app_context():
        assert load_demo() == 36
        app.extensions["sesim"].manager.register(PolledChannel(), name="fake")
        fetch("fake")
    assert "Demo reports" in screen.getvalue() and "36/36" in screen.getvalue()
    assert "Fetching fake" in screen.getvalue()
    monkeypatch.undo()

    exporting = make_app(SESIM_PLUGINS="export").test_cli_runner()
    result = exporting.invoke(args=["export", "--format", "csv"])  # piped: data only, no bar
    assert result.exit_code == 0, result.output
    assert "Exporting" not in result.output and result.output.startswith("\ufeffid,")


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("SESIM_INSTANCE_PATH", "{blocked}/instance", "SESIM_INSTANCE_PATH to a folder the service user"),
    ("SESIM_THEME", "nosuch", "SESIM_THEME='nosuch' does not exist"),
])
def test_a_deployment_that_cannot_start_says_why_without_a_traceback(tmp_path, setting, value, message):
    from click.testing import CliRunner

    from core.cli import main

    blocked = tmp_path / "a-file"  # a folder cannot be made inside a file, even by root
    blocked.write_text("")
    env = {"SESIM_INSTANCE_PATH": str(tmp_path / "instance"), setting: value.format(blocked=blocked)}
    helped = CliRunner().invoke(main, ["--help"], env=env)
    assert helped.exit_code == 0 and "Traceback" not in helped.output
    assert message in helped.output and "Run a development server" in helped.output
    init = CliRunner().invoke(main, ["init"], env=env)
    assert init.exit_code != 0 and message in init.output
    assert "Traceback" not in init.output and "No such command" not in init.output
