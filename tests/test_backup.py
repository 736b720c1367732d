"""``sesim backup -o FILE`` / ``sesim restore FILE``: every report, message, attachment, audit row,
upload and spooled item survives the round trip into an empty instance (SQLite, or PostgreSQL when
``SESIM_TEST_DATABASE_URL`` is set); the archive is encrypted, never holds secrets.json, and a
wrong key, an altered file or a non-empty instance is refused."""

import shutil
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import select

from core import spool
from core.admin.audit import record
from core.extensions import db
from core.intake import Inbound, receive
from core.media import store_cleaned, uploads_dir
from core.models import Report
from tests.conftest import BASE_CONFIG, private_database
from tests.test_media_memory import encoded


@pytest.fixture
def empty_database(tmp_path):
    """A second, empty database on the same server as the suite's."""
    with private_database("sesim_restore", tmp_path / "restored.db") as url:
        yield url


@pytest.fixture
def filled(app, reports):
    """The sample reports plus a channel message with a photo, a staff user, audit rows and one
    item waiting in the spool."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "create", "mod@example.org", "--role", "moderator",
                               "--password", "correct horse battery"]).exit_code == 0
    with app.test_request_context():
        message, _created = receive(Inbound(
            channel="email", external_id="<m1@example.org>", text="Metroda bir kişi",
            sender="leyla@example.org", attachments=[("a.png", "image/png", encoded((80, 60)))]))
        report = Report.query.filter_by(public_id=reports["shared"]).one()
        store_cleaned(encoded((40, 30), "JPEG"), report=report)
        record("report.edited", report, before={"title": "old"}, after={"title": "new"})
        db.session.commit()
        spool.put("inbound", "sms:late-1", {"channel": "sms", "external_id": "late-1",
                                            "text": "gec", "sender": "+994", "received_at":
                                            "2026-11-30T10:00:00", "subject": None,
                                            "language": None, "data": {}, "attachments": []})
    return app


def rows(app) -> dict:
    """Every table, every column, as the ORM types read them (contacts decrypted)."""
    with app.app_context():
        found = {}
        for table in db.metadata.sorted_tables:
            if table.name == "alembic_version":
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            found[table.name] = [dict(r._mapping) for r in db.session.execute(
                select(table).order_by(*order))]
        return found


def files(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def restored_app(app, url, tmp_path, copy_secrets=True):
    from core import create_app

    instance = tmp_path / "restored-instance"
    instance.mkdir()
    if copy_secrets:  # the documented step: secrets.json is restored from its own backup first
        shutil.copy(Path(app.instance_path) / "secrets.json", instance / "secrets.json")
    return create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url,
                       "SESIM_INSTANCE_PATH": str(instance)})


def test_round_trip_keeps_every_row_upload_and_spooled_item(filled, empty_database, tmp_path):
    app = filled
    archive = tmp_path / "sesim.backup"
    result = app.test_cli_runner().invoke(args=["backup", "-o", str(archive)])
    assert result.exit_code == 0, result.output
    assert archive.stat().st_mode & 0o777 == 0o600
    blob = archive.read_bytes()
    for secret in (b"Metroda", b"leyla@example.org", b"PENDING-story-text", b"mod@example.org"):
        assert secret not in blob

    with app.app_context():
        from core.backup import _Opener

        with archive.open("rb") as fh, tarfile.open(fileobj=_Opener(fh), mode="r|") as tar:
            names = [m.name for m in tar]
        assert "manifest.json" in names and not any("secrets" in n for n in names)
        before_uploads, before_spool = files(uploads_dir()), files(spool.spool_dir())
    assert len(before_uploads) == 2 and len(before_spool) == 1

    target = restored_app(app, empty_database, tmp_path)
    result = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    try:
        original, copy = rows(app), rows(target)
        for table in ("reports", "messages", "attachments", "audit_log", "users", "categories",
                      "report_categories"):
            assert original[table], table  # the comparison below is not of empty tables
        assert copy == original
        with target.app_context():
            assert files(uploads_dir()) == before_uploads
            assert files(spool.spool_dir()) == before_spool
            assert "1 stored" in target.test_cli_runner().invoke(args=["spool", "replay"]).output
            # New rows after a restore get fresh ids (PostgreSQL sequences moved on).
            receive(Inbound(channel="email", external_id="<after@example.org>", text="yeni"))
    finally:
        with target.app_context():
            db.engine.dispose()


def test_restore_refuses_a_wrong_key_an_altered_file_and_a_non_empty_instance(
        filled, empty_database, tmp_path):
    app = filled
    archive = tmp_path / "sesim.backup"
    assert app.test_cli_runner().invoke(args=["backup", "-o", str(archive)]).exit_code == 0

    stranger = restored_app(app, empty_database, tmp_path, copy_secrets=False)
    try:
        result = stranger.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code != 0 and "another instance key" in result.output
        altered = tmp_path / "altered.backup"
        data = bytearray(archive.read_bytes())
        data[len(data) // 2] ^= 0x01
        altered.write_bytes(bytes(data))
        shutil.copy(Path(app.instance_path) / "secrets.json",
                    Path(stranger.instance_path) / "secrets.json")
    finally:
        with stranger.app_context():
            db.engine.dispose()

    from core import create_app

    keyed = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database,
                        "SESIM_INSTANCE_PATH": stranger.instance_path})
    try:
        result = keyed.test_cli_runner().invoke(args=["restore", str(altered)])
        assert result.exit_code != 0 and "altered" in result.output
        with keyed.app_context():
            assert Report.query.count() == 0  # nothing half-restored
        result = app.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code != 0 and "not empty" in result.output
    finally:
        with keyed.app_context():
            db.engine.dispose()


def test_backup_shows_progress_on_a_terminal_and_nothing_when_piped(filled, tmp_path, monkeypatch):
    import io
    import sys

    from core.backup import backup

    piped = filled.test_cli_runner().invoke(args=["backup", "-o", str(tmp_path / "piped.backup")])
    assert piped.exit_code == 0, piped.output
    assert "Backing up" not in piped.output and piped.output.startswith("Backup written to")

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with filled.app_context():
        manifest = backup(tmp_path / "by-hand.backup")
    drawn = screen.getvalue()
    tables = len(manifest["tables"])
    assert "Backing up tables" in drawn and f"{tables}/{tables}" in drawn
    assert "Backing up uploads" in drawn and "2/2" in drawn


def test_a_backup_reads_every_table_as_it_was_at_one_moment(app):
    """What commits while the backup runs is not half in it: ``snapshot`` keeps reading the
    database as it was at its first read."""
    from sqlalchemy import func

    from core.backup import snapshot
    from tests.outputs_data import make_report

    counted = select(func.count()).select_from(Report.__table__)
    with app.app_context():
        make_report(title="before the backup")
        db.session.commit()
        with snapshot() as conn:
            assert conn.execute(counted).scalar() == 1
            make_report(title="published while it runs")
            db.session.commit()  # another connection
            assert conn.execute(counted).scalar() == 1
        assert db.session.execute(counted).scalar() == 2
