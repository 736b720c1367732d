"""Layered configuration, deployment profiles and generated secrets."""

import json
import os
import re
import stat

import pytest

from core import create_app
from core.config import ConfigError, load


def test_layers_defaults_file_environment_argument(tmp_path):
    toml = tmp_path / "sesim.toml"
    toml.write_text('SESIM_SITE_NAME = "From file"\nSESIM_THEME = "baku"\nSESIM_LEGAL_HELP = true\n')
    environ = {"SESIM_CONFIG": str(toml), "SESIM_THEME": "regions", "SESIM_LOCATION_GRID": "0.2",
               "SESIM_LEGAL_HELP": "false"}
    settings = load({"SESIM_THEME": "default"}, environ=environ)
    assert settings["SESIM_SITE_NAME"] == "From file"  # file over defaults
    assert settings["SESIM_LEGAL_HELP"] is False  # environment over file, typed
    assert settings["SESIM_LOCATION_GRID"] == 0.2
    assert settings["SESIM_THEME"] == "default"  # argument over environment
    assert settings["SESIM_RATELIMIT_CASE"] == "20 per hour"  # default kept


def test_python_instance_file_and_database_alias(tmp_path):
    py = tmp_path / "settings.py"
    py.write_text('SESIM_SITE_NAME = "Py"\nlowercase_ignored = 1\n')
    settings = load(environ={"SESIM_CONFIG": str(py),
                             "SESIM_DATABASE_URL": "postgresql://postgres@db/sesim"})
    assert settings["SESIM_SITE_NAME"] == "Py" and "lowercase_ignored" not in settings
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://postgres@db/sesim"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SESIM_PROFILE": "paris"}, "SESIM_PROFILE='paris' is unknown"),
        ({"SESIM_CONFIG": "/nonexistent.toml"}, "not a file"),
        ({"SESIM_LEGAL_HELP": "maybe"}, "SESIM_LEGAL_HELP: expected true or false"),
    ],
)
def test_bad_settings_fail_fast_with_a_clear_message(environ, message):
    with pytest.raises(ConfigError, match=message):
        load(environ=environ)


BAD_VALUES = [
    ("SESIM_ADMIN_IDLE_MINUTES", "abc", "SESIM_ADMIN_IDLE_MINUTES: expected a whole number, got 'abc'"),
    ("SESIM_ADMIN_IDLE_MINUTES", "-5", "SESIM_ADMIN_IDLE_MINUTES: must be 1 or more, got -5"),
    ("SESIM_ADMIN_SESSION_HOURS", "0", "SESIM_ADMIN_SESSION_HOURS: must be 1 or more, got 0"),
    ("SESIM_ADMIN_CLAIM_MINUTES", "1.5", "SESIM_ADMIN_CLAIM_MINUTES: expected a whole number"),
    ("SESIM_CASE_MINUTES", "-1", "SESIM_CASE_MINUTES: must be 1 or more"),
    ("SESIM_FETCH_INTERVAL", "soon", "SESIM_FETCH_INTERVAL: expected a whole number, got 'soon'"),
    ("SESIM_RETENTION_DAYS", "-1", "SESIM_RETENTION_DAYS: must be 0 or more"),
    ("SESIM_PHOTO_MAX_BYTES", "0", "SESIM_PHOTO_MAX_BYTES: must be 1 or more"),
    ("SESIM_LOCATION_PRECISION", "street", "SESIM_LOCATION_PRECISION: must be one of place, grid"),
    ("SESIM_LOCATION_GRID", "0", "SESIM_LOCATION_GRID: must be more than 0"),
    ("SESIM_LOCATION_GRID", "wide", "SESIM_LOCATION_GRID: expected a number, got 'wide'"),
    ("SESIM_UPLOADS_STORAGE", "s3", "SESIM_UPLOADS_STORAGE: must be one of filesystem, database"),
    ("SESIM_RATELIMIT_REPORT", "ten an hour", "SESIM_RATELIMIT_REPORT: expected limits like"),
    ("SESIM_RATELIMIT_CASE", "20 per fortnight", "SESIM_RATELIMIT_CASE: expected limits like"),
    ("SESIM_PUBLIC_URL", "sesim.example.org", "SESIM_PUBLIC_URL: expected an http(s):// address"),
    ("SESIM_QUICK_EXIT_URL", "", "SESIM_QUICK_EXIT_URL: expected an http(s):// address"),
    ("SESIM_TIMEZONE", "Mars/Olympus", "SESIM_TIMEZONE: unknown time zone 'Mars/Olympus'"),
    ("SESIM_LEGAL_HELP", "maybe", "SESIM_LEGAL_HELP: expected true or false, got 'maybe'"),
    ("SESIM_MAIL_TIMEOUT", "0", "SESIM_MAIL_TIMEOUT: must be 1 or more"),
]


