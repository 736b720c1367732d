"""Nothing is lost when the database fails: the web form keeps her report in the encrypted spool
(or, if even that fails, gives her form back with a truthful message), ``sesim spool replay`` /
``sesim worker`` stores it once, and read-only public pages keep working."""

import errno
import io
import os
import re
import shutil
import stat

import pytest
from PIL import Image

from core import casecodes
from core.models import Attachment, Category, Report
from tests.conftest import csrf_token
from tests.outage import replay, spool_files
from tests.test_report_form import english

CODE = re.compile(r'id="case-code">(\d{4}-\d{4}-\d{4})<')
SELECTED_PLACE = re.compile(r'<option (selected value="baku-nasimi"|value="baku-nasimi" selected)')
STORY = "A man followed me from 28 May station to my building."


@pytest.fixture
def valid(app):
    with app.app_context():
        ids = {c.slug: str(c.id) for c in Category.query.all()}
    return {"title": "Followed from the metro", "story": STORY, "occurred_on": "2026-11-28",
            "place": "baku-nasimi", "categories": [ids["stalking"], ids["verbal"]],
            "consent_publish": "y", "contact": "+994 50 123 45 67"}


def png(size=(80, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, "PNG")
    return out.getvalue()


def send(client, data, photo: bytes | None = None, **extra):
    form = {**data, "csrf_token": csrf_token(client, "/report"), **extra}
    if photo is not None:
        form["photo"] = (io.BytesIO(photo), "street.png")
    return client.post("/report", data=form, content_type="multipart/form-data")


def count_reports(app) -> int:
    with app.app_context():
        return Report.query.count()


@pytest.mark.parametrize("kind", ["read-only", "unreachable"])
def test_a_report_sent_during_an_outage_is_spooled_then_stored_once(app, outage, valid, kind):
    english(app).get("/report")  # a healthy moment: the form's categories are known
    broken = outage(kind)
    client = english(broken)
    assert client.get("/report").status_code == 200  # the form itself still works

    response = send(client, valid, photo=png())
    assert response.status_code == 303
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    code = CODE.search(done).group(1)
    assert "Our database is not available right now" in done
    assert count_reports(app) == 0

    [path] = spool_files(app)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
    with open(path, "rb") as fh:
        raw = fh.read()
    for secret in (b"28 May", b"+994", b"followed", code.encode(), code.replace("-", "").encode()):
        assert secret not in raw  # encrypted; the code itself is never kept, only its hash
    saved = raw

    result = replay(broken)  # still down: nothing moves, the item waits
    assert result.exit_code == 1 and "database still unavailable" in result.output
    assert len(spool_files(app)) == 1

    result = replay(app)
    assert result.exit_code == 0 and "1 stored" in result.output
    assert spool_files(app) == []
    with app.app_context():
        report = Report.query.one()
        assert report.case_code_hash == casecodes.hash_code(code)
        assert report.story == STORY and report.contact == "+994 50 123 45 67"
        assert {c.slug for c in report.categories} == {"stalking", "verbal"}
        [photo] = Attachment.query.filter_by(report_id=report.id).all()
        assert photo.kind == "photo" and photo.width == 80

    # A crash after the commit but before the file was removed: the replay stores nothing twice.
    with open(path, "wb") as fh:
        fh.write(saved)
    assert "1 stored" in replay(app).output
    assert count_reports(app) == 1 and spool_files(app) == []

    healthy = english(app)
    opened = healthy.post("/case", data={"code": code, "csrf_token": csrf_token(healthy, "/case")})
    assert opened.status_code == 303 and opened.headers["Location"] == "/case"  # her code works


def test_the_worker_replays_the_spool(app, outage, valid):
    broken = outage("read-only")
    assert send(english(broken), valid).status_code == 303
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert "running spool-replay" in result.output
    assert count_reports(app) == 1 and spool_files(app) == []


def _assert_form_back_truthfully(response, valid):
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "We could not save your report just now" in page
    assert valid["title"] in page and STORY in page and "+994 50 123 45 67" in page
    assert SELECTED_PLACE.search(page)
    assert "not lost" not in page and "was received" not in page


def test_when_the_spool_cannot_keep_it_either_her_form_comes_back(app, outage, valid, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    broken = outage("read-only", SESIM_SPOOL_DIR=str(blocker / "spool"))
    response = send(english(broken), valid, photo=png())
    _assert_form_back_truthfully(response, valid)
    assert "Your photo could not be kept: please attach it again." in response.get_data(as_text=True)
    assert count_reports(app) == 0


def test_a_full_disk_while_spooling_gives_her_form_back(app, outage, valid, monkeypatch):
    broken = outage("read-only")
    client = english(broken)
    token = csrf_token(client, "/report")
    real_write = os.write

    def disk_full(fd, data):
        if os.readlink(f"/proc/self/fd/{fd}").startswith(os.path.join(app.instance_path, "spool")):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", disk_full)
    response = client.post("/report", data={**valid, "csrf_token": token})
    monkeypatch.undo()
    _assert_form_back_truthfully(response, valid)
    folder = os.path.join(app.instance_path, "spool")
    assert [n for n in os.listdir(folder) if not os.path.isdir(os.path.join(folder, n))] == []


def test_read_only_public_pages_keep_working(app, outage, reports):
    broken = outage("read-only")
    client = english(broken)
    for url in ("/", "/report", f"/reports/{reports['shared']}", "/stats", "/api/v1/reports",
                "/case"):
        assert client.get(url).status_code == 200, url


def test_an_unreachable_database_gives_a_truthful_503_not_a_500(app, outage):
    shutil.rmtree(os.path.join(app.instance_path, "spool"), ignore_errors=True)
    from core.public import forms

    forms._last_choices.clear()  # a fresh process that never saw the database
    broken = outage("unreachable")
    client = english(broken)
    response = client.get("/report")
    assert response.status_code == 503
    assert "Reports cannot be sent here right now" in response.get_data(as_text=True)
    response = client.get("/reports/abcdefabcdef")
    assert response.status_code == 503 and response.headers["Retry-After"]
    page = response.get_data(as_text=True)
    assert "nothing could be saved" in page and "not lost" not in page


def test_doctor_warns_while_items_wait_in_the_spool(app, outage, valid):
    assert send(english(outage("read-only")), valid).status_code == 303
    output = app.test_cli_runner().invoke(args=["doctor"]).output
    assert "1 item(s) wait in the spool" in output
    replay(app)
    assert "wait in the spool" not in app.test_cli_runner().invoke(args=["doctor"]).output
