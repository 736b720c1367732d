"""Files only the service user can read: the instance folder, the SQLite database, uploads, the
spool and the job queue are created 0700 (folders) / 0600 (files); ``sesim doctor`` reports any
that are not (``check``)."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("sesim.filemodes")

DIR_MODE, FILE_MODE = 0o700, 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")  # SQLite gives them the database file's mode


def private_dir(path: str | os.PathLike) -> Path:
    """Create ``path`` (and missing parents) as 0700; a folder we create is never left wider."""
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    for created in missing:
        created.chmod(DIR_MODE)
    return path


def write_private(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to a file that is 0600 from its first byte (no window where it is wider)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # an existing file keeps its mode through O_CREAT
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def touch_private(path: str | os.PathLike) -> None:
    """Create an empty 0600 file if there is none (SQLite opens an empty file as a new database)."""
    path = Path(path)
    if not path.exists():
        private_dir(path.parent)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))


def private_database(url: str) -> None:
    """Create a SQLite database file 0600 before SQLite creates it with the default mode."""
    path = sqlite_path(url)
    if path is None:
        return
    try:
        touch_private(path)
    except OSError as exc:  # a read-only place: SQLite will say what is wrong when it connects
        log.warning("could not create %s as a private file: %s", path, exc)


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///…`` URL, also in SQLite's URI form (``sqlite:///file:/path?…&uri=true``);
    None for PostgreSQL or an in-memory database."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if str(parsed.query.get("uri", "")).lower() in ("true", "1") and database.startswith("file:"):
        database = database[len("file:"):]
    return Path(database)


def too_open(path: Path) -> int | None:
    """The mode of ``path`` when group or others may use it, else None."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None
    return mode if mode & 0o077 else None


def check(paths: dict[str, Path | None], limit: int = 5) -> list[tuple[str, str]]:
    """``[(level, text)]`` for doctor: each named folder or file, and the files in each folder."""
    found: list[tuple[str, str]] = []
    for label, path in paths.items():
        if path is None or not path.exists():
            continue
        offenders = [(path, too_open(path))] if too_open(path) is not None else []
        if path.is_dir():
            for child in sorted(path.iterdir())[:10_000]:
                if (mode := too_open(child)) is not None:
                    offenders.append((child, mode))
        for offender, mode in offenders[:limit]:
            want = "700" if offender.is_dir() else "600"
            found.append(("error", f"{label}: {offender} is readable by others (mode {mode:o}); "
                                   f"chmod {want} it"))
        if len(offenders) > limit:
            found.append(("error", f"{label}: {len(offenders) - limit} more entries are readable "
                                   f"by others; chmod -R go-rwx {path}"))
        if not offenders:
            found.append(("ok", f"{label}: {path} is private to the service user"))
    return found
