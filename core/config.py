"""Layered configuration: defaults, deployment profile, instance file, SESIM_* environment, argument.

Read once at start-up into ``app.config``. Every setting is declared here with its default (which
gives its type) and, where a type alone does not say it, a check in ``CHECKS``; a plugin's
``sesim_config_defaults`` declare its own the same way. Anything wrong stops the app with a clear
message naming the key instead of failing later in a request.
"""

from __future__ import annotations

import os
import runpy
import tomllib
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.mail import DEFAULTS as MAIL_DEFAULTS
from core.profiles import PROFILES


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message says which and how to fix it."""


DEFAULTS: dict = {
    "SESIM_PROFILE": "",
    "SESIM_PLUGINS": "map,stories,export",
    "SESIM_THEME": "default",
    "SESIM_THEME_PATH": "",  # templates/ and static/ over the theme's; empty: <instance>/theme
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


def _at_least(low: int | float):
    def check(value):
        if value < low:
            raise ValueError(f"must be {low} or more, got {value!r}")
    return check


def _one_of(*choices: str):
    def check(value):
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}, got {value!r}")
    return check


def _grid(value: float) -> None:
    if not 0 < value <= 5:
        raise ValueError(f"must be more than 0 and at most 5 degrees, got {value!r}")


def _rate_limit(value: str) -> None:
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise ValueError(f'expected limits like "10 per hour;30 per day", got {value!r}') from None


def _url(required: bool):
    def check(value: str):
        if not value and not required:
            return
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"expected an http(s):// address, got {value!r}")
    return check


def _timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ValueError, ZoneInfoNotFoundError):
        raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Baku)") from None


_positive, _not_negative = _at_least(1), _at_least(0)

# What a value may be besides its default's type.
ACCEPTS: dict[str, tuple] = {
    **dict.fromkeys(("SESIM_PLUGINS", "SESIM_LANGUAGES", "SESIM_REGIONS", "SESIM_EXTRA_CATEGORIES"),
                    (list, tuple)),  # "a,b" or ["a", "b"]
    "SESIM_SUPPORT_TEXT": (dict,),  # {language: text}
    "SESSION_COOKIE_SAMESITE": (type(None),),
    "WTF_CSRF_TIME_LIMIT": (type(None),),
}

# The values a setting may take, where its type alone does not say it.
CHECKS: dict = {
    "SESIM_LOCATION_PRECISION": _one_of("place", "grid"),  # moderators choose region/hidden per report
    "SESIM_LOCATION_GRID": _grid,
    "SESIM_UPLOADS_STORAGE": _one_of("filesystem", "database"),
    "SESIM_RATELIMIT_REPORT": _rate_limit,
    "SESIM_RATELIMIT_CASE": _rate_limit,
    "SESIM_PUBLIC_URL": _url(required=False),
    "SESIM_QUICK_EXIT_URL": _url(required=True),
    "SESIM_TIMEZONE": _timezone,
    "SESIM_MAIL_SMTP_PORT": _not_negative,
    **dict.fromkeys((
        "SESIM_PHOTO_MAX_BYTES", "SESIM_CASE_MINUTES", "SESIM_STATS_MIN_COUNT", "SESIM_FETCH_INTERVAL",
        "SESIM_RETRY_INTERVAL", "SESIM_ADMIN_CLAIM_MINUTES", "SESIM_CHANNEL_SILENCE_HOURS",
        "SESIM_CHANNEL_FAILURES", "SESIM_CHANNEL_CHECK_INTERVAL", "SESIM_SPOOL_INTERVAL",
        "SESIM_PURGE_INTERVAL", "SESIM_ADMIN_IDLE_MINUTES", "SESIM_ADMIN_SESSION_HOURS",
        "SESIM_MAIL_TIMEOUT", "MAX_CONTENT_LENGTH",
    ), _positive),
    **dict.fromkeys((
        "SESIM_SMALL_PLACE_POPULATION", "SESIM_REPLY_DAYS", "SESIM_RETENTION_DAYS",
        "SESIM_RETENTION_UNUSED_DAYS", "SESIM_TRUSTED_PROXIES",
    ), _not_negative),
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
        try:
            return int(value.strip())
        except ValueError:
            raise ValueError(f"expected a whole number, got {value!r}") from None
    if isinstance(like, float):
        try:
            return float(value.strip())
        except ValueError:
            raise ValueError(f"expected a number, got {value!r}") from None
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
    validate(settings, DEFAULTS)
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
    """Add a plugin's defaults under what the deployer set; each value must have its default's type."""
    for key, default in defaults.items():
        config.setdefault(key, default)
    validate(config, defaults)


def validate(config, defaults: dict) -> None:
    """Give every declared setting its default's type and run its check; a bad value is a
    :class:`ConfigError` naming the key, at start-up rather than as a 500 on some page."""
    for key, default in defaults.items():
        if key not in config:
            continue
        try:
            value = _typed(config[key], default, ACCEPTS.get(key, ()))
            check = CHECKS.get(key)
            if check:
                check(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{key}: {exc}") from None
        config[key] = value


def _typed(value, default, also: tuple):
    """``value`` with the type of ``default`` (strings from files and the environment converted)."""
    if isinstance(value, also) or default is None:
        return value
    if isinstance(value, str) and not isinstance(default, str):
        return _coerce(value, default)
    kind = type(default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
        return value
    raise TypeError(f"expected {_KIND_NAMES.get(kind, kind.__name__)}, got {value!r}")


_KIND_NAMES = {bool: "true or false", int: "a whole number", float: "a number", str: "text",
               dict: "a table"}
