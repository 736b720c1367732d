"""``sesim backup -o FILE`` and ``sesim restore FILE``: one encrypted archive of the database, the
uploads and the spool.

The database is dumped logically through SQLAlchemy (one JSON line per row, table by table, every
table the database holds, plugins' included), so the same archive restores into SQLite or
PostgreSQL; every table as it was at one moment (``snapshot``), so a report published while the
backup runs is in it with its categories and counts, or not at all. Encrypted columns are copied
as they are stored (still encrypted). The archive is a tar stream encrypted in 1 MiB chunks with
AES-256-GCM under a key derived (HKDF) from the instance key, with a fresh salt per archive; each
chunk is authenticated and the last one is marked, so a truncated or altered file is refused.
``secrets.json`` is never inside: without it the archive cannot be read and case codes and sender
hashes cannot be checked, so back it up separately (docs/operations.md).
"""

from __future__ import annotations

import base64
import io
import json
import os
import struct
import tarfile
import tempfile
import warnings
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import Date, DateTime, Integer, LargeBinary, MetaData, func, select, text
from sqlalchemy.exc import SAWarning

from core import spool
from core.extensions import db
from core.models.base import utcnow
from core.progress import tracked

MAGIC = b"SESIMBK1"
CHUNK = 1024 * 1024
FORMAT = 1
SKIP_TABLES = {"alembic_version"}


class BackupError(RuntimeError):
    """The archive cannot be written or restored; the message says why."""


# --- encryption ---------------------------------------------------------------------------------

def _key(salt: bytes) -> AESGCM:
    secret = base64.urlsafe_b64decode(current_app.config["SESIM_ENCRYPTION_KEY"])
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
                   info=b"sesim backup v1").derive(secret)
    return AESGCM(derived)


def _nonce(counter: int) -> bytes:
    return struct.pack(">4xQ", counter)


class _Sealer(io.RawIOBase):
    """A write-only stream that encrypts what the tar writer gives it, chunk by chunk."""

    def __init__(self, out):
        self.out, self.buffer, self.counter = out, bytearray(), 0
        salt = os.urandom(16)
        self.aead = _key(salt)
        out.write(MAGIC + salt)

    def writable(self):
        return True

    def write(self, data):
        self.buffer += data
        while len(self.buffer) > CHUNK:
            self._seal(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, last: bool) -> None:
        sealed = self.aead.encrypt(_nonce(self.counter), plain, b"last" if last else b"more")
        self.out.write(struct.pack(">I", len(sealed)) + sealed)
        self.counter += 1

    def finish(self) -> None:
        self._seal(bytes(self.buffer), last=True)
        self.buffer.clear()


class _Opener(io.RawIOBase):
    """A read-only stream of the decrypted tar; refuses a wrong key, an edit or a truncation."""

    def __init__(self, source):
        self.source, self.pending, self.counter, self.done = source, b"", 0, False
        head = source.read(len(MAGIC) + 16)
        if head[:len(MAGIC)] != MAGIC:
            raise BackupError("not a Sesim backup archive")
        self.aead = _key(head[len(MAGIC):])

    def readable(self):
        return True

    def _next(self) -> None:
        size = self.source.read(4)
        if len(size) < 4:
            raise BackupError("the archive is truncated")
        sealed = self.source.read(struct.unpack(">I", size)[0])
        for marker in (b"more", b"last"):
            try:
                self.pending = self.aead.decrypt(_nonce(self.counter), sealed, marker)
            except InvalidTag:  # the other marker, or not ours at all
                self.pending = None
            if self.pending is not None:
                self.done = marker == b"last"
                self.counter += 1
                return
        self.pending = b""
        raise BackupError("the archive cannot be decrypted: another instance key "
                          "(secrets.json), or the file was altered")

    def readinto(self, target) -> int:
        while not self.pending and not self.done:
            self._next()
        count = min(len(target), len(self.pending))
        target[:count] = self.pending[:count]
        self.pending = self.pending[count:]
        return count


# --- rows as JSON -------------------------------------------------------------------------------

def _plain(value, column):
    if value is None:
        return None
    if isinstance(column.type, LargeBinary):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _typed(value, column):
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    return value


def _tables(conn) -> list:
    """Every table in the database, parents before children (reflected: plugins' tables too)."""
    meta = MetaData()
    with warnings.catch_warnings():
        # Rows are what a backup copies; the indexes come from the migrations on restore.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index",
                                SAWarning)
        meta.reflect(bind=conn)
    return [t for t in meta.sorted_tables if t.name not in SKIP_TABLES]


