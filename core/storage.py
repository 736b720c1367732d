"""Where the bytes of photos and files live, behind four calls that media, staff downloads and
backup/restore use alike:

    save(name, data)            # with the database backend, part of the current transaction
    read(name) -> bytes | None
    delete(name)
    names() -> iterator of every stored name
    forget(name)                # a file whose row was never committed (after a rollback)

``SESIM_UPLOADS_STORAGE`` picks the backend: ``filesystem`` (default: the uploads folder,
``SESIM_UPLOADS_DIR`` or ``<instance>/uploads``; one app server, or a disk they all mount) or
``database`` (the ``stored_files`` table: every app server reaches every upload with nothing shared
but the database, and a report and its photo are committed or rolled back together).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from flask import current_app

from core.filemodes import private_dir, write_private

BACKENDS = ("filesystem", "database")


def backend() -> str:
    return current_app.config.get("SESIM_UPLOADS_STORAGE") or "filesystem"


def uploads_dir() -> Path:
    configured = current_app.config.get("SESIM_UPLOADS_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "uploads"
    return private_dir(path)


def _path(name: str) -> Path:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"not a stored file name: {name!r}")
    return uploads_dir() / name


def save(name: str, data: bytes) -> None:
    if backend() == "database":
        from core.extensions import db
        from core.models import StoredFile

        db.session.add(StoredFile(name=name, data=data))
        return
    write_private(_path(name), data)


def read(name: str) -> bytes | None:
    if backend() == "database":
        from core.extensions import db
        from core.models import StoredFile

        found = db.session.get(StoredFile, name)
        return bytes(found.data) if found is not None else None
    path = _path(name)
    return path.read_bytes() if path.is_file() else None


def delete(name: str) -> None:
    if backend() == "database":
        from core.extensions import db
        from core.models import StoredFile

        db.session.query(StoredFile).filter_by(name=name).delete()
        return
    _path(name).unlink(missing_ok=True)


def forget(name: str) -> None:
    """Drop a file whose row was never committed: the database copy went with the rollback, a
    file in the uploads folder must go by hand (no query here: the session may have failed)."""
    if backend() == "filesystem":
        _path(name).unlink(missing_ok=True)


def names() -> Iterator[str]:
    if backend() == "database":
        from core.extensions import db
        from core.models import StoredFile

        yield from (name for (name,) in db.session.query(StoredFile.name).order_by(StoredFile.name))
        return
    yield from sorted(p.name for p in uploads_dir().iterdir() if p.is_file())
