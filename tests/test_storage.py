"""Upload storage (``core.storage``): the uploads folder by default, or the database so every app
server reaches every upload; the same four calls either way."""

import re
from pathlib import Path

import pytest

from core import storage
from tests.test_admin_files import _web_report_with_photo
from tests.test_admin_support import client_as, make_staff


@pytest.mark.parametrize("backend", ["filesystem", "database"])
def test_save_read_delete_and_list_on_either_backend(make_app, backend):
    from core.extensions import db

    app = make_app(SESIM_UPLOADS_STORAGE=backend)
    with app.app_context():
        storage.save("a1.jpg", b"first")
        storage.save("b2.bin", b"second")
        db.session.commit()
        assert storage.read("a1.jpg") == b"first" and storage.read("missing") is None
        assert list(storage.names()) == ["a1.jpg", "b2.bin"]
        storage.delete("a1.jpg")
        db.session.commit()
        assert list(storage.names()) == ["b2.bin"]
        on_disk = (Path(app.instance_path) / "uploads" / "b2.bin").exists()
        assert on_disk == (backend == "filesystem")


def test_a_stored_name_cannot_leave_the_uploads_folder(app):
    with app.app_context(), pytest.raises(ValueError):
        storage.read("../secrets.json")


def test_database_storage_keeps_photos_off_the_disk_and_serves_them_to_staff(make_app):
    from core.extensions import db

    app = make_app(SESIM_UPLOADS_STORAGE="database")
    make_staff(app)
    report_id = _web_report_with_photo(app)
    assert not list((Path(app.instance_path) / "uploads").glob("*"))
    moderator = client_as(app, "moderator")
    page = moderator.get(f"/admin/reports/{report_id}").get_data(as_text=True)
    link = re.search(r'href="(/admin/files/[^"]+)"', page).group(1)
    response = moderator.get(link)
    assert response.status_code == 200 and response.data[:2] == b"\xff\xd8"  # a JPEG

    with app.app_context():  # a rolled-back report leaves no photo behind
        from core.media import store_upload
        from core.models import StoredFile
        from tests.test_report_form import jpeg_with_gps

        before = StoredFile.query.count()
        store_upload(jpeg_with_gps(), require_image=True)
        db.session.rollback()
        assert StoredFile.query.count() == before


def test_unknown_storage_is_refused_at_start_up(make_app):
    from core.config import ConfigError

    with pytest.raises(ConfigError, match="SESIM_UPLOADS_STORAGE"):
        make_app(SESIM_UPLOADS_STORAGE="s3")