def _revisions(conn) -> list[str]:
    """The migration heads the database is at (the core's and each plugin's branch)."""
    return sorted(r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version")))


def _order(table):
    return [c for c in table.primary_key.columns] or list(table.columns)


def _add_bytes(archive: tarfile.TarFile, name: str, payload: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(payload), 0o600
    archive.addfile(info, io.BytesIO(payload))


def _add_folder(archive: tarfile.TarFile, folder: Path, prefix: str) -> int:
    if not folder.is_dir():
        return 0
    paths = [p for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")]
    for path in tracked(paths, f"Backing up {prefix}", length=len(paths)):
        info = archive.gettarinfo(str(path), arcname=f"{prefix}/{path.relative_to(folder)}")
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mode = 0o600
        with path.open("rb") as fh:
            archive.addfile(info, fh)
    return len(paths)


def _uploads() -> Path:
    from core.media import uploads_dir

    return uploads_dir()


# --- backup -------------------------------------------------------------------------------------

def backup(out_path: str | os.PathLike) -> dict:
    """Write the archive to ``out_path`` (mode 0600, atomically); return the manifest."""
    out_path = Path(out_path)
    with db.engine.connect() as conn:
        revisions = _revisions(conn)
    manifest = {"format": FORMAT, "created_at": utcnow().isoformat(timespec="seconds"),
                "revisions": revisions, "dialect": db.engine.dialect.name, "tables": {}}
    tmp = out_path.with_name(f".{out_path.name}.partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw:
            sealer = _Sealer(raw)
            with tarfile.open(fileobj=sealer, mode="w|") as archive:
                with snapshot() as conn:
                    tables = _tables(conn)
                    for table in tracked(tables, "Backing up tables", length=len(tables)):
                        manifest["tables"][table.name] = _dump_table(archive, conn, table)
                manifest["files"] = {
                    "uploads": _add_folder(archive, _uploads(), "uploads"),
                    "spool": _add_folder(archive, spool.spool_dir(create=False), "spool"),
                }
                _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=1).encode())
            sealer.finish()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return manifest


@contextmanager
def snapshot():
    """A connection that reads the whole database as it was when its first read ran, whatever
    commits meanwhile: PostgreSQL's REPEATABLE READ, SQLite's read transaction (the write-ahead
    log keeps it while others write). Read table by table without it, a backup could hold a
    report without its categories, or running totals of a count row that was replaced."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        else:
            conn.exec_driver_sql("BEGIN")  # the driver starts none for reads
        try:
            yield conn
        finally:
            conn.rollback()  # it only read


def _dump_table(archive: tarfile.TarFile, conn, table) -> int:
    rows = 0
    with tempfile.TemporaryFile() as lines:
        result = conn.execution_options(yield_per=1000).execute(
            select(table).order_by(*_order(table)))
        for row in result:
            mapping = row._mapping
            record = {c.name: _plain(mapping[c], c) for c in table.columns}
            lines.write(json.dumps(record, ensure_ascii=False, default=str).encode() + b"\n")
            rows += 1
        info = tarfile.TarInfo(f"db/{table.name}.jsonl")
        info.size, info.mode = lines.tell(), 0o600
        lines.seek(0)
        archive.addfile(info, lines)
    return rows


# --- restore ------------------------------------------------------------------------------------

def _not_empty(conn, tables) -> list[str]:
    """Tables that hold rows; default categories from ``sesim init`` do not count."""
    return [t.name for t in tables if t.name != "categories"
            and conn.execute(select(func.count()).select_from(t)).scalar()]


def restore(in_path: str | os.PathLike) -> dict:
    """Restore the archive into this (empty) instance; return its manifest."""
    from core.migrating import upgrade_all

    upgrade_all()
    with db.engine.connect() as conn:
        current, reflected = _revisions(conn), _tables(conn)
        filled = _not_empty(conn, reflected)
    if filled:
        raise BackupError(f"this instance is not empty ({', '.join(filled)} hold rows): restore "
                          "only into a new, empty database")
    tables = {t.name: t for t in reflected}
    uploads, spool_folder = _uploads(), spool.spool_dir()
    manifest, restored = None, {}
    with open(in_path, "rb") as source, db.engine.begin() as conn:
        for table in reversed(reflected):
            conn.execute(table.delete())
        with tarfile.open(fileobj=_Opener(source), mode="r|") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                data = archive.extractfile(member).read()
                name = member.name
                if name == "manifest.json":
                    manifest = json.loads(data)
                elif name.startswith("db/") and name.endswith(".jsonl"):
                    table = tables.get(name[3:-6])
                    if table is None:
                        raise BackupError(f"the archive has a table this version does not know: "
                                          f"{name[3:-6]}")
                    restored[table.name] = _load_table(conn, table, data)
                elif name.startswith(("uploads/", "spool/")):
                    _write_file(uploads if name.startswith("uploads/") else spool_folder,
                                name.split("/", 1)[1], data)
        if manifest is None:
            raise BackupError("the archive has no manifest: it is incomplete")
        if manifest["revisions"] != current:
            raise BackupError(f"the archive was made at database revisions "
                              f"{', '.join(manifest['revisions'])}, this code is at "
                              f"{', '.join(current)}: restore with the matching Sesim version")
        _reset_sequences(conn, tables.values())
    return manifest


def _load_table(conn, table, data: bytes) -> int:
    rows = [json.loads(line) for line in data.splitlines() if line.strip()]
    columns = {c.name: c for c in table.columns}
    typed = [{name: _typed(value, columns[name]) for name, value in row.items() if name in columns}
             for row in rows]
    # JSON columns bind as they are; encrypted columns are re-encrypted by their type.
    for start in range(0, len(typed), 500):
        conn.execute(table.insert(), typed[start:start + 500])
    return len(typed)


def _write_file(folder: Path, relative: str, data: bytes) -> None:
    target = (folder / relative).resolve()
    if folder.resolve() not in target.parents:
        raise BackupError(f"refusing a file outside its folder: {relative}")
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    spool.write_private(target, data)


def _reset_sequences(conn, tables) -> None:
    """PostgreSQL hands out ids from sequences: move them past the restored rows."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" in table.columns and isinstance(table.c.id.type, Integer):
            highest = conn.execute(select(func.max(table.c.id))).scalar() or 0
            conn.execute(text("SELECT setval(pg_get_serial_sequence(:name, 'id'), :next, false)"),
                         {"name": table.name, "next": highest + 1})
