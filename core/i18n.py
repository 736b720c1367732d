"""Languages: Azerbaijani, Russian, English. The choice comes from ``?lang=``, then the session,
then the browser; catalogues are compiled from the ``.po`` files when they change."""

from __future__ import annotations

import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, request, session
from flask_babel import Domain

from core.config import split_list
from core.extensions import babel

log = logging.getLogger("sesim.i18n")
CORE_TRANSLATIONS = Path(__file__).parent / "translations"
ADMIN_TRANSLATIONS = Path(__file__).parent / "admin" / "translations"
STATS_TRANSLATIONS = Path(__file__).parent / "stats" / "translations"  # /stats and /api/v1

LANGUAGE_NAMES = {"az": "Azərbaycanca", "ru": "Русский", "en": "English"}


def languages() -> list[str]:
    return split_list(current_app.config["SESIM_LANGUAGES"])


def current_language() -> str:
    """The language of the current request, e.g. for public field names of places."""
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale else current_app.config["SESIM_DEFAULT_LANGUAGE"]


def select_locale() -> str:
    from core.caching import language_negotiated

    offered = languages()
    asked = request.args.get("lang")
    if asked in offered:
        session["lang"] = asked
        return asked
    language_negotiated()  # the answer depends on the session and the browser: say so
    if session.get("lang") in offered:
        return session["lang"]
    return request.accept_languages.best_match(offered) or current_app.config[
        "SESIM_DEFAULT_LANGUAGE"
    ]


def compile_catalogues(directories) -> None:
    """Write ``messages.mo`` beside each ``messages.po`` that is newer; skip read-only installs."""
    for directory in directories:
        for po in Path(directory).glob("*/LC_MESSAGES/*.po"):
            mo = po.with_suffix(".mo")
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            try:
                with po.open("rb") as fh:
                    catalog = read_po(fh)
                with mo.open("wb") as fh:
                    write_mo(fh, catalog)
            except OSError as exc:
                log.warning("cannot compile %s: %s", po, exc)


class PerAppDomain(Domain):
    """Flask-Babel caches catalogues on one shared object; each app (with its own plugins and so
    its own catalogues) gets its own cache instead."""

    def get_translations_cache(self, ctx):
        return current_app.extensions.setdefault("sesim_translations", {})


babel.__dict__["domain_instance"] = PerAppDomain()  # replaces Flask-Babel's cached_property value


def init_app(app, extra_dirs) -> None:
    directories = [str(CORE_TRANSLATIONS), str(ADMIN_TRANSLATIONS), str(STATS_TRANSLATIONS), *extra_dirs]
    compile_catalogues(directories)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(directories)
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["SESIM_DEFAULT_LANGUAGE"]
    babel.init_app(app, locale_selector=select_locale)
