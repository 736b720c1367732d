"""A durable local spool for what arrived while the database could not be written.

When a commit fails because the database is down, read-only or full, the web form and every channel
hand what they received to ``put``: one file per item, encrypted with the instance key
(``SESIM_ENCRYPTION_KEY``), written atomically (temporary file, fsync, rename, fsync of the folder)
into ``SESIM_SPOOL_DIR`` (default ``<instance>/spool``, mode 0700, files 0600), outside the web
root. ``sesim worker`` replays the spool once the database is back (``replay``). Each item carries
an idempotency key (a channel's ``(channel, external_id)``, a web report's case-code hash), so a
replay repeated after a crash stores it once. File names are keyed hashes: they reveal nothing.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path

from flask import current_app
from sqlalchemy import exc as sa_exc

from core.crypto import keyed_hash

log = logging.getLogger("sesim.spool")

SUFFIX = ".spool"
DIR_MODE, FILE_MODE = 0o700, 0o600

# The database is unreachable, read-only or full: worth spooling and retrying later. Integrity and
# programming errors are bugs or duplicates, never retried blindly.
DATABASE_DOWN = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.InternalError,
                 sa_exc.TimeoutError)

# kind → "module:function" that stores one payload and raises on a database error.
HANDLERS = {
    "inbound": "core.intake:replay_inbound",
    "report": "core.public.reports:replay_report",
}


class SpoolError(RuntimeError):
    """The spool could not keep an item either (disk full, folder missing): nothing was kept."""


def is_database_down(error: BaseException) -> bool:
    return isinstance(error, DATABASE_DOWN)


def forget_session() -> None:
    """Drop the failed transaction (and the connection, which may be gone) after a failure."""
    from core.extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001
        log.debug("rollback after a database failure failed too")
    db.session.remove()


def spool_dir(create: bool = True) -> Path:
    configured = current_app.config.get("SESIM_SPOOL_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "spool"
    if create:
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        if path.stat().st_mode & 0o777 != DIR_MODE:
            path.chmod(DIR_MODE)
    return path


def _fernet():
    return current_app.extensions["sesim_fernet"]


def file_name(kind: str, key: str) -> str:
    return keyed_hash(f"{kind}:{key}", "spool")[:48] + SUFFIX


def encode_bytes(payload: bytes) -> str:
    return base64.b64encode(payload).decode("ascii")


def decode_bytes(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def write_private(path: Path, blob: bytes) -> None:
    """Write ``blob`` to ``path`` atomically and durably (0600), or raise ``OSError``."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        try:
            view = memoryview(blob)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a power cut
    finally:
        os.close(folder)


def put(kind: str, key: str, payload: dict) -> str:
    """Keep ``payload`` durably; return its file name. Raises ``SpoolError`` if it cannot."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown spool kind {kind!r}")
    document = {"kind": kind, "key": key, "payload": payload,
                "spooled_at": datetime.now(UTC).isoformat()}
    try:
        blob = _fernet().encrypt(json.dumps(document, separators=(",", ":")).encode("utf-8"))
        name = file_name(kind, key)
        write_private(spool_dir() / name, blob)
    except OSError as exc:
        log.error("spool: could not keep a %s item: %s", kind, exc.strerror or type(exc).__name__)
        raise SpoolError(str(exc.strerror or exc)) from exc
    log.warning("database unavailable: a %s item was kept in the spool", kind)
    return name


def read(path: Path) -> dict:
    return json.loads(_fernet().decrypt(path.read_bytes()).decode("utf-8"))


def pending() -> list[Path]:
    folder = spool_dir(create=False)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.glob(f"*{SUFFIX}") if p.is_file()),
                  key=lambda p: p.stat().st_mtime)


@dataclass
class ReplayResult:
    stored: int = 0
    failed: int = 0
    waiting: int = 0
    database_down: bool = False

    def summary(self) -> str:
        text = f"spool: {self.stored} stored, {self.failed} failed, {self.waiting} waiting"
        return text + (" (database still unavailable)" if self.database_down else "")


def _handler(kind: str):
    module, _, name = HANDLERS[kind].partition(":")
    return getattr(import_module(module), name)


def replay() -> ReplayResult:
    """Store every spooled item, oldest first; stop at the first sign the database is still down.

    A file is removed only after its item is committed (or found already stored), so a crash in
    between means one more replay, which the idempotency key turns into a no-op.
    """
    result = ReplayResult()
    entries = pending()
    for index, path in enumerate(entries):
        try:
            document = read(path)
            _handler(document["kind"])(document["payload"])
        except Exception as exc:  # noqa: BLE001  (each item alone; the worker goes on)
            forget_session()
            if is_database_down(exc):
                result.database_down = True
                result.waiting = len(entries) - index
                break
            result.failed += 1
            log.exception("spool: could not replay %s", path.name)
            continue
        path.unlink(missing_ok=True)
        result.stored += 1
    if not result.database_down:
        result.waiting = result.failed
    return result


def replay_job() -> None:
    """The worker's periodic job."""
    result = replay()
    if result.stored or result.failed or result.database_down:
        level = logging.WARNING if result.failed or result.database_down else logging.INFO
        log.log(level, result.summary())
