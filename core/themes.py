"""Themes: the chosen theme's templates and static files first, then ``default``'s."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory
from jinja2 import ChoiceLoader, FileSystemLoader

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


def init_app(app) -> None:
    dirs = theme_dirs(app)
    app.extensions["sesim_theme_dirs"] = dirs
    app.jinja_loader = ChoiceLoader([FileSystemLoader(str(d / "templates")) for d in dirs])
    app.register_blueprint(bp)


@bp.route("/static/<path:filename>")
def static(filename):
    """Serve a theme file, falling back to the default theme; cached, since names are stable."""
    for directory in current_app.extensions["sesim_theme_dirs"]:
        candidate = directory / "static"
        if (candidate / filename).is_file():
            return send_from_directory(candidate, filename, max_age=86400)
    abort(404)


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for ``/favicon.ico`` on their own: answer with the theme's icon, not a 404."""
    for directory in current_app.extensions["sesim_theme_dirs"]:
        icon = directory / "static" / "favicon.svg"
        if icon.is_file():  # a few hundred bytes: read whole, no file left open by a dropped request
            response = current_app.response_class(icon.read_bytes(), mimetype="image/svg+xml")
            response.cache_control.public = True
            response.cache_control.max_age = 86400
            return response
    abort(404)
