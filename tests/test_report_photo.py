"""Her photo is never dropped silently: kept (cleaned, encrypted) across a form sent back with
errors, and the size limit is stated before she chooses a file and in the error."""

import io
import os
import re

import pytest
from PIL import Image

from core.models import Attachment, Category, Report
from tests.conftest import csrf_token
from tests.test_report_form import english, jpeg_with_gps

TOKEN = re.compile(r'name="photo_token" value="([A-Za-z0-9_-]{32})"')


@pytest.fixture
def valid(app):
    with app.app_context():
        ids = {c.slug: str(c.id) for c in Category.query.all()}
    return {"title": "Followed from the metro", "story": "He followed me to my door.",
            "occurred_on": "2026-11-28", "place": "baku-nasimi", "categories": [ids["stalking"]]}


def post(client, data, photo: bytes | None = None):
    form = {**data, "csrf_token": csrf_token(client, "/report")}
    if photo is not None:
        form["photo"] = (io.BytesIO(photo), "IMG_2041.jpg")
    return client.post("/report", data=form, content_type="multipart/form-data")


def held_files(app) -> list:
    folder = os.path.join(app.instance_path, "spool", "photos")
    return os.listdir(folder) if os.path.isdir(folder) else []


def test_the_size_limit_is_stated_before_she_chooses_a_file(make_app):
    page = english(make_app(SESIM_PHOTO_MAX_BYTES=5 * 1024 * 1024)).get("/report").get_data(
        as_text=True)
    assert "at most 5 MB" in page
    assert 'aria-describedby="photo-hint"' in page


def test_a_photo_survives_a_validation_error_and_is_filed_with_the_report(app, valid):
    client = english(app)
    response = post(client, {**valid, "title": ""}, photo=jpeg_with_gps())
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your photo is attached: it was kept from your last attempt." in page
    token = TOKEN.search(page).group(1)
    [held] = held_files(app)
    with open(os.path.join(app.instance_path, "spool", "photos", held), "rb") as fh:
        assert b"PhoneMaker" not in fh.read()  # cleaned and encrypted
    assert token not in held  # the file name does not give the token away

    response = post(client, {**valid, "photo_token": token})  # no new file: the kept one is used
    assert response.status_code == 303
    with app.app_context():
        report = Report.query.one()
        [photo] = Attachment.query.filter_by(report_id=report.id).all()
        assert photo.kind == "photo" and photo.width == 64
    assert held_files(app) == []  # released once filed


def test_she_can_drop_the_kept_photo(app, valid):
    client = english(app)
    token = TOKEN.search(post(client, {**valid, "title": ""}, photo=jpeg_with_gps())
                         .get_data(as_text=True)).group(1)
    assert post(client, {**valid, "photo_token": token, "photo_remove": "y"}).status_code == 303
    with app.app_context():
        assert Attachment.query.count() == 0 and Report.query.count() == 1
    assert held_files(app) == []


def test_a_lost_or_forged_token_is_said_not_ignored(app, valid):
    client = english(app)
    response = post(client, {**valid, "photo_token": "A" * 32})
    assert response.status_code == 400
    assert "The photo you attached before is no longer kept." in response.get_data(as_text=True)
    with app.app_context():
        assert Report.query.count() == 0


def test_a_too_large_photo_is_explained_with_the_limit_and_her_text_kept(make_app, valid):
    app = make_app(SESIM_PHOTO_MAX_BYTES=256 * 1024)  # small files: no temporary file in the test
    big = io.BytesIO()
    Image.effect_noise((300, 300), 80).convert("RGB").save(big, "BMP")
    response = post(english(app), valid, photo=big.getvalue())
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This picture is too large: photos may be at most 0.25 MB." in page
    assert "He followed me to my door." in page
