"""Layered configuration: defaults, deployment profile, instance file, SESIM_* environment, argument.

Read once at start-up into ``app.config``; anything wrong stops the app with a clear message
instead of failing later in a request.
"""

from __future__ import annotations

import os
import runpy
import tomllib
from pathlib import Path

from core.mail import DEFAULTS as MAIL_DEFAULTS
from core.profiles import PROFILES


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message says which and how to fix it."""


DEFAULTS: dict = {
    "SESIM_PROFILE": "",
    "SESIM_PLUGINS": "map,stories,export",
    "SESIM_THEME": "default",
    "SESIM_SITE_NAME": "Sesim",
    "SESIM_PUBLIC_URL": "",
    "SESIM_LANGUAGES": "az,ru,en",
    "SESIM_DEFAULT_LANGUAGE": "az",
    "SESIM_TIMEZONE": "Asia/Baku",
    "SESIM_REGIONS": "",  # empty: every region of the gazetteer
    "SESIM_LOCATION_PRECISION": "place",  # place | grid
    "SESIM_LOCATION_GRID": 0.05,  # degrees, used when precision is grid
    "SESIM_SMALL_PLACE_POPULATION": 10_000,  # names of smaller villages are flagged before publishing
    "SESIM_LEGAL_HELP": False,
    "SESIM_EXTRA_CATEGORIES": "",
    "SESIM_PHOTO_MAX_BYTES": 8 * 1024 * 1024,
    "SESIM_RATELIMIT_REPORT": "10 per hour;30 per day",
    "SESIM_RATELIMIT_CASE": "20 per hour",
    "SESIM_CASE_MINUTES": 30,  # how long a case stays open on /case after her code
    "SESIM_STATS_MIN_COUNT": 5,  # public statistics show smaller counts as "fewer than N"
    "SESIM_RATELIMIT_STORAGE": "memory://",
    "SESIM_QUEUE_URL": "",
    "SESIM_QUEUE_NAME": "sesim",  # several deployments may share one Redis
    "SESIM_FETCH_INTERVAL": 300,  # seconds between fetches of polled channels (sesim worker)
    "SESIM_RETRY_INTERVAL": 600,  # seconds between retries of unsent replies (sesim worker)
    "SESIM_ADMIN_CLAIM_MINUTES": 30,  # a moderator's claim on a message or report expires after
    "SESIM_CHANNEL_SILENCE_HOURS": 24,  # a channel that worked and is silent this long: alert
    "SESIM_CHANNEL_FAILURES": 3,  # failures in a row before admins are alerted
    "SESIM_CHANNEL_CHECK_INTERVAL": 900,  # seconds between the worker's channel checks
    "SESIM_QUICK_EXIT_URL": "https://www.google.com/",
    "SESIM_REPLY_DAYS": 3,  # "you may hear back within N days" after a report (0: not said)
    "SESIM_SUPPORT_TEXT": "",  # support contacts, one per line (or {language: text}), until /resources
    "SESIM_UPLOADS_DIR": "",  # empty: <instance>/uploads
    "SESIM_UPLOADS_STORAGE": "filesystem",  # or database: every app server reaches every upload
    "SESIM_SPOOL_DIR": "",  # empty: <instance>/spool (what arrived while the database was down)
    "SESIM_SPOOL_INTERVAL": 60,  # seconds between replays of the spool (sesim worker)
    "SESIM_RETENTION_DAYS": 90,  # after a report is closed: its messages, contact, conversation go
    "SESIM_RETENTION_UNUSED_DAYS": 180,  # spam / ignored messages never made into a report
    "SESIM_PURGE_INTERVAL": 86400,  # seconds between retention purges (sesim worker)
    "SESIM_DEV": False,
    "SESIM_ADMIN_IDLE_MINUTES": 60,  # a staff session ends after this long without a request
    "SESIM_ADMIN_SESSION_HOURS": 12,  # and this long after the login, whatever happens
    "SESIM_TRUSTED_PROXIES": 0,  # reverse proxies in front (for https and the rate-limit key)
    **MAIL_DEFAULTS,  # staff e-mail (core/mail.py)
    "SQLALCHEMY_DATABASE_URI": "",
    # hide_parameters: a failed INSERT must not write a report's story or exact point to the log.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
    "MAX_CONTENT_LENGTH": 24 * 1024 * 1024,
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "sesim",
    "REMEMBER_COOKIE_SECURE": True,
    "WTF_CSRF_TIME_LIMIT": 4 * 3600,
    "WTF_CSRF_SSL_STRICT": False,
}

# Environment names that do not simply drop the prefix.
ENV_ALIASES = {
    "SESIM_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SESIM_SECRET_KEY": "SECRET_KEY",
}


def _coerce(value: str, like):
    """Turn an environment string into the type of the default it overrides."""
    if isinstance(like, bool):
        lowered = value.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"expected true or false, got {value!r}")
    if isinstance(like, int):
        return int(value)
    if isinstance(like, float):
        return float(value)
    return value


def read_instance_file(path: str | os.PathLike) -> dict:
    """Read a deployer's ``.toml`` or ``.py`` settings file (upper-case names only)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"SESIM_CONFIG points to {path}, which is not a file")
    if path.suffix == ".toml":
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    elif path.suffix == ".py":
        data = runpy.run_path(str(path))
    else:
        raise ConfigError(f"SESIM_CONFIG must be a .toml or .py file, not {path.name}")
    return {key: value for key, value in data.items() if key.isupper()}


