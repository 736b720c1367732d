"""Her case after she reported on the web: she opens it with her code, reads what the staff wrote,
answers (with a photo), the staff see the unread answer, close the conversation; bad input on
every form gets one calm, translated sentence and her words back."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from PIL import Image

from core.extensions import db
from core.models import Attachment, AuditLog, Message, Report
from tests.conftest import csrf_token, post_form
from tests.test_admin_support import client_as, make_staff, post

CODE = re.compile(r'id="case-code">(\d{4}-\d{4}-\d{4})<')


@pytest.fixture
def staff(app):
    return make_staff(app)


def file_report(app, client, **extra) -> tuple[int, str]:
    """A report through the public form, as she files it; ``(report id, case code)``."""
    from core.models import Category

    with app.app_context():
        stalking = Category.query.filter_by(slug="stalking").one().id
    data = {"title": "Followed from the metro", "story": "A man followed me to my building.",
            "occurred_on": (date.today() - timedelta(days=2)).isoformat(), "place": "baku-nasimi",
            "categories": [str(stalking)], "consent_publish": "y", **extra}
    response = post_form(client, "/report", data, follow_redirects=True)
    code = CODE.search(response.get_data(as_text=True)).group(1)
    with app.app_context():
        return Report.query.order_by(Report.id.desc()).first().id, code


def open_case(client, code, lang="en"):
    client.get(f"/case?lang={lang}")
    return post_form(client, "/case", {"code": code})


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "purple").save(out, "JPEG")
    return out.getvalue()


def answer(client, text, **files):
    data = {"text": text, "csrf_token": csrf_token(client, "/case")}
    data.update({name: (io.BytesIO(payload), filename) for name, (payload, filename) in files.items()})
    return client.post("/case/reply", data=data, content_type="multipart/form-data")


def test_web_reporter_and_staff_talk_through_the_case_page(app, client, staff):
    report_id, code = file_report(app, client)
    opened = open_case(client, code)
    assert opened.status_code == 303 and opened.headers["Location"] == "/case"
    page = client.get("/case")
    body = page.get_data(as_text=True)
    assert "Waiting for a moderator" in body and "No messages yet" in body
    assert page.headers["Cache-Control"].startswith("no-store")
    assert code not in body and code.replace("-", "") not in body
    assert 'autocomplete="off"' in body and 'action="/case/leave"' in body

    moderator = client_as(app, "moderator")
    sent = post(moderator, f"/admin/reports/{report_id}/reply",
                {"text": "We read your report. Are you safe now?"}, f"/admin/reports/{report_id}")
    assert sent.status_code == 302
    with app.app_context():
        reply = Message.query.filter_by(direction="out").one()
        assert (reply.channel, reply.report_id, reply.data["kind"]) == ("web", report_id, "staff")
        assert AuditLog.query.filter_by(action="report.reply_sent", target_id=report_id).count() == 1

    body = client.get("/case").get_data(as_text=True)
    assert "We read your report. Are you safe now?" in body and "From the team" in body
    assert "Being reviewed" in body  # a staff member acted on it

    assert answer(client, "Yes, thank you. He came back yesterday.",
                  photo=(jpeg(), "street.jpg")).status_code == 303
    body = client.get("/case").get_data(as_text=True)
    assert "Your answer was received" in body and "He came back yesterday." in body
    with app.app_context():
        mine = Message.query.filter_by(direction="in").one()
        assert (mine.channel, mine.report_id, mine.unread) == ("web", report_id, True)
        assert mine.data["kind"] == "answer"
        [photo] = Attachment.query.filter_by(message_id=mine.id).all()
        assert photo.kind == "photo" and photo.report_id == report_id

    # The staff see the unread answer: a badge in the navigation and a list.
    nav = moderator.get("/admin/reports").get_data(as_text=True)
    assert re.search(r'Answers <span class="badge"[^>]*>1</span>', nav)
    listed = moderator.get("/admin/answers").get_data(as_text=True)
    assert "He came back yesterday." in listed and f"/admin/reports/{report_id}" in listed
    report_page = moderator.get(f"/admin/reports/{report_id}").get_data(as_text=True)
    assert "Her answer" in report_page and "unread" in report_page
    with app.app_context():
        assert Message.query.filter_by(direction="in").one().unread is False  # she handled it
    assert 'class="badge"' not in moderator.get("/admin/answers").get_data(as_text=True)

    # A moderator closes the conversation: she still reads it, cannot answer.
    post(moderator, f"/admin/reports/{report_id}/conversation", {"action": "close"},
         f"/admin/reports/{report_id}")
    body = client.get("/case").get_data(as_text=True)
    assert "Closed" in body and 'action="/case/reply"' not in body
    refused = answer(client, "One more thing")
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "This conversation is closed" in text and "One more thing" in text
    with app.app_context():
        assert Message.query.filter_by(direction="in").count() == 1
        assert AuditLog.query.filter_by(action="conversation.closed").count() == 1

    left = client.post("/case/leave", data={})
    assert left.status_code == 200 and "You left your case" in left.get_data(as_text=True)
    assert "We read your report" not in client.get("/case").get_data(as_text=True)


def test_a_lawyer_reads_answers_on_her_own_cases_and_the_status_says_so(app, client, staff):
    report_id, code = file_report(app, client)
    with app.app_context():
        db.session.get(Report, report_id).assigned_lawyer_id = staff["lawyer"]
        db.session.commit()
    open_case(client, code)
    assert "A lawyer is working on it" in client.get("/case").get_data(as_text=True)
    assert answer(client, "I can talk on Tuesday.").status_code == 303

    lawyer, moderator = client_as(app, "lawyer"), client_as(app, "moderator")
    assert "I can talk on Tuesday." not in moderator.get("/admin/answers").get_data(as_text=True)
    moderator.get(f"/admin/reports/{report_id}")  # not hers to handle: stays unread
    assert "I can talk on Tuesday." in lawyer.get("/admin/answers").get_data(as_text=True)
    lawyer.get(f"/admin/reports/{report_id}")
    with app.app_context():
        assert Message.query.filter_by(direction="in").one().unread is False

    from core import legal
    from core.models import User

    with app.app_context():  # the lawyer closes her legal case: /case says so
        report, user = db.session.get(Report, report_id), db.session.get(User, staff["lawyer"])
        legal.ensure_case(report, announce=False)
        legal.update(report, user, "closed", "advice", None, None)
        db.session.commit()
    assert "<dd id=\"case-status\">Closed</dd>" in client.get("/case").get_data(as_text=True)


def test_the_case_closes_by_itself_after_the_configured_time(make_app, monkeypatch):
    import time

    app = make_app(SESIM_CASE_MINUTES=1)
    client = app.test_client()
    _report_id, code = file_report(app, client)
    open_case(client, code)
    assert "<h1>Your case</h1>" in client.get("/case").get_data(as_text=True)
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    page = client.get("/case").get_data(as_text=True)
    assert "Enter your case code again" in page and "<h1>Your case</h1>" not in page
    kept = answer(client, "Words she typed before the time ran out")
    assert kept.status_code == 400
    assert "Words she typed before the time ran out" in kept.get_data(as_text=True)


BAD_ANSWERS = [
    ("", {}, "Write your answer before sending it."),
    ("x" * 20_000, {}, "Your answer is too long"),
    ("See the photo", {"photo": (b"%PDF-1.4 not a picture", "scan.jpg")},
     "This file is not a picture we can read"),
]


@pytest.mark.parametrize("text,files,reason", BAD_ANSWERS, ids=["empty", "long", "not-an-image"])
def test_bad_answers_are_refused_calmly_and_her_text_is_kept(app, client, text, files, reason):
    _report_id, code = file_report(app, client)
    open_case(client, code)
    response = answer(client, text, **files)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert reason in body and text[:200] in body
    with app.app_context():
        assert Message.query.count() == 0 and Attachment.query.count() == 0


def test_a_stale_form_keeps_her_answer(app, client):
    _report_id, code = file_report(app, client)
    open_case(client, code)
    response = client.post("/case/reply", data={"text": "My words", "csrf_token": "stale"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "This form expired" in body and "My words" in body


def test_an_answer_without_an_open_case_is_kept_on_the_code_form(client):
    client.get("/case?lang=en")
    response = client.post("/case/reply", data={"text": "Where did my case go?"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Enter your case code first" in body and "Where did my case go?" in body


@pytest.mark.parametrize("lang,wrong,expired", [
    ("az", "Bu kod üzrə heç nə tapılmadı", "Təhlükəsizliyiniz üçün müraciətiniz"),
    ("ru", "По этому коду ничего не найдено", "Ради вашей безопасности обращение"),
])
def test_refusals_are_translated(make_app, monkeypatch, lang, wrong, expired):
    import time

    app = make_app(SESIM_CASE_MINUTES=1)
    client = app.test_client()
    _report_id, code = file_report(app, client)
    client.get(f"/case?lang={lang}")
    assert wrong in post_form(client, "/case", {"code": "1111-2222-3333"}).get_data(as_text=True)
    post_form(client, "/case", {"code": code})
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    assert expired in client.get("/case").get_data(as_text=True)


CSRF_VALUE = re.compile(r'name="csrf_token"[^>]*value="[^"]+"|value="[^"]+"[^>]*name="csrf_token"')


def test_wrong_codes_say_the_same_and_are_rate_limited(make_app):
    app = make_app(SESIM_RATELIMIT_CASE="3 per hour")
    client = app.test_client()
    answers = [post_form(client, "/case", {"code": code}) for code in
               ("1111-2222-3333", "1234", "abcd-efgh-ijkl")]
    assert [r.status_code for r in answers] == [404, 404, 404]
    # No hint what was wrong (the CSRF token carries a timestamp: a slow second may change it).
    assert len({CSRF_VALUE.sub("", r.get_data(as_text=True)) for r in answers}) == 1
    assert post_form(client, "/case", {"code": "1111-2222-3333"}).status_code == 429


def test_staff_reply_errors_and_a_withdrawn_report_gets_nothing(app, client, staff):
    report_id, _code = file_report(app, client)
    moderator = client_as(app, "moderator")
    page = f"/admin/reports/{report_id}"
    assert post(moderator, f"{page}/reply", {"text": ""}, page).status_code == 400
    assert post(moderator, f"{page}/reply", {"text": "x" * 1601}, page).status_code == 400
    with app.app_context():
        db.session.get(Report, report_id).status = "withdrawn"
        db.session.commit()
    refused = post(moderator, f"{page}/reply", {"text": "Hello"}, page)
    assert refused.status_code == 400 and "She withdrew this report" in refused.get_data(as_text=True)
    with app.app_context():
        assert Message.query.count() == 0
