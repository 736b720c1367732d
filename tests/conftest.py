"""Shared fixtures: a migrated database per session (SQLite, or PostgreSQL when
``SESIM_TEST_DATABASE_URL`` is set), emptied after every test; an ``app`` per test."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# A developer's own SESIM_* settings must not leak into the tests.
TEST_DATABASE_URL = os.environ.get("SESIM_TEST_DATABASE_URL", "")
SCREENSHOTS = os.environ.get("SESIM_SCREENSHOTS", "")
for _name in [n for n in os.environ if n.startswith("SESIM_")]:
    del os.environ[_name]

BASE_CONFIG = {
    "TESTING": True,
    "SESIM_PLUGINS": "",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
}


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing():
    """Real argon2id, with the smallest cost: the suite hashes hundreds of passwords."""
    from argon2 import PasswordHasher

    from core import passwords

    production = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = production


@contextmanager
def on_each_statement(action, app=None):
    """Call ``action(statement, parameters)`` before each statement the app's engine runs inside
    the block: to record them, or to make one fail or meet a concurrent writer first. With ``app``
    the block needs no app context (requests then each get their own, as in production)."""
    from sqlalchemy import event

    from core.extensions import db

    def before(_conn, _cursor, statement, parameters, *_):
        action(statement, parameters)

    if app is not None:
        with app.app_context():
            engine = db.engine
    else:
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before)


@contextmanager
def private_database(prefix: str, sqlite_path):
    """A new, empty database on the suite's server (PostgreSQL when ``SESIM_TEST_DATABASE_URL``
    is set, dropped afterwards), else a SQLite file at ``sqlite_path``."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{sqlite_path}"
        return
    from core.config import database_url as normalise

    server = normalise(TEST_DATABASE_URL)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A private database for this test session, so concurrent runs never share one."""
    with private_database("sesim_test", tmp_path_factory.mktemp("db") / "sesim-test.db") as url:
        yield url


@pytest.fixture(scope="session")
def migrated(database_url, tmp_path_factory):
    """Run the real Alembic migrations once; tests then share the schema."""
    from core import create_app
    from core.migrating import upgrade_all

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url,
                      "SESIM_INSTANCE_PATH": str(tmp_path_factory.mktemp("migrate"))})
    from core.extensions import db

    with app.app_context():
        upgrade_all()
        db.engine.dispose()
    return database_url


@pytest.fixture
def app_config():
    """Override in a test module to change settings (e.g. enable a plugin)."""
    return {}


@pytest.fixture
def make_app(migrated, tmp_path):
    """Build an app on the migrated database; every table is emptied after the test."""
    from core import create_app
    from core.extensions import db
    from core.seed import ensure_categories

    apps = []

    def factory(**overrides):
        app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": migrated,
                          "SESIM_INSTANCE_PATH": str(tmp_path / "instance"), **overrides})
        with app.app_context():
            ensure_categories(app.config)
        apps.append(app)
        return app

    yield factory
    if apps:
        with apps[0].app_context():
            db.session.remove()
            # Not through the session, whose listeners would take emptying for a change to the
            # public data (and recount it, and give it a new version) after every test.
            with db.engine.begin() as connection:
                for table in reversed(db.metadata.sorted_tables):
                    if table.name != "alembic_version":
                        connection.execute(table.delete())
            db.engine.dispose()
        for app in apps[1:]:
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def app(make_app, app_config):
    return make_app(**app_config)


def sample_reports(app) -> dict:
    """The output tests' sample reports (tests/outputs_data.py) made in ``app``'s database, by
    name: public ids. Made in an app context of their own, as requests get theirs."""
    from tests.outputs_data import populate

    with app.app_context():
        return {name: r.public_id for name, r in populate().items()}


@pytest.fixture
def reports(app):
    return sample_reports(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context, for tests that read or write the database directly."""
    with app.app_context():
        yield


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(client, url: str) -> str:
    """Fetch ``url`` and return the CSRF token of its form, as a browser would."""
    page = client.get(url).get_data(as_text=True)
    match = CSRF.search(page)
    assert match, f"no csrf_token on {url}"
    return match.group(1) or match.group(2)


def post_form(client, url: str, data: dict, page: str | None = None, **kwargs):
    """POST ``data`` with the CSRF token taken from ``page`` (default: ``url``)."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, page or url)}, **kwargs)


@pytest.fixture
def live_server(app):
    """The app served by a real HTTP server on 127.0.0.1 (for browsers and log checks)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium through Playwright; `make test` installs it, Playwright never downloads."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page_nojs(chromium):
    """A browser tab with JavaScript off, as on a basic phone."""
    context = chromium.new_context(java_script_enabled=False, locale="az-AZ")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_js(chromium):
    context = chromium.new_context(locale="en-US")
    page = context.new_page()
    yield page
    context.close()


PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone_js(chromium):
    """A 360 px wide phone with JavaScript on (the reporters' most common screen)."""
    context = chromium.new_context(viewport=PHONE, locale="az-AZ", has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_nojs(chromium):
    """A 360 px wide phone with JavaScript off."""
    context = chromium.new_context(viewport=PHONE, locale="az-AZ", java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    """With SESIM_SCREENSHOTS=<dir>, keep a picture of the page for a person to look at."""
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


# The one script every public page carries: the quick-exit helper (the pages work without it).
QUICK_EXIT_SCRIPT = '<script src="/static/quick-exit.js"></script>'


@pytest.fixture
def outage(app, app_config, migrated):
    """``outage("read-only" | "unreachable", **settings)``: an app on the same instance folder
    as ``app`` whose database cannot be written."""
    from core import create_app
    from core.extensions import db
    from tests.outage import read_only_url, unreachable_url

    made = []

    def factory(kind: str, **overrides):
        url = read_only_url(migrated) if kind == "read-only" else unreachable_url()
        broken = create_app({**BASE_CONFIG, **app_config, "SQLALCHEMY_DATABASE_URI": url,
                             "SESIM_INSTANCE_PATH": app.instance_path, **overrides})
        made.append(broken)
        return broken

    yield factory
    for broken in made:
        with broken.app_context():
            db.session.remove()
            db.engine.dispose()


def pip_install_package(source: Path, tmp_path_factory) -> Path:
    """pip-install a test plugin package into a folder of its own, as a deployer would install a
    plugin: it is then found through its own entry point once the folder is on ``sys.path``."""
    target = tmp_path_factory.mktemp("site")
    copy = tmp_path_factory.mktemp("src") / source.name
    shutil.copytree(source, copy)  # building writes into the source folder
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--target", str(target), str(copy)], check=True)
    return target
