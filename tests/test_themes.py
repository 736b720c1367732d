"""A deployment's own templates and static files override the theme without forking it
(docs/themes.md), and can extend the original page with the ``default:`` prefix."""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from core.config import ConfigError

DOCS = Path(__file__).resolve().parent.parent / "docs" / "themes.md"


def _worked_example(name: str) -> str:
    """A file's text as docs/themes.md gives it, so the test runs exactly what the page says."""
    blocks = re.findall(r"`instance/theme/([^`\s]+)`.*?```\w*\n(.*?)```", DOCS.read_text(), re.S)
    text = dict((path, re.sub(r"(?m)^   ", "", body)) for path, body in blocks)[name]
    assert text.strip(), name
    return text


@pytest.fixture
def instance(tmp_path):
    return tmp_path / "instance"  # the make_app fixture's instance folder


def _write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_worked_example_adds_a_hotline_above_the_home_page(make_app, instance):
    theme = instance / "theme"
    _write(theme, "templates/public/home.html", _worked_example("templates/public/home.html"))
    _write(theme, "static/hotline.css", _worked_example("static/hotline.css"))
    client = make_app().test_client()

    page = client.get("/?lang=az").get_data(as_text=True)
    banner = page.index('<aside class="hotline">')
    assert "Qaynar xətt (24 saat)" in page and 'href="tel:+994221234567"' in page
    # The original page follows, once, and the rest of the theme is untouched.
    assert page.count('class="hero"') == 1 and page.index('class="hero"') > banner
    assert page.index('<header class="site">') < banner and 'id="quick-exit"' in page
    assert '<link rel="stylesheet" href="/static/hotline.css">' in page
    assert "Горячая линия (круглосуточно)" in client.get("/?lang=ru").get_data(as_text=True)
    assert "Report what happened" in client.get("/?lang=en").get_data(as_text=True)

    with client.get("/static/hotline.css") as css:
        assert css.status_code == 200 and "#fff3c4" in css.get_data(as_text=True)
    with client.get("/static/style.css") as css:  # the theme's own files are still served
        assert css.status_code == 200
    assert "hotline" not in client.get("/report").get_data(as_text=True)


def test_without_overrides_the_home_page_is_the_theme_page(make_app):
    page = make_app().test_client().get("/?lang=en").get_data(as_text=True)
    assert "hotline" not in page and page.count('class="hero"') == 1


def test_override_static_file_and_favicon_win_over_the_theme(make_app, tmp_path):
    folder = tmp_path / "ganja-theme"
    _write(folder, "static/theme.css", ":root { --accent: #123456; }")
    _write(folder, "static/favicon.svg", "<svg xmlns='http://www.w3.org/2000/svg' id='ganja'/>")
    client = make_app(SESIM_THEME="baku", SESIM_THEME_PATH=str(folder)).test_client()
    with client.get("/static/theme.css") as css:
        assert css.get_data(as_text=True) == ":root { --accent: #123456; }"
    with client.get("/favicon.ico") as icon:
        assert "ganja" in icon.get_data(as_text=True)
    # Pages carry the icon itself (one request less on a first visit), the override's too.
    page = client.get("/").get_data(as_text=True)
    link = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    assert unquote(link) == "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' id='ganja'/>"
    with client.get("/static/quick-exit.js") as script:  # not overridden: the default theme's
        assert script.status_code == 200


def test_override_can_replace_a_page_and_extend_a_plugin_template(make_app, instance):
    theme = instance / "theme"
    _write(theme, "templates/public/home.html", '{% extends "base.html" %}'
                                                "{% block content %}<p>Only ours</p>{% endblock %}")
    _write(theme, "templates/stories/index.html", '{% extends "default:stories/index.html" %}'
                                                  "{% block title %}Ganja stories{% endblock %}")
    client = make_app(SESIM_PLUGINS="stories").test_client()
    home = client.get("/?lang=en").get_data(as_text=True)
    assert "<p>Only ours</p>" in home and 'class="hero"' not in home
    stories = client.get("/stories/?lang=en").get_data(as_text=True)
    assert "<title>Ganja stories" in stories and "<main" in stories


def test_theme_path_that_is_not_a_folder_is_a_startup_error(make_app, tmp_path):
    with pytest.raises(ConfigError, match="SESIM_THEME_PATH=.* is not a folder"):
        make_app(SESIM_THEME_PATH=str(tmp_path / "missing"))
