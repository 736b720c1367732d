"""The anonymous web report: the one path every reporter takes."""

import io
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import text

from core.extensions import db
from core.models import Attachment, Category, Report
from tests.conftest import csrf_token, post_form

CODE = re.compile(r'id="case-code">(\d{4}-\d{4}-\d{4})<')


def english(app):
    """A browser that asks for English, so assertions read naturally."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def client(app):
    return english(app)


@pytest.fixture
def category_ids(app):
    with app.app_context():
        return {c.slug: c.id for c in Category.query.all()}


@pytest.fixture
def valid(category_ids):
    return {
        "title": "Followed from the metro",
        "story": "A man followed me from 28 May station to my building.",
        "occurred_on": (date.today() - timedelta(days=2)).isoformat(),
        "occurred_time": "19:30",
        "place": "baku-nasimi",
        "categories": [str(category_ids["stalking"]), str(category_ids["verbal"])],
        "consent_publish": "y",
        "contact": "+994 50 123 45 67",
    }


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "purple")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (40.0, 22.0, 30.0), "E", (49.0, 50.0, 10.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_form_renders_without_javascript_in_azerbaijani_by_default(app):
    page = app.test_client().get("/report").get_data(as_text=True)
    assert '<html lang="az">' in page
    # The form needs no script; the only one on the page is the optional quick-exit helper.
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/quick-exit.js">']
    for name in ("title", "story", "occurred_on", "occurred_time", "place", "lat", "lon",
                 "categories", "photo", "consent_publish", "contact", "csrf_token"):
        assert f'name="{name}"' in page
    assert 'value="baku-yasamal"' in page and 'value="masalli-lahij"' not in page


def test_report_is_stored_pending_with_hashed_case_code_and_encrypted_contact(client, app, valid):
    response = post_form(client, "/report", valid, follow_redirects=True)
    assert response.status_code == 200
    code = CODE.search(response.get_data(as_text=True)).group(1)
    assert response.headers["Cache-Control"] == "no-store"
    assert 'autocomplete="off"' in client.get("/report").get_data(as_text=True)  # no refill on Back

    with app.app_context():
        report = Report.query.one()
        assert report.status == "pending" and report.source_channel == "web"
        assert report.title == valid["title"] and report.consent_publish
        assert {c.slug for c in report.categories} == {"stalking", "verbal"}
        assert report.occurred_at.strftime("%H:%M") == "19:30"
        assert report.case_code_hash and code.replace("-", "") not in report.case_code_hash
        assert report.contact == "+994 50 123 45 67"
        raw = db.session.execute(text("select contact from reports")).scalar()
        assert "123" not in raw and raw.startswith("gAAAA")  # a Fernet token
        assert (report.public_latitude, report.public_longitude) == (40.388, 49.833)
        assert report.region_id == "baku"

    status = client.post("/case", data={"code": code, "csrf_token": csrf_token(client, "/case")},
                         follow_redirects=True)
    assert status.status_code == 200
    assert "Waiting for a moderator" in status.get_data(as_text=True)


def test_exact_point_stays_private_public_point_is_the_nearest_place(client, app, valid):
    data = {**valid, "place": "", "lat": "40.37712", "lon": "49.85121"}
    assert post_form(client, "/report", data, follow_redirects=True).status_code == 200
    with app.app_context():
        report = Report.query.one()
        assert (report.latitude, report.longitude) == (40.37712, 49.85121)
        assert report.place_id == "baku-nasimi"
        assert (report.public_latitude, report.public_longitude) == (40.388, 49.833)


def test_grid_precision_snaps_to_cell_centre(make_app, valid):
    app = make_app(SESIM_LOCATION_PRECISION="grid", SESIM_LOCATION_GRID=0.1)
    client = english(app)
    assert post_form(client, "/report", {**valid, "lat": "40.37712", "lon": "49.85121"}).status_code == 303
    with app.app_context():
        report = Report.query.one()
        assert (report.public_latitude, report.public_longitude) == (40.35, 49.85)


TOO_LONG = "x" * 201
BAD_INPUTS = [
    ({"title": ""}, "title", "This field is required."),
    ({"title": "   "}, "title", "This field is required."),
    ({"title": TOO_LONG}, "title", "At most 200 characters."),
    ({"story": ""}, "story", "This field is required."),
    ({"story": "y" * 10_001}, "story", "At most 10000 characters."),
    ({"occurred_on": (date.today() + timedelta(days=3)).isoformat()}, "occurred_on",
     "The date cannot be in the future."),
    ({"occurred_on": "2025/12/31"}, "occurred_on", "Write the date as YYYY-MM-DD."),
    ({"occurred_on": "31.13.2025"}, "occurred_on", "Write the date as YYYY-MM-DD."),
    ({"occurred_on": ""}, "occurred_on", "Give the date, even if approximate."),
    ({"occurred_time": "25:99"}, "occurred_time", "Write the time as HH:MM."),
    ({"categories": ["999999"]}, "categories", "Choose categories from the list."),
    ({"categories": ["abc"]}, "categories", "Choose categories from the list."),
    ({"categories": []}, "categories", "Choose at least one category."),
    ({"place": "atlantis"}, "place", "Choose a place from the list."),
    ({"place": ""}, "place", "Choose a place, or give a point."),
    ({"lat": "40.4"}, "lat", "Give both latitude and longitude, or neither."),
    ({"lat": "51.5", "lon": "-0.12"}, "lat", "This point is outside Azerbaijan."),
    ({"lat": "north", "lon": "49.8"}, "lat", "Not a number."),
    ({"lat": "sNaN", "lon": "49.8"}, "lat", "Not a number."),
    ({"lat": "40.4", "lon": "-Infinity"}, "lon", "Not a number."),
    ({"contact": "c" * 201}, "contact", "At most 200 characters."),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_INPUTS)
def test_bad_input_is_explained_on_the_form_and_typed_text_kept(client, app, valid, change, field, message):
    data = {**valid, **change}
    if "categories" in change and not change["categories"]:
        data.pop("categories")
    response = post_form(client, "/report", data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    errors = re.search(rf'<ul class="errors" id="{field}-error">(.*?)</ul>', page, re.S)
    assert errors and message in errors.group(1)
    if field != "story":
        assert "A man followed me from 28 May station" in page  # the story she typed is kept
    with app.app_context():
        assert Report.query.count() == 0


def test_missing_csrf_token_is_explained_and_nothing_is_lost(client, app, valid):
    response = client.post("/report", data=valid)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form expired" in page
    assert 'value="Followed from the metro"' in page
    with app.app_context():
        assert Report.query.count() == 0


def test_photo_is_reencoded_without_exif_or_gps(client, app, valid):
    data = {**valid, "photo": (io.BytesIO(jpeg_with_gps()), "IMG_0001.jpg", "image/jpeg")}
    assert post_form(client, "/report", data, content_type="multipart/form-data").status_code == 303
    with app.app_context():
        attachment = Attachment.query.one()
        assert attachment.kind == "photo" and not attachment.public
        assert attachment.stored_name != "IMG_0001.jpg"
        from core import storage

        stored = storage.read(attachment.stored_name)
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif() and image.size == (64, 48)


@pytest.mark.parametrize(
    ("payload", "filename", "message"),
    [
        (b"%PDF-1.4 not a picture", "doc.pdf", "not a picture we can read"),
        (b"\xff\xd8\xff\xe0 truncated jpeg", "broken.jpg", "not a picture we can read"),
    ],
)
def test_file_that_is_not_an_image_is_refused(client, app, valid, payload, filename, message):
    data = {**valid, "photo": (io.BytesIO(payload), filename, "image/jpeg")}
    response = post_form(client, "/report", data, content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert Report.query.count() == 0 and Attachment.query.count() == 0


def test_photo_over_the_size_limit_is_refused(make_app, valid):
    app = make_app(SESIM_PHOTO_MAX_BYTES=1000)
    client = english(app)
    big = io.BytesIO()
    Image.effect_noise((200, 200), 50).convert("RGB").save(big, "PNG")
    data = {**valid, "photo": (io.BytesIO(big.getvalue()), "big.png", "image/png")}
    response = post_form(client, "/report", data, content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 400
    assert "This picture is too large: photos may be at most" in response.get_data(as_text=True)


def test_request_over_the_upload_limit_gets_a_friendly_page(make_app, valid):
    app = make_app(MAX_CONTENT_LENGTH=10_000)
    client = english(app)
    data = {**valid, "photo": (io.BytesIO(b"x" * 20_000), "big.jpg", "image/jpeg")}
    response = post_form(client, "/report", data, content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_only_filed_reports_count_against_the_limit_and_her_text_survives_it(make_app, valid):
    app = make_app(SESIM_RATELIMIT_REPORT="2 per hour")
    client = english(app)
    for _ in range(3):  # a form sent back with errors is not a report
        assert post_form(client, "/report", {**valid, "title": ""}).status_code == 400
    assert [post_form(client, "/report", valid).status_code for _ in range(2)] == [303, 303]
    response = post_form(client, "/report", {**valid, "story": "Kept when the limit is hit."})
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Too many reports were sent from this connection" in page
    assert "Kept when the limit is hit." in page


def test_the_thank_you_page_cannot_file_twice_nor_show_the_code_twice(client, app, valid):
    response = post_form(client, "/report", valid)
    assert response.status_code == 303 and response.headers["Location"] == "/report/done"
    cookie = client.get_cookie("sesim").value
    first = client.get("/report/done")
    code = CODE.search(first.get_data(as_text=True)).group(1)
    assert code.replace("-", "") not in cookie and code not in cookie  # sealed in the session
    assert first.headers["Cache-Control"] == "no-store"
    assert "?lang=" not in first.get_data(as_text=True)  # switching language would lose the code
    again = client.get("/report/done").get_data(as_text=True)
    assert code not in again and "is not shown again" in again
    with app.app_context():
        assert Report.query.count() == 1


@pytest.mark.parametrize("code", ["0000-0000-0000", "12", "abcd-efgh-ijkl", ""])
def test_unknown_or_malformed_case_code(client, code):
    response = client.post("/case", data={"code": code, "csrf_token": csrf_token(client, "/case")})
    assert response.status_code == 404
    assert "We found nothing for this code" in response.get_data(as_text=True)


def test_case_code_is_never_sent_in_a_url(client):
    page = client.get("/case").get_data(as_text=True)
    assert re.search(r'<form method="post" action="/case" autocomplete="off">', page)


def test_errors_are_in_the_chosen_language(client, valid):
    client.get("/report?lang=ru")
    response = post_form(client, "/report", {**valid, "title": ""}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert '<html lang="ru">' in page
    assert "Это поле обязательно." in page


def test_case_lookup_without_csrf_token_is_refused_on_the_page(client):
    response = client.post("/case", data={"code": "0000-0000-0000"})
    assert response.status_code == 400
    assert "This form expired" in response.get_data(as_text=True)


def test_local_habits_for_dates_and_decimals_are_understood(client, app, valid):
    data = {**valid, "occurred_on": "21.11.2025", "place": "", "lat": "40,37712", "lon": "49,85121"}
    assert post_form(client, "/report", data).status_code == 303
    with app.app_context():
        report = Report.query.one()
        assert report.occurred_at.date().isoformat() == "2025-11-21"
        assert (report.latitude, report.longitude) == (40.37712, 49.85121)


def test_hints_and_errors_are_read_out_with_their_field(client, valid):
    page = post_form(client, "/report", {**valid, "title": ""}).get_data(as_text=True)
    title = re.search(r'<input[^>]*name="title"[^>]*>', page).group()
    assert 'aria-describedby="title-hint title-error"' in title and 'aria-invalid="true"' in title
