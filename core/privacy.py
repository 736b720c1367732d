"""Keep the sender's network out of storage and logs.

Rate limits need *some* key per client. We use an HMAC of the address with a random salt that
changes every day, so the limiter's store never holds an IP and a key cannot be linked to
yesterday's. When the limits live in Redis (several app servers or workers), so does the salt: the
first process to need today's salt sets it, the others read it, and Redis forgets it after two days;
every server then counts the same client under the same key. Otherwise the salt lives only in this
process's memory.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from datetime import UTC, datetime

from flask import current_app, request

log = logging.getLogger("sesim.privacy")
_salts: dict[tuple[str, str], bytes] = {}
SHARED_STORES = ("redis://", "rediss://", "unix://")


def _todays_salt() -> bytes:
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    store = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    shared = store.startswith(SHARED_STORES)
    key = (store if shared else "", day)
    if key not in _salts:
        salt = _shared_salt(store, day) if shared else secrets.token_bytes(32)
        if salt is None:  # Redis unreachable: this process's own salt, and ask again next time
            return _salts.setdefault(("", day), secrets.token_bytes(32))
        for old in [k for k in _salts if k[1] != day]:
            del _salts[old]
        _salts[key] = salt
    return _salts[key]


def _shared_salt(url: str, day: str) -> bytes | None:
    import redis

    name = f"{current_app.config.get('SESIM_QUEUE_NAME') or 'sesim'}:ratelimit-salt:{day}"
    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        client.set(name, secrets.token_bytes(32), nx=True, ex=2 * 86400)
        return client.get(name)
    except redis.RedisError as exc:
        log.warning("rate-limit salt: Redis unreachable (%s); using this process's own", exc)
        return None


def rate_limit_key() -> str:
    """An anonymous, rotating key for the client of the current request."""
    address = (request.remote_addr or "").encode()
    return hmac.new(_todays_salt(), address, hashlib.sha256).hexdigest()[:32]


_H = "[0-9a-fA-F]{1,4}"
_ADDRESS = re.compile(
    r"\b\d{1,3}(?:\.\d{1,3}){3}\b"  # IPv4
    rf"|(?<![\w:])(?:{_H}:){{7}}{_H}(?![\w:])"  # full IPv6
    rf"|(?<![\w:])(?:{_H}(?::{_H})*)?::(?:{_H}(?::{_H})*)?(?![\w:])"  # compressed IPv6
)


# Secrets that travel in URLs (SMSSync's ?secret=, tokens in webhook paths, invitation links):
# request logs must not hand them to whoever reads the logs.
_URL_SECRETS = re.compile(
    r"((?:[?&](?:secret|token|hub\.verify_token|key)=)|/channels/sms/(?:aggregator|generic)/"
    r"|/admin/invite/)[^&\s\"/?]+"
    r"|(?<=/)[A-Za-z0-9_-]{32,}(?=[/?\s\"]|$)",  # any long token in a path (alert links, …)
    re.IGNORECASE,
)


def scrub(text: str) -> str:
    """Replace anything that looks like an IPv4 or IPv6 address, and secrets in URLs."""
    return _URL_SECRETS.sub(r"\1***", _ADDRESS.sub("-", text))


class NoAddressFilter(logging.Filter):
    """Rewrites log records so no client address or URL secret reaches any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith(" * "):  # werkzeug's start-up banner names our own address, not a client's
            return True
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_log_filters() -> None:
    """Werkzeug's request log starts every line with the client address: filter it at the source."""
    for name in ("werkzeug", "flask_limiter", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, NoAddressFilter) for f in logger.filters):
            logger.addFilter(NoAddressFilter())
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, NoAddressFilter) for f in handler.filters):
            handler.addFilter(NoAddressFilter())