def read_environment(environ=os.environ) -> dict:
    """Every ``SESIM_*`` variable, with the aliases resolved and known defaults' types kept."""
    found = {}
    for name, value in environ.items():
        if not name.startswith("SESIM_") or name in ("SESIM_CONFIG", "SESIM_INSTANCE_PATH"):
            continue
        key = ENV_ALIASES.get(name, name)
        try:
            found[key] = _coerce(value, DEFAULTS.get(key, ""))
        except ValueError as exc:
            raise ConfigError(f"{name}: {exc}") from exc
    return found


def load(overrides: dict | None = None, environ=os.environ) -> dict:
    """Merge every layer; profile defaults sit just above the built-in defaults."""
    explicit: dict = {}
    if environ.get("SESIM_CONFIG"):
        explicit.update(read_instance_file(environ["SESIM_CONFIG"]))
    explicit.update(read_environment(environ))
    explicit.update(overrides or {})

    profile_name = explicit.get("SESIM_PROFILE", "")
    if profile_name and profile_name not in PROFILES:
        raise ConfigError(
            f"SESIM_PROFILE={profile_name!r} is unknown; choose one of: {', '.join(PROFILES)}"
        )
    settings = {**DEFAULTS, **PROFILES.get(profile_name, {}), **explicit}
    settings["SESIM_PROFILE"] = profile_name
    if settings["SESIM_LOCATION_PRECISION"] not in ("place", "grid"):
        raise ConfigError("SESIM_LOCATION_PRECISION must be place or grid (moderators can choose "
                          "region or hidden per report)")
    if settings["SESIM_UPLOADS_STORAGE"] not in ("filesystem", "database"):
        raise ConfigError("SESIM_UPLOADS_STORAGE must be filesystem or database (several app "
                          "servers without a shared disk: database)")
    settings["SQLALCHEMY_DATABASE_URI"] = database_url(settings["SQLALCHEMY_DATABASE_URI"])
    return settings


def database_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (the driver we install), not psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def split_list(value) -> list[str]:
    """``"a, b,,c"`` or ``["a", "b"]`` → ``["a", "b", "c"]``."""
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


def apply_defaults(config, defaults: dict) -> None:
    """Add a plugin's defaults under what the deployer set, giving their strings the default's type."""
    for key, default in defaults.items():
        if key not in config:
            config[key] = default
        elif isinstance(config[key], str) and not isinstance(default, str):
            try:
                config[key] = _coerce(config[key], default)
            except ValueError as exc:
                raise ConfigError(f"{key}: {exc}") from exc
