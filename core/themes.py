"""Themes: a deployment's override folder first, then the chosen theme, then ``default``.

The override folder (``SESIM_THEME_PATH``, or ``<instance>/theme``) holds ``templates/`` and
``static/`` that win over the theme's, so a deployer changes a page without forking. A template
there can extend the one it replaces: the ``default:`` prefix (Datasette's model) loads a template
from the theme chain and the plugins' templates, skipping the overrides —
``{% extends "default:public/home.html" %}``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, abort, current_app, send_from_directory, url_for
from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PrefixLoader, TemplateNotFound

from core.config import ConfigError
from core.packaged import themes_dir

THEMES_DIR = themes_dir()

bp = Blueprint("theme", __name__)


def theme_dirs(app) -> list[Path]:
    name = app.config["SESIM_THEME"]
    chosen = THEMES_DIR / name
    if not chosen.is_dir():
        available = ", ".join(sorted(p.name for p in THEMES_DIR.iterdir() if p.is_dir()))
        raise ConfigError(f"SESIM_THEME={name!r} does not exist; available: {available}")
    return [chosen] if name == "default" else [chosen, THEMES_DIR / "default"]


def override_dir(app) -> Path | None:
    """The deployment's own templates and static files; ``None`` when it has none."""
    configured = app.config.get("SESIM_THEME_PATH", "")
    path = Path(configured) if configured else Path(app.instance_path) / "theme"
    if configured and not path.is_dir():
        raise ConfigError(f"SESIM_THEME_PATH={configured!r} is not a folder")
    return path if path.is_dir() else None


class _Originals(BaseLoader):
    """What a name means without the overrides: the theme chain, then each blueprint's templates
    (plugins), so ``default:map/map.html`` works too."""

    def __init__(self, app, themes: ChoiceLoader) -> None:
        self.app, self.themes = app, themes

    def get_source(self, environment, template):
        for loader in (self.themes, *(b.jinja_loader for b in self.app.iter_blueprints())):
            if loader is None:
                continue
            try:
                return loader.get_source(environment, template)
            except TemplateNotFound:
                continue
        raise TemplateNotFound(template)


def init_app(app) -> None:
    dirs = theme_dirs(app)
    override = override_dir(app)
    app.extensions["sesim_theme_dirs"] = [override, *dirs] if override else dirs
    themes = ChoiceLoader([FileSystemLoader(str(d / "templates")) for d in dirs])
    loaders = [FileSystemLoader(str(override / "templates"))] if override else []
    app.jinja_loader = ChoiceLoader(
        [*loaders, themes, PrefixLoader({"default": _Originals(app, themes)}, delimiter=":")]
    )
    app.register_blueprint(bp)
    app.jinja_env.globals["theme_icon"] = icon_address


def _icon() -> Path | None:
    for directory in current_app.extensions["sesim_theme_dirs"]:
        icon = directory / "static" / "favicon.svg"
        if icon.is_file():
            return icon
    return None


def icon_address() -> str:
    """The theme's ``favicon.svg`` as a ``data:`` address for ``<link rel="icon">``: a first
    visit makes one request less (on 2G, the icon's own response headers weigh three times its
    few hundred bytes). The CSP already allows ``data:`` images."""
    cached = current_app.extensions.get("sesim_theme_icon")
    if cached is None:  # every page asks: read the file once per process, not per render
        icon = _icon()
        if icon is None:
            return url_for("theme.favicon")
        svg = icon.read_text(encoding="utf-8").strip()
        cached = "data:image/svg+xml," + quote(svg, safe=" =")  # no "//": nothing looks like a host
        current_app.extensions["sesim_theme_icon"] = cached
    return cached


@bp.route("/static/<path:filename>")
def static(filename):
    """Serve a theme file: the override folder's, the theme's, then the default theme's; cached,
    since names are stable."""
    for directory in current_app.extensions["sesim_theme_dirs"]:
        candidate = directory / "static"
        if (candidate / filename).is_file():
            return send_from_directory(candidate, filename, max_age=86400)
    abort(404)


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for ``/favicon.ico`` on their own: answer with the theme's icon, not a 404."""
    icon = _icon()
    if icon is None:
        abort(404)
    # a few hundred bytes: read whole, no file left open by a dropped request
    response = current_app.response_class(icon.read_bytes(), mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
