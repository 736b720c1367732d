"""Lawyers' casework: the legal-help queue, taking and assigning cases, state/outcome/dates,
refusals on another lawyer's case and stale forms, e-mail notifications and legal-aid statistics."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest

from tests.conftest import post_form
from tests.mail_servers import smtp, smtp_server  # noqa: F401  (fixtures)
from tests.test_admin_support import audit_entries, client_as, make_staff, make_user, post

STORY = "He waited at the bus stop in Xaçmaz every morning. Call me on +994501112233."
CONTACT = "leyla.secret@example.net"


@pytest.fixture
def app_config():
    return {"SESIM_LEGAL_HELP": True, "SESIM_PUBLIC_URL": "https://sesim.test"}


@pytest.fixture
def staff(app):
    ids = make_staff(app)
    ids["lawyer2"] = make_user(app, "lawyer2@sesim.test", "lawyer")
    return ids


def legal_report(app, title="Needs a lawyer", region="khachmaz", created=None, **fields) -> int:
    """A report asking for legal help, created as every channel creates one (hook included)."""
    from core.extensions import db
    from core.models import Category, Report
    from core.plugins import call_hook

    with app.app_context():
        report = Report(title=title, story=STORY, contact=CONTACT, occurred_at=datetime(2026, 3, 1),
                        wants_legal_help=True, region_id=region, place_id=region,
                        created_at=created or datetime.now(),
                        categories=Category.query.filter_by(slug="sextortion").all(), **fields)
        db.session.add(report)
        db.session.commit()
        call_hook("sesim_report_created", report=report)
        return report.id


def legal_case(app, report_id):
    from core.extensions import db
    from core.models import Report

    with app.app_context():
        case = db.session.get(Report, report_id).legal_case
        if case is None:
            return None
        return {c.name: getattr(case, c.name) for c in case.__table__.columns} | {
            "lawyer_id": db.session.get(Report, report_id).assigned_lawyer_id}


def take(client, report_id):
    return post(client, f"/admin/reports/{report_id}/take", {}, "/admin/legal?view=requests")


def save_case(client, report_id, **fields):
    url = f"/admin/reports/{report_id}"
    return post(client, f"{url}/legal", fields, url)


def test_a_request_waits_in_the_queue_until_a_lawyer_takes_it(app, staff):
    report_id = legal_report(app)
    assert legal_case(app, report_id)["state"] == "requested"
    lawyer = client_as(app, "lawyer")
    queue = lawyer.get("/admin/legal?view=requests").get_data(as_text=True)
    assert "Needs a lawyer" in queue and "Take this case" in queue
    assert "Needs a lawyer" not in lawyer.get("/admin/legal?view=mine").get_data(as_text=True)

    response = take(lawyer, report_id)
    assert response.status_code == 302 and response.location.endswith(f"/admin/reports/{report_id}#legal")
    case = legal_case(app, report_id)
    assert case["state"] == "taken" and case["lawyer_id"] == staff["lawyer"] and case["taken_at"]
    assert "Needs a lawyer" in lawyer.get("/admin/legal?view=mine").get_data(as_text=True)
    assert "Needs a lawyer" not in lawyer.get("/admin/legal?view=requests").get_data(as_text=True)
    action, target, target_id, before, after, _note, user = audit_entries(app)[-1]
    assert (action, target_id, user) == ("legal.taken", report_id, staff["lawyer"])
    assert before["state"] == "requested" and after == {"state": "taken", "lawyer_id": staff["lawyer"]}
    # Taking it again is harmless.
    assert take(lawyer, report_id).status_code == 302


def test_a_second_lawyer_gets_a_clear_refusal_not_the_case(app, staff):
    report_id = legal_report(app)
    first, second = client_as(app, "lawyer"), app.test_client()
    from tests.test_admin_support import login

    login(second, "lawyer2@sesim.test")
    second.get("/admin/account?lang=en")
    token_page = second.get("/admin/legal?view=requests")  # her queue still shows it: a stale page
    assert "Needs a lawyer" in token_page.get_data(as_text=True)
    assert take(first, report_id).status_code == 302
    response = take(second, report_id)
    assert response.status_code == 403
    assert "Another lawyer already took this case" in response.get_data(as_text=True)
    assert legal_case(app, report_id)["lawyer_id"] == staff["lawyer"]
    action, _t, target_id, *_rest, user = audit_entries(app)[-1]
    assert (action, target_id, user) == ("refused.legal_case", report_id, staff["lawyer2"])
    # Nor may she change its state.
    response = post(second, f"/admin/reports/{report_id}/legal", {"state": "closed", "outcome": "advice"},
                    "/admin/legal")
    assert response.status_code == 403 and "belongs to another lawyer" in response.get_data(as_text=True)
    assert legal_case(app, report_id)["state"] == "taken"
    assert audit_entries(app)[-1][0] == "refused.legal_case"


def test_the_refusal_is_in_her_language(app, staff):
    report_id = legal_report(app)
    take(client_as(app, "lawyer"), report_id)
    from tests.test_admin_support import login

    second = app.test_client()
    login(second, "lawyer2@sesim.test")
    second.get("/admin/account?lang=az")
    response = take(second, report_id)
    assert response.status_code == 403 and "Başqa hüquqşünas" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/admin/reports/99999999999/take", "/admin/reports/2147483647/take",
                                 "/admin/reports/0/take"])
def test_out_of_range_ids_are_a_404(app, staff, url):
    lawyer = client_as(app, "lawyer")
    response = post(lawyer, url, {}, "/admin/legal")
    assert response.status_code == 404


def test_only_lawyers_take_cases_and_reports_without_a_request_cannot_be_taken(app, staff):
    from core.extensions import db
    from core.models import Report

    report_id = legal_report(app)
    assert take(client_as(app, "moderator"), report_id).status_code == 403
    with app.app_context():
        plain = Report(title="No request", story="x", occurred_at=datetime(2026, 1, 1))
        db.session.add(plain)
        db.session.commit()
        plain_id = plain.id
    assert take(client_as(app, "lawyer"), plain_id).status_code == 403
    assert legal_case(app, plain_id) is None


def test_admin_assigns_and_reassigns_and_the_lawyer_is_told(app, staff, smtp):  # noqa: F811
    app.config.update(SESIM_MAIL_SMTP_HOST="127.0.0.1", SESIM_MAIL_SMTP_PORT=smtp.port,
                      SESIM_MAIL_SMTP_TLS="off", SESIM_MAIL_FROM="staff@sesim.test")
    report_id = legal_report(app)
    admin = client_as(app, "admin")
    url = f"/admin/reports/{report_id}"
    assert post(admin, f"{url}/assign", {"lawyer_id": staff["lawyer2"]}, url).status_code == 302
    assert legal_case(app, report_id)["lawyer_id"] == staff["lawyer2"]
    assert post(admin, f"{url}/assign", {"lawyer_id": staff["lawyer"]}, url).status_code == 302
    case = legal_case(app, report_id)
    assert case["lawyer_id"] == staff["lawyer"] and case["state"] == "taken"
    assigned = [e for e in audit_entries(app) if e[0] == "report.lawyer_assigned"]
    assert [e[3]["lawyer_id"] for e in assigned] == [None, staff["lawyer2"]]
    # Unassigning puts the request back in the queue.
    assert post(admin, f"{url}/assign", {"lawyer_id": ""}, url).status_code == 302
    assert legal_case(app, report_id)["state"] == "requested"
    with app.app_context():
        from core.models import StaffNotification

        kinds = sorted((n.kind, n.user_id) for n in StaffNotification.query)
    assert ("case_assigned", staff["lawyer"]) in kinds and ("case_assigned", staff["lawyer2"]) in kinds


@pytest.mark.parametrize(("fields", "status", "says"), [
    ({"state": "closed", "outcome": ""}, 400, "A closed case needs an outcome"),
    ({"state": "closed", "outcome": "bribe"}, 400, "Choose one of the listed states and outcomes"),
    ({"state": "archived"}, 400, "Choose one of the listed states and outcomes"),
    ({"state": "in_progress", "outcome": "advice"}, 400, "only when the case is closed"),
    ({"state": "in_progress", "follow_up_on": "2026-02-30"}, 400, "not a real date"),
    ({"state": "in_progress", "follow_up_on": "next week"}, 400, "not a real date"),
    ({"state": "in_progress", "follow_up_on": "1900-01-01"}, 400, "not a real date"),
    ({"state": "in_progress", "version": "1"}, 409, "Someone changed this case"),
])
def test_bad_case_input_is_explained_and_nothing_changes(app, staff, fields, status, says):
    report_id = legal_report(app)
    lawyer = client_as(app, "lawyer")
    take(lawyer, report_id)
    before = legal_case(app, report_id)
    fields = {"version": str(before["version"]), **fields}
    response = save_case(lawyer, report_id, **fields)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert says in page
    after = legal_case(app, report_id)
    assert (after["state"], after["outcome"], after["follow_up_on"], after["version"]) == (
        before["state"], before["outcome"], before["follow_up_on"], before["version"])
    if "follow_up_on" in fields:  # what she typed is shown back
        assert f'value="{fields["follow_up_on"]}"' in page


def test_a_lawyer_records_progress_and_closes_with_an_outcome(app, staff):
    report_id = legal_report(app)
    lawyer = client_as(app, "lawyer")
    take(lawyer, report_id)
    version = legal_case(app, report_id)["version"]
    response = save_case(lawyer, report_id, state="referred", follow_up_on="2026-12-20",
                         version=str(version))
    assert response.status_code == 302
    case = legal_case(app, report_id)
    assert case["state"] == "referred" and case["follow_up_on"] == date(2026, 12, 20)
    response = save_case(lawyer, report_id, state="closed", outcome="referred_shelter",
                         version=str(case["version"]))
    assert response.status_code == 302
    case = legal_case(app, report_id)
    assert case["state"] == "closed" and case["outcome"] == "referred_shelter" and case["closed_at"]
    updates = [e for e in audit_entries(app) if e[0] == "legal.updated"]
    # The form sent no follow-up date: closing cleared it.
    assert updates[-1][4] == {"state": "closed", "outcome": "referred_shelter", "follow_up_on": None}
    assert updates[0][4] == {"state": "referred", "follow_up_on": "2026-12-20"}
    page = lawyer.get(f"/admin/reports/{report_id}").get_data(as_text=True)
    assert "referred to a shelter" in page
    # Reopening clears the outcome and the closing date.
    save_case(lawyer, report_id, state="in_progress", version=str(case["version"]))
    case = legal_case(app, report_id)
    assert case["state"] == "in_progress" and case["outcome"] is None and case["closed_at"] is None


def test_an_untaken_case_cannot_be_changed_by_a_lawyer(app, staff):
    report_id = legal_report(app)
    lawyer = client_as(app, "lawyer")
    response = post(lawyer, f"/admin/reports/{report_id}/legal", {"state": "closed", "outcome": "advice"},
                    f"/admin/reports/{report_id}")
    assert response.status_code == 403 and "Take this case before" in response.get_data(as_text=True)
    assert legal_case(app, report_id)["state"] == "requested"


def test_the_first_staff_reply_is_the_first_answer(app, staff):
    from core.extensions import db
    from core.intake import Inbound, receive
    from core.models import Report

    report_id = legal_report(app)
    with app.app_context():
        message, _ = receive(Inbound(channel="sms", external_id="first", text="help", sender="+99450"))
        message.report_id = report_id
        db.session.commit()
    lawyer = client_as(app, "lawyer")
    take(lawyer, report_id)
    url = f"/admin/reports/{report_id}"
    assert post(lawyer, f"{url}/reply", {"text": "We can help."}, url).status_code == 302
    case = legal_case(app, report_id)
    assert case["first_answer_at"] is not None and case["state"] == "in_progress"
    first = case["first_answer_at"]
    post(lawyer, f"{url}/reply", {"text": "Again."}, url)
    assert legal_case(app, report_id)["first_answer_at"] == first
    with app.app_context():
        assert db.session.get(Report, report_id).legal_case.state == "in_progress"


def test_a_moderator_edit_that_asks_for_legal_help_opens_a_case(app, staff):
    from core.extensions import db
    from core.models import Report

    with app.app_context():
        report = Report(title="Later request", story="x", occurred_at=datetime(2026, 1, 1))
        db.session.add(report)
        db.session.commit()
        report_id = report.id
    moderator = client_as(app, "moderator")
    url = f"/admin/reports/{report_id}"
    response = post(moderator, f"{url}/edit", {"title": "Later request", "story": "x",
                                                "occurred_on": "2026-01-01", "language": "az",
                                                "wants_legal_help": "y"}, url)
    assert response.status_code == 302
    assert legal_case(app, report_id)["state"] == "requested"


def test_without_legal_help_no_case_opens_by_itself(make_app):
    app = make_app(SESIM_LEGAL_HELP=False)
    make_staff(app)
    report_id = legal_report(app)
    assert legal_case(app, report_id) is None
    page = client_as(app, "admin").get("/admin/legal").get_data(as_text=True)
    assert "does not offer legal help" in page


# ---- notifications -------------------------------------------------------------------------

def mail_settings(smtp):  # noqa: F811
    return {"SESIM_MAIL_SMTP_HOST": "127.0.0.1", "SESIM_MAIL_SMTP_PORT": smtp.port,
            "SESIM_MAIL_SMTP_TLS": "off", "SESIM_MAIL_FROM": "staff@sesim.test"}


def test_lawyers_are_told_by_email_and_the_email_says_nothing_about_her(make_app, smtp):  # noqa: F811
    from core import notify
    from core.extensions import db
    from core.intake import Inbound, receive
    from core.models import StaffNotification, User

    app = make_app(SESIM_LEGAL_HELP=True, SESIM_PUBLIC_URL="https://sesim.test", **mail_settings(smtp))
    ids = make_staff(app)
    quiet = make_user(app, "quiet@sesim.test", "lawyer", notify_by_email=False)
    report_id = legal_report(app)
    with app.app_context():
        notify.run()
    received = smtp.wait(1)
    assert [rcpt for _from, rcpt, _mail in received] == [["lawyer@sesim.test"]]
    _from, _to, mail = received[0]
    body = mail.get_content()
    assert mail["From"] == "staff@sesim.test" and mail["Auto-Submitted"] == "auto-generated"
    assert "https://sesim.test/admin/legal" in body
    for secret in ("Xaçmaz", "Xacmaz", "khachmaz", "bus stop", "+994501112233", CONTACT, "Needs a lawyer"):
        assert secret not in body and secret not in str(mail["Subject"])
    with app.app_context():
        assert StaffNotification.query.filter_by(user_id=quiet).count() == 0
        assert StaffNotification.query.filter_by(status="sent").count() == 1

    # The lawyer takes it; her answer (by any channel) tells the lawyer, once.
    take(client_as(app, "lawyer"), report_id)
    smtp.received.clear()
    with app.app_context():
        message, _ = receive(Inbound(channel="sms", external_id="answer-1", text="Yes, call me",
                                     sender="+994501112233"))
        message.report_id = report_id
        db.session.commit()
        notify.run()
        notify.run()
    [(_f, rcpt, mail)] = smtp.wait(1)
    assert rcpt == ["lawyer@sesim.test"]
    assert f"https://sesim.test/admin/reports/{report_id}" in mail.get_content()
    assert "call me" not in mail.get_content()
    # Turned off on the account page: no more e-mails.
    lawyer = client_as(app, "lawyer")
    assert post(lawyer, "/admin/account/notifications", {}, "/admin/account").status_code == 302
    with app.app_context():
        assert db.session.get(User, ids["lawyer"]).notify_by_email is False
    assert audit_entries(app)[-1][0] == "user.notifications"


def test_a_mail_server_that_refuses_keeps_the_notification_for_a_retry(make_app, smtp):  # noqa: F811
    from core import notify
    from core.models import StaffNotification

    app = make_app(SESIM_LEGAL_HELP=True, **mail_settings(smtp))
    make_staff(app)
    legal_report(app)
    smtp.refuse = True
    with app.app_context():
        assert notify.send_queued() == (0, 1)
        note = StaffNotification.query.one()
        assert note.status == "failed" and "lawyer@sesim.test" not in note.error
    smtp.refuse = False
    with app.app_context():
        assert notify.send_queued() == (1, 0)
    assert len(smtp.wait(1)) == 1


def test_the_worker_sends_staff_mail(make_app, smtp):  # noqa: F811
    app = make_app(SESIM_LEGAL_HELP=True, **mail_settings(smtp))
    make_staff(app)
    legal_report(app)
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0 and "running staff-mail" in result.output
    assert len(smtp.wait(1)) == 1


def test_no_mail_server_means_no_outbox(app, staff):
    from core.models import StaffNotification

    legal_report(app)
    with app.app_context():
        assert StaffNotification.query.count() == 0


# ---- statistics ----------------------------------------------------------------------------

def test_legal_aid_statistics_count_requests_answers_and_outcomes(app, staff):
    from core.extensions import db
    from core.models import Report

    jan = datetime(2026, 1, 10, 9, 0)
    closed = legal_report(app, "Closed one", created=jan)
    answered = legal_report(app, "Answered", region="masalli", created=datetime(2026, 2, 3, 9, 0))
    legal_report(app, "Waiting", created=datetime(2026, 2, 5, 9, 0))
    with app.app_context():
        for report_id, hours in ((closed, 4), (answered, 10)):
            report = db.session.get(Report, report_id)
            report.assigned_lawyer_id = staff["lawyer"]
            report.legal_case.state = "in_progress"
            report.legal_case.taken_at = report.legal_case.requested_at
            report.legal_case.first_answer_at = report.legal_case.requested_at + timedelta(hours=hours)
        case = db.session.get(Report, closed).legal_case
        case.state, case.outcome, case.closed_at = "closed", "complaint_filed", jan + timedelta(days=3)
        db.session.commit()
    lawyer = client_as(app, "lawyer")
    page = lawyer.get("/admin/legal/stats").get_data(as_text=True)
    assert "complaint filed" in page and "Masallı" in page or "Masalli" in page
    response = lawyer.get("/admin/legal/stats.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    total = next(r for r in rows if r["table"] == "total")
    assert (total["requests"], total["taken"], total["closed"]) == ("3", "2", "1")
    assert total["median_hours_to_first_answer"] == "7.0" and total["outcome_complaint_filed"] == "1"
    months = {r["key"]: r["requests"] for r in rows if r["table"] == "month"}
    assert months == {"2026-01": "1", "2026-02": "2"}
    regions = {r["key"]: r["requests"] for r in rows if r["table"] == "region"}
    assert regions == {"khachmaz": "2", "masalli": "1"}
    categories = {r["key"]: r["requests"] for r in rows if r["table"] == "category"}
    assert categories == {"sextortion": "3"}
    # A period narrows it; a bad date is explained.
    feb = lawyer.get("/admin/legal/stats.csv?since=2026-02-01&until=2026-02-28").get_data(as_text=True)
    total = next(r for r in csv.DictReader(io.StringIO(feb)) if r["table"] == "total")
    assert total["requests"] == "2"
    bad = lawyer.get("/admin/legal/stats?since=2026-13-01")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.get_data(as_text=True)
    assert lawyer.get("/admin/legal/stats?since=2026-03-01&until=2026-01-01").status_code == 400
    assert lawyer.get("/admin/legal/stats.csv?until=x").status_code == 400


def test_the_statistics_page_prints_without_the_menus(app, staff):
    page = client_as(app, "admin").get("/admin/legal/stats").get_data(as_text=True)
    assert '<style media="print">' in page and "header.site" in page


def test_anonymous_visitors_never_see_the_legal_pages(app, staff):
    client = app.test_client()
    for url in ("/admin/legal", "/admin/legal/stats", "/admin/legal/stats.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login" in response.location


def test_a_web_report_with_legal_help_reaches_the_queue(app, staff):
    from core.models import Category

    with app.app_context():
        category = Category.query.filter_by(slug="sextortion").one().id
    client = app.test_client()
    response = post_form(client, "/report", {
        "title": "An official asked for a favour", "story": "He said I must meet him.",
        "occurred_on": (date.today() - timedelta(days=1)).isoformat(), "place": "khachmaz",
        "categories": [str(category)], "wants_legal_help": "y"})
    assert response.status_code == 303
    queue = client_as(app, "lawyer").get("/admin/legal?view=requests").get_data(as_text=True)
    assert "An official asked for a favour" in queue


# ---- the whole loop ------------------------------------------------------------------------

def test_the_whole_loop_from_her_request_to_the_statistics(app, staff, smtp):  # noqa: F811
    """Web report with legal help → lawyer takes it → writes → she reads and answers on /case →
    the lawyer is told, reads it, closes with an outcome → counted in the legal-aid statistics."""
    from core import notify
    from core.models import Message
    from tests.test_case_followup import answer, file_report, open_case

    app.config.update(mail_settings(smtp))
    her = app.test_client()
    report_id, code = file_report(app, her, wants_legal_help="y", place="khachmaz")
    assert legal_case(app, report_id)["state"] == "requested"

    lawyer = client_as(app, "lawyer")
    assert "Followed from the metro" in lawyer.get("/admin/legal?view=requests").get_data(as_text=True)
    assert take(lawyer, report_id).status_code == 302
    url = f"/admin/reports/{report_id}"
    sent = post(lawyer, f"{url}/reply", {"text": "I am a lawyer. Can we talk on Monday?"}, url)
    assert sent.status_code == 302
    case = legal_case(app, report_id)
    assert case["state"] == "in_progress" and case["first_answer_at"] is not None

    assert open_case(her, code).status_code == 303
    page = her.get("/case").get_data(as_text=True)
    assert "I am a lawyer. Can we talk on Monday?" in page and "A lawyer is working on it" in page
    assert answer(her, "Yes, Monday after 10 is fine.").status_code in (200, 303)
    with app.app_context():
        mine = Message.query.filter_by(report_id=report_id, direction="in") \
            .order_by(Message.id.desc()).first()
        assert mine.text == "Yes, Monday after 10 is fine."
        smtp.received.clear()
        notify.run()
    mails = smtp.wait(2)
    told = [m for _f, rcpt, m in mails if rcpt == ["lawyer@sesim.test"] and url in m.get_content()]
    assert told and "Monday" not in told[0].get_content()
    assert "Yes, Monday after 10 is fine." in lawyer.get(url).get_data(as_text=True)

    version = legal_case(app, report_id)["version"]
    closed = save_case(lawyer, report_id, state="closed", outcome="advice", version=str(version))
    assert closed.status_code == 302
    rows = list(csv.DictReader(io.StringIO(lawyer.get("/admin/legal/stats.csv").get_data(as_text=True))))
    total = next(r for r in rows if r["table"] == "total")
    counted = (total["requests"], total["taken"], total["closed"], total["outcome_advice"])
    assert counted == ("1", "1", "1", "1")
    assert total["median_hours_to_first_answer"] != ""
    assert next(r for r in rows if r["table"] == "region")["key"] == "khachmaz"


def test_withdrawal_closes_her_legal_case(app, staff):
    from tests.conftest import csrf_token
    from tests.test_case_followup import file_report, open_case

    her = app.test_client()
    report_id, code = file_report(app, her, wants_legal_help="y")
    take(client_as(app, "lawyer"), report_id)
    open_case(her, code)
    token = csrf_token(her, "/case")
    her.post("/case/withdraw", data={"csrf_token": token, "confirm": "yes"})
    case = legal_case(app, report_id)
    assert (case["state"], case["outcome"]) == ("closed", "withdrew") and case["closed_at"]


@pytest.mark.parametrize(("method", "path", "data"), [
    ("get", "", None),
    ("post", "/reply", {"text": "Hello from the wrong lawyer"}),
    ("post", "/note", {"body": "A note on someone else's case"}),
    ("post", "/contact", {"reason": "I want to call her"}),
])
def test_another_lawyers_case_is_refused_in_plain_words(app, staff, method, path, data):
    from core.models import Message, ReportNote
    from tests.test_admin_support import login

    report_id = legal_report(app)
    take(client_as(app, "lawyer"), report_id)
    second = app.test_client()
    login(second, "lawyer2@sesim.test")
    second.get("/admin/account?lang=en")
    url = f"/admin/reports/{report_id}"
    response = second.get(url) if method == "get" else post(second, url + path, data, "/admin/legal")
    text = response.get_data(as_text=True)
    assert response.status_code == 403 and "belongs to another lawyer" in text
    assert CONTACT not in text and STORY[:20] not in text
    action, _t, target_id, *_rest, user = audit_entries(app)[-1]
    assert (action, target_id, user) == ("refused.legal_case", report_id, staff["lawyer2"])
    with app.app_context():
        assert Message.query.filter_by(direction="out").count() == 0
        assert ReportNote.query.count() == 0


def test_doctor_warns_when_lawyers_would_get_no_email(make_app, smtp):  # noqa: F811
    settings = {"SESIM_PUBLIC_URL": "https://sesim.example.org", "SESSION_COOKIE_SECURE": True,
                "SESIM_LEGAL_HELP": True}
    result = make_app(**settings).test_cli_runner().invoke(args=["doctor"])
    assert "SESIM_MAIL_SMTP_HOST is not set" in result.output
    result = make_app(**{**settings, **mail_settings(smtp), "SESIM_MAIL_SMTP_TLS": "maybe"}) \
        .test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1 and "SESIM_MAIL_SMTP_TLS must be" in result.output
    result = make_app(**settings, **mail_settings(smtp)).test_cli_runner().invoke(args=["doctor"])
    assert "SESIM_MAIL" not in result.output


def test_an_sms_reporter_gets_legal_help_through_the_gateway(make_app, smtp):  # noqa: F811
    """SMS → moderator makes a report asking for legal help → the lawyer takes it and writes (her
    phone gets it) → her SMS with the code lands on the case → the lawyer is told → closes it."""
    from core import notify
    from core.models import Message
    from tests.test_admin_flow import make_report, report_id_from
    from tests.test_case_sms import CODE, phone_fetches, sms

    app = make_app(SESIM_PLUGINS="sms", SESIM_SMS_GATEWAYS="smssync", SESIM_LEGAL_HELP=True,
                   SESIM_SMS_SMSSYNC_SECRET="smssync-secret-123", SESIM_SMS_AUTO_REPLY=True,
                   SESIM_PUBLIC_URL="https://sesim.test", **mail_settings(smtp))
    make_staff(app)
    client = app.test_client()
    sms(client, "Kənd icra nümayəndəsi sənəd üçün görüş istəyir", "m-1")
    [code_sms] = phone_fetches(client)
    code = CODE.search(code_sms["message"]).group(0)
    moderator = client_as(app, "moderator")
    with app.app_context():
        first = Message.query.filter_by(direction="in").one()
    report_id = report_id_from(make_report(moderator, app, [first.id], wants_legal_help="y"))
    assert legal_case(app, report_id)["state"] == "requested"

    lawyer = client_as(app, "lawyer")
    take(lawyer, report_id)
    url = f"/admin/reports/{report_id}"
    post(lawyer, f"{url}/reply", {"text": "Hüquqşünasam. Sabah zəng edə bilərəm?"}, url)
    [delivered] = phone_fetches(client)
    assert delivered["message"] == "Hüquqşünasam. Sabah zəng edə bilərəm?"
    assert legal_case(app, report_id)["first_answer_at"] is not None

    sms(client, f"{code} Bəli, saat 10-dan sonra", "m-2")
    smtp.received.clear()
    with app.app_context():
        notify.run()
    mails = [m.get_content() for _f, rcpt, m in smtp.wait(2) if rcpt == ["lawyer@sesim.test"]]
    assert any(url in body for body in mails)  # "she answered", with the link to her case
    assert not any("saat 10" in body or "icra" in body for body in mails)

    version = legal_case(app, report_id)["version"]
    save_case(lawyer, report_id, state="closed", outcome="referred_prosecutor", version=str(version))
    rows = list(csv.DictReader(io.StringIO(lawyer.get("/admin/legal/stats.csv").get_data(as_text=True))))
    total = next(r for r in rows if r["table"] == "total")
    assert (total["closed"], total["outcome_referred_prosecutor"]) == ("1", "1")
