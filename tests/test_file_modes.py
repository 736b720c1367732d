"""The SQLite database, uploads, the job queue and the instance folder are created readable by the
service user only (0600 files, 0700 folders); ``sesim doctor`` reports any that are not."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from PIL import Image

SOUND = {"SESIM_PUBLIC_URL": "https://sesim.example.org", "SESSION_COOKIE_SECURE": True}


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """A deployment whose umask would make every new file world-readable."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_a_new_instance_and_database_are_private(tmp_path, open_umask):
    from core import create_app

    instance = tmp_path / "deploy" / "instance"
    create_app({"TESTING": True, "SESIM_PLUGINS": "", "SESIM_INSTANCE_PATH": str(instance),
                "SQLALCHEMY_DATABASE_URI": ""})
    assert mode(instance) == 0o700
    assert mode(instance / "secrets.json") == 0o600
    assert mode(instance / "sesim.db") == 0o600  # made before SQLite could make it 0644


def test_uploads_and_the_job_queue_are_private(app, tmp_path, open_umask):
    from core.media import store_upload, uploads_dir
    from core.worker import make_huey

    app.config["SESIM_UPLOADS_DIR"] = str(tmp_path / "files" / "uploads")
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(picture, "PNG")
    with app.app_context():
        photo = store_upload(picture.getvalue(), filename="a.png")
        other = store_upload(b"%PDF-1.4 not a picture", filename="a.pdf")
        folder = uploads_dir()
    assert mode(folder) == 0o700 and mode(folder.parent) == 0o700
    assert mode(folder / photo.stored_name) == 0o600 and mode(folder / other.stored_name) == 0o600
    make_huey(app)
    assert mode(Path(app.instance_path) / "queue.db") == 0o600


def test_doctor_reports_the_modes(make_app, tmp_path):
    from core.filemodes import sqlite_path

    app = make_app(**SOUND, SESIM_UPLOADS_DIR=str(tmp_path / "uploads"),
                   SESIM_SPOOL_DIR=str(tmp_path / "spool"))
    (tmp_path / "uploads").mkdir(mode=0o700)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    database = sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])  # None on PostgreSQL
    for label in ("instance folder", "uploads", *(["database"] if database else [])):
        assert f"OK       {label}: " in result.output

    (tmp_path / "uploads" / "leak.jpg").write_bytes(b"x")
    os.chmod(tmp_path / "uploads" / "leak.jpg", 0o644)
    (tmp_path / "spool").mkdir(mode=0o755)
    os.chmod(tmp_path / "spool", 0o755)  # noqa: S103  (the mistake doctor must report)
    if database:
        os.chmod(database, 0o644)
    try:
        result = runner.invoke(args=["doctor"])
    finally:
        if database:
            os.chmod(database, 0o600)
    assert result.exit_code == 1
    if database:
        assert f"database: {database} is readable by others (mode 644); chmod 600 it" in result.output
    assert "leak.jpg is readable by others (mode 644); chmod 600 it" in result.output
    assert f"spool: {tmp_path / 'spool'} is readable by others (mode 755); chmod 700 it" in result.output


@pytest.mark.parametrize("url, path", [
    ("sqlite:////srv/sesim/sesim.db", "/srv/sesim/sesim.db"),
    ("sqlite:///file:/srv/sesim/sesim.db?mode=ro&uri=true", "/srv/sesim/sesim.db"),
    ("sqlite:///relative.db", "relative.db"),
    ("sqlite:///:memory:", None),
    ("sqlite://", None),
    ("postgresql://sesim@127.0.0.1/sesim", None),
])
def test_the_database_file_is_found_in_every_sqlite_url_form(url, path):
    """A URI-form URL (read-only tests, deployers' mode=ro) names /srv/…, not a file:… folder in the
    working directory."""
    from core.filemodes import sqlite_path

    assert sqlite_path(url) == (Path(path) if path else None)