@pytest.mark.parametrize(("key", "value", "message"), BAD_VALUES)
@pytest.mark.parametrize("layer", ["environment", "toml", "py", "argument"])
def test_bad_value_in_any_layer_is_a_startup_error_naming_the_key(tmp_path, key, value, message, layer):
    environ, overrides = {}, {}
    if layer == "environment":
        environ[key] = value
    elif layer == "toml":
        (tmp_path / "s.toml").write_text(f"{key} = {json.dumps(value)}\n")
        environ["SESIM_CONFIG"] = str(tmp_path / "s.toml")
    elif layer == "py":
        (tmp_path / "s.py").write_text(f"{key} = {value!r}\n")
        environ["SESIM_CONFIG"] = str(tmp_path / "s.py")
    else:
        overrides[key] = value
    with pytest.raises(ConfigError) as raised:
        load(overrides, environ=environ)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(("key", "value", "message"), [
    ("SESIM_ADMIN_IDLE_MINUTES", 2.5, "SESIM_ADMIN_IDLE_MINUTES: expected a whole number, got 2.5"),
    ("SESIM_ADMIN_IDLE_MINUTES", True, "SESIM_ADMIN_IDLE_MINUTES: expected a whole number, got True"),
    ("SESIM_LEGAL_HELP", 1, "SESIM_LEGAL_HELP: expected true or false, got 1"),
    ("SESIM_SITE_NAME", 42, "SESIM_SITE_NAME: expected text, got 42"),
])
def test_typed_value_of_the_wrong_type_is_a_startup_error(key, value, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        load({key: value}, environ={})


def test_typed_values_in_files_and_arguments_are_converted(tmp_path):
    (tmp_path / "s.toml").write_text('SESIM_ADMIN_IDLE_MINUTES = "15"\nSESIM_LOCATION_GRID = 1\n')
    settings = load({"SESIM_CASE_MINUTES": "45"}, environ={"SESIM_CONFIG": str(tmp_path / "s.toml")})
    assert settings["SESIM_ADMIN_IDLE_MINUTES"] == 15 and settings["SESIM_CASE_MINUTES"] == 45
    assert settings["SESIM_LOCATION_GRID"] == 1.0 and isinstance(settings["SESIM_LOCATION_GRID"], float)
    assert load({"SESIM_PLUGINS": ["map", "stories"]}, environ={})["SESIM_PLUGINS"] == ["map", "stories"]


@pytest.mark.parametrize("args", [["doctor"], ["--help"], ["users", "create", "a@b.test"]])
def test_cli_shows_a_bad_setting_once_without_a_traceback(tmp_path, args):
    """A command stops with the error; ``--help`` shows it once, then the help."""
    from click.testing import CliRunner

    from core.cli import main

    env = {"SESIM_ADMIN_IDLE_MINUTES": "abc", "SESIM_INSTANCE_PATH": str(tmp_path)}
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == (0 if args == ["--help"] else 1)
    assert ("Run a development server" in result.output) == (args == ["--help"])
    assert result.output.count("Error: SESIM_ADMIN_IDLE_MINUTES: expected a whole number, got 'abc'") == 1
    assert "Traceback" not in result.output and "No such command" not in result.output


def test_unknown_theme_is_a_clear_startup_error(make_app):
    with pytest.raises(ConfigError, match="SESIM_THEME='pink' does not exist"):
        make_app(SESIM_THEME="pink")


def test_rural_profile_sets_regions_plugins_theme_legal_help_and_categories(make_app):
    app = make_app(SESIM_PROFILE="rural", SESIM_PLUGINS="")
    assert app.config["SESIM_LEGAL_HELP"] is True
    assert app.config["SESIM_THEME"] == "regions"
    client = app.test_client()
    assert client.get("/report?lang=en").status_code == 200  # English is not offered here
    page = client.get("/report").get_data(as_text=True)
    assert '<html lang="az">' in page
    assert 'value="masalli-town"' in page and 'value="baku-yasamal"' not in page
    assert 'name="wants_legal_help"' in page
    assert "Ailə təzyiqi" in page and "Torpaq və miras hüququ" in page
    assert "theme.css" in page
    with client.get("/static/theme.css") as css:
        assert "#2f6b3a" in css.get_data(as_text=True)


def test_baku_profile_defaults(make_app):
    app = make_app(SESIM_PROFILE="baku", SESIM_PLUGINS="")
    page = app.test_client().get("/report?lang=en").get_data(as_text=True)
    assert 'value="baku-sabail"' in page and 'value="masalli-town"' not in page
    assert 'name="wants_legal_help"' not in page
    assert "Baku, you are not alone." in app.test_client().get("/?lang=en").get_data(as_text=True)
    assert load(environ={"SESIM_PROFILE": "baku"})["SESIM_PLUGINS"].split(",") == [
        "sms", "email", "twitter", "facebook", "map", "stories", "export"]


def test_secrets_are_generated_once_into_the_instance_folder(tmp_path, migrated):
    instance = tmp_path / "inst"
    config = {"SESIM_INSTANCE_PATH": str(instance), "SESIM_PLUGINS": "",
              "SQLALCHEMY_DATABASE_URI": migrated}
    first = create_app(config)
    path = instance / "secrets.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    stored = json.loads(path.read_text())
    assert set(stored) == {"SECRET_KEY", "SESIM_ENCRYPTION_KEY", "SESIM_HASH_PEPPER"}
    second = create_app(config)
    assert first.secret_key == second.secret_key == stored["SECRET_KEY"]


def test_production_cookies_are_secure_and_dev_mode_relaxes_them(tmp_path, migrated):
    base = {"SESIM_INSTANCE_PATH": str(tmp_path), "SESIM_PLUGINS": "",
            "SQLALCHEMY_DATABASE_URI": migrated}
    production = create_app(base)
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    assert create_app({**base, "SESIM_DEV": True}).config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize(("number", "address"), [
    ("SESIM_SMS_REPORT_NUMBER", "SESIM_EMAIL_REPORT_ADDRESS"),
    ("SESIM_REPORT_SMS_NUMBER", "SESIM_REPORT_EMAIL"),  # their deprecated names still work
])
def test_home_page_lists_the_ways_to_report_the_deployment_set(make_app, number, address):
    plain = make_app(SESIM_PLUGINS="sms,email").test_client().get("/?lang=en").get_data(as_text=True)
    assert "SMS, from any phone" not in plain and "E-mail, from any address" not in plain
    settings = {number: "+994 12 555 00 00", address: "report@sesim.example.org"}
    page = make_app(SESIM_PLUGINS="sms,email", **settings).test_client().get("/?lang=en")
    page = page.get_data(as_text=True)
    assert "<li>SMS, from any phone: <strong>+994 12 555 00 00</strong></li>" in page
    assert "<strong>report@sesim.example.org</strong>" in page
    az = make_app(SESIM_PLUGINS="sms,email", **settings).test_client().get("/?lang=az")
    assert "SMS, istənilən telefondan: <strong>" in az.get_data(as_text=True)  # the plugin's words
    # A channel that is not enabled is not offered, whatever its settings say.
    off = make_app(**settings).test_client().get("/?lang=en").get_data(as_text=True)
    assert "+994 12 555 00 00" not in off and "report@sesim.example.org" not in off
