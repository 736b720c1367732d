"""The plugin manager: entry points, enabling per deployment, start-up wiring that fails loudly,
isolation of plugins failing on events."""

import importlib
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from core import hookimpl
from core.config import ConfigError
from core.intake import Inbound, receive
from core.plugins import PluginError
from tests.conftest import pip_install_package

PLUGIN_PKG = Path(__file__).parent / "plugin_pkg"


@pytest.fixture(scope="session")
def installed_plugin(tmp_path_factory):
    return pip_install_package(PLUGIN_PKG, tmp_path_factory)


@pytest.fixture
def third_party(installed_plugin, monkeypatch):
    monkeypatch.syspath_prepend(str(installed_plugin))
    importlib.invalidate_caches()
    yield
    sys.modules.pop("sesim_hello", None)


def test_third_party_plugin_adds_page_nav_cli_and_hook(third_party, make_app):
    app = make_app(SESIM_PLUGINS="hello")
    client = app.test_client()
    assert client.get("/hello").get_data(as_text=True) == "Hello from a third-party plugin"
    assert 'href="/hello"' in client.get("/").get_data(as_text=True)

    result = app.test_cli_runner().invoke(args=["hello"])
    assert result.output.strip() == "hello from the plugin"

    listing = app.test_cli_runner().invoke(args=["plugins", "list"]).output
    line = next(row for row in listing.splitlines() if row.startswith("hello"))
    assert "1.2.3" in line and "enabled" in line
    assert "sesim_register_blueprints" in line and "sesim_message_received" in line

    import sesim_hello

    with app.app_context():
        receive(Inbound(channel="test", external_id="m1", text="hi"))
    assert sesim_hello.SEEN == ["m1"]


def test_disabled_plugin_is_listed_but_not_loaded(third_party, make_app):
    app = make_app(SESIM_PLUGINS="")
    assert app.test_client().get("/hello").status_code == 404
    listing = app.test_cli_runner().invoke(args=["plugins", "list"]).output
    assert any(row.startswith("hello") and "disabled" in row for row in listing.splitlines())


def test_unknown_plugin_name_is_a_clear_startup_error(make_app):
    with pytest.raises(ConfigError, match="unknown plugin.*nosuch"):
        make_app(SESIM_PLUGINS="nosuch")


def _fake_entry_points(monkeypatch, *extra):
    from core import plugins

    real = plugins.entry_points

    def entry_points(group):
        return [*real(group=group), *extra]

    monkeypatch.setattr(plugins, "entry_points", entry_points)


def test_plugin_that_fails_to_import_stops_the_app_naming_it(monkeypatch, make_app):
    broken = EntryPoint(name="broken", value="tests.no_such_module_here", group="sesim.plugins")
    _fake_entry_points(monkeypatch, broken)
    with pytest.raises(PluginError, match="plugin 'broken' failed to load: ModuleNotFoundError"):
        make_app(SESIM_PLUGINS="broken")
    assert make_app(SESIM_PLUGINS="").test_client().get("/report").status_code == 200  # not enabled


def test_plugin_implementing_a_hook_that_no_longer_exists_stops_the_app(monkeypatch, make_app):
    """A channel written for the removed ``sesim_send_message`` would load and never send: its
    replies would wait in the queue for ever. It stops the app instead, naming the hook."""
    old = EntryPoint(name="old", value="tests.broken_plugin:old_api", group="sesim.plugins")
    _fake_entry_points(monkeypatch, old)
    with pytest.raises(PluginError, match="plugin 'old' failed to load: .*sesim_send_message"):
        make_app(SESIM_PLUGINS="old")


@pytest.mark.parametrize("hook", ["sesim_config_defaults", "sesim_register_blueprints",
                                  "sesim_csp_sources", "sesim_cli_commands"])
def test_plugin_failing_in_a_startup_hook_stops_the_app_naming_it(monkeypatch, make_app, hook):
    value = f"tests.broken_plugin:{hook.removeprefix('sesim_')}"
    _fake_entry_points(monkeypatch, EntryPoint(name="wonky", value=value, group="sesim.plugins"))
    with pytest.raises(PluginError) as raised:
        make_app(SESIM_PLUGINS="wonky")
    assert str(raised.value).startswith(f"plugin 'wonky' failed in {hook}: "
                                        "RuntimeError: the plugin's own bug")


def test_plugin_setting_of_the_wrong_type_is_a_startup_error(monkeypatch, make_app):
    value = "tests.broken_plugin:typed_defaults"
    _fake_entry_points(monkeypatch, EntryPoint(name="typed", value=value, group="sesim.plugins"))
    assert make_app(SESIM_PLUGINS="typed", SESIM_BROKEN_LIMIT="7").config["SESIM_BROKEN_LIMIT"] == 7
    with pytest.raises(ConfigError, match="SESIM_BROKEN_LIMIT: expected a whole number, got 'many'"):
        make_app(SESIM_PLUGINS="typed", SESIM_BROKEN_LIMIT="many")
    with pytest.raises(ConfigError, match=r"SESIM_BROKEN_LIMIT: expected a whole number, got \[7\]"):
        make_app(SESIM_PLUGINS="typed", SESIM_BROKEN_LIMIT=[7])


class Raising:
    """A plugin whose message hook fails half-way through a database write: intake must keep the
    message, undo the broken write and still call the others."""

    @hookimpl
    def sesim_message_received(self, message):
        from core.extensions import db
        from core.models import Message

        db.session.add(Message(channel=message.channel, external_id=message.external_id, text="dup"))
        db.session.flush()  # violates the unique (channel, external_id): the session is broken


class Counting:
    calls = []

    @hookimpl
    def sesim_message_received(self, message):
        from core.models import Message

        self.calls.append(Message.query.filter_by(id=message.id).one().id)  # the session works


def test_raising_hook_does_not_lose_the_message_or_stop_other_plugins(app, caplog):
    from core.models import Message

    host = app.extensions["sesim"]
    host.manager.register(Counting(), name="counting")
    host.manager.register(Raising(), name="raising")
    with app.app_context():
        message, created = receive(Inbound(channel="test", external_id="x1", text="hello"))
        assert created
        assert Message.query.filter_by(external_id="x1").count() == 1
        assert Counting.calls == [message.id]
    assert "plugin raising failed in sesim_message_received" in caplog.text
