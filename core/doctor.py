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


def check() -> list[Finding]:
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
    found += _plugins()
    found += _spool()
    return found or [Finding("ok", "nothing to report")]


def _secrets(path: Path) -> list[Finding]:
    if not path.exists():
        return [Finding("error", f"{path} is missing")]
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode & 0o077:
        return [Finding("error", f"{path} is readable by others (mode {mode:o}); chmod 600 it")]
    return [Finding("ok", f"secrets in {path}; back this file up")]


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
    for record in host.records.values():
        if record.enabled and record.error:
            found.append(Finding("error", f"plugin {record.name} failed to load: {record.error}"))
    for defaults in host.call("sesim_config_defaults"):
        for key, default in defaults.items():
            if default == "" and not current_app.config.get(key) and any(w in key for w in SECRET_WORDS):
                found.append(Finding("warning", f"{key} is not set"))
    return found
