"""``sesim doctor``: checks a deployment's settings before women start relying on it."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from core.secrets import SECRETS_FILE

SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "HOST", "SID", "_ID", "NUMBER")


@dataclass(frozen=True)
class Finding:
    level: str  # "error" | "warning" | "ok"
    text: str


LIVE_TIMEOUT = 8  # seconds for each connection ``sesim doctor --live`` tries


def check(live: bool = False) -> list[Finding]:
    config = current_app.config
    found: list[Finding] = []
    found += _secrets(Path(current_app.instance_path) / SECRETS_FILE)
    found += _database()
    if config["SESIM_DEV"]:
        found.append(Finding("error", "SESIM_DEV is on: cookies are sent over plain http"))
    if not config["SESSION_COOKIE_SECURE"]:
        found.append(Finding("error", "SESSION_COOKIE_SECURE is off: staff sessions can leak"))
    url = config.get("SESIM_PUBLIC_URL") or ""
    if not url:
        found.append(Finding("warning", "SESIM_PUBLIC_URL is not set (links in replies, Twilio checks)"))
    elif not url.startswith("https://"):
        found.append(Finding("error", f"SESIM_PUBLIC_URL {url} is not https"))
    found += _staff_mail()
    found += _plugins()
    found += _plugin_checks(live)
    found += _file_modes()
    found += _spool()
    return found or [Finding("ok", "nothing to report")]


def _secrets(path: Path) -> list[Finding]:
    if not path.exists():
        return [Finding("error", f"{path} is missing")]
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode & 0o077:
        return [Finding("error", f"{path} is readable by others (mode {mode:o}); chmod 600 it")]
    return [Finding("ok", f"secrets in {path}; back this file up")]


def _file_modes() -> list[Finding]:
    """The instance folder, database, uploads, spool and queue: readable by the service user only."""
    from core import filemodes
    from core.media import uploads_dir

    config, instance = current_app.config, Path(current_app.instance_path)
    database = filemodes.sqlite_path(config["SQLALCHEMY_DATABASE_URI"])
    paths = {"instance folder": instance, "database": database,
             "uploads": Path(config.get("SESIM_UPLOADS_DIR") or uploads_dir()),
             "spool": Path(config.get("SESIM_SPOOL_DIR") or instance / "spool"),
             "job queue": instance / "queue.db"}
    for suffix in filemodes.SQLITE_COMPANIONS if database else ():
        paths[f"database {suffix[1:]}"] = database.with_name(database.name + suffix)
    return [Finding(level, text) for level, text in filemodes.check(paths)]


def _database() -> list[Finding]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from core.extensions import db

    try:
        with db.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:
        return [Finding("error", f"database unreachable: {exc}")]
    config = current_app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    if current != heads:
        return [Finding("error", "database is not at the latest migration: run `sesim db upgrade`")]
    return [Finding("ok", "database reachable and migrated")]


def _staff_mail() -> list[Finding]:
    """Staff e-mail (core/mail.py): wrong settings are errors; none at all only matters when
    lawyers wait for legal-help requests."""
    from core import mail

    config = current_app.config
    problems = [Finding("error", text) for text in mail.check(config)]
    if not mail.configured(config) and config["SESIM_LEGAL_HELP"]:
        problems.append(Finding("warning", "SESIM_MAIL_SMTP_HOST is not set: lawyers get no e-mail "
                                           "about new legal-help requests or her answers"))
    return problems


def _spool() -> list[Finding]:
    """Items waiting in the spool mean the database failed: they are stored by ``sesim worker``."""
    from core.spool import pending

    waiting = len(pending())
    if waiting:
        return [Finding("warning", f"{waiting} item(s) wait in the spool: the database was "
                                   "unavailable; run `sesim worker` or `sesim spool replay`")]
    return []


def _plugins() -> list[Finding]:
    host = current_app.extensions["sesim"]
    found = []
    checked = {name for name, _check in host.implementations("sesim_doctor_checks")}
    for name, declare in host.implementations("sesim_config_defaults"):
        if name in checked:  # the plugin says itself which of its settings matter
            continue
        for key, default in (_safe(declare) or {}).items():
            if default == "" and not current_app.config.get(key) and any(w in key for w in SECRET_WORDS):
                found.append(Finding("warning", f"{key} is not set"))
    return found


def _safe(function, **kwargs):
    try:
        return function(**kwargs)
    except Exception:
        return None


def _plugin_checks(live: bool) -> list[Finding]:
    """Each enabled plugin's ``sesim_doctor_checks``; a check that raises is itself an ERROR."""
    host = current_app.extensions["sesim"]
    app = current_app._get_current_object()
    found: list[Finding] = []
    for name, run in host.implementations("sesim_doctor_checks"):
        try:
            found += list(run(app=app, live=live) or [])
        except Exception as exc:
            found.append(Finding("error", f"{name}: its doctor check failed ({type(exc).__name__}: {exc})"))
    return found
