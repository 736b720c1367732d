"""Moderation at scale: claims and assignments, bulk actions with bad input, refusals audited."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from tests.test_admin_flow import receive
from tests.test_admin_support import audit_actions, client_as, make_staff, make_user, post


@pytest.fixture
def staff(app):
    ids = make_staff(app)
    ids["moderator2"] = make_user(app, "second@sesim.test", "moderator")
    return ids


def second_moderator(app):
    from tests.test_admin_support import login

    client = app.test_client()
    assert login(client, "second@sesim.test").status_code == 302
    client.get("/admin/account?lang=en")
    return client


def make_reports(app, n=2):
    from core.extensions import db
    from core.models import Report

    with app.app_context():
        rows = [Report(title=f"Report {i}", story="He shouted at me.", occurred_at=datetime(2026, 2, 1))
                for i in range(n)]
        db.session.add_all(rows)
        db.session.commit()
        return [r.id for r in rows]


def holder_of(app, model, row_id):
    from core.extensions import db

    with app.app_context():
        row = db.session.get(model, row_id)
        return row.claim_holder()


def test_claim_is_shown_to_others_and_a_second_claim_is_told_who_holds_it(app, staff):
    from core.models import Message

    message_id = receive(app, "c-1", text="A man follows me every day.")
    first, second = client_as(app, "moderator"), second_moderator(app)
    response = post(first, f"/admin/messages/{message_id}/claim", {"action": "claim"},
                    f"/admin/messages/{message_id}")
    assert response.status_code == 302
    assert holder_of(app, Message, message_id) == staff["moderator"]

    inbox = second.get("/admin/messages").get_data(as_text=True)
    assert "claimed by moderator@sesim.test" in inbox
    response = post(second, f"/admin/messages/{message_id}/claim", {"action": "claim"},
                    f"/admin/messages/{message_id}", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "moderator@sesim.test holds it since" in page
    assert holder_of(app, Message, message_id) == staff["moderator"]
    assert "refused.messages_claim" in audit_actions(app)
    # She can release it; then the other one can take it.
    post(first, f"/admin/messages/{message_id}/claim", {"action": "release"}, f"/admin/messages/{message_id}")
    post(second, f"/admin/messages/{message_id}/claim", {"action": "claim"}, f"/admin/messages/{message_id}")
    assert holder_of(app, Message, message_id) == staff["moderator2"]
    assert audit_actions(app).count("claim.taken") == 2
    assert "claim.released" in audit_actions(app)


def test_a_claim_expires_after_the_configured_time(make_app):
    from core.extensions import db
    from core.models import Message

    app = make_app(SESIM_ADMIN_CLAIM_MINUTES=5)
    staff = make_staff(app)
    make_user(app, "second@sesim.test", "moderator")
    message_id = receive(app, "c-2")
    first, second = client_as(app, "moderator"), second_moderator(app)
    post(first, "/admin/messages/mark", {"action": f"claim:{message_id}"}, "/admin/messages")
    with app.app_context():
        message = db.session.get(Message, message_id)
        assert message.claim_expires_at - message.claimed_at == timedelta(minutes=5)
        message.claim_expires_at = datetime(2020, 1, 1)  # five minutes went by long ago
        db.session.commit()
    assert "claimed by" not in second.get("/admin/messages").get_data(as_text=True)
    post(second, "/admin/messages/mark", {"action": f"claim:{message_id}"}, "/admin/messages")
    assert holder_of(app, Message, message_id) != staff["moderator"]


def test_two_moderators_claiming_at_once_one_wins(app, staff):
    """Both read the message as free, then both try: the conditional UPDATE lets one through."""
    from core.admin.claims import ClaimError, claim
    from core.extensions import db
    from core.models import Message, User

    message_id = receive(app, "c-3")
    barrier = threading.Barrier(2)
    outcomes = {}

    def attempt(user_id):
        with app.test_request_context():
            user = db.session.get(User, user_id)
            message = db.session.get(Message, message_id)
            assert message.claim_holder() is None
            barrier.wait()
            try:
                claim(message, user)
                outcomes[user_id] = "won"
            except ClaimError as exc:
                outcomes[user_id] = str(exc)
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=attempt, args=(staff[k],)) for k in ("moderator", "moderator2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values()).count("won") == 1, outcomes
    loser = next(v for v in outcomes.values() if v != "won")
    winner = next(k for k, v in outcomes.items() if v == "won")
    email = "moderator@sesim.test" if winner == staff["moderator"] else "second@sesim.test"
    assert email in loser  # she is told who holds it (in her language)
    assert holder_of(app, Message, message_id) == winner


def test_claims_on_merged_or_deleted_messages_are_clear_audited_refusals(app, staff):
    from core.extensions import db
    from core.models import Message

    message_id = receive(app, "c-4")
    report_id = make_reports(app, 1)[0]
    with app.app_context():
        db.session.get(Message, message_id).report_id = report_id
        db.session.get(Message, message_id).status = "converted"
        db.session.commit()
    moderator = client_as(app, "moderator")
    response = post(moderator, f"/admin/messages/{message_id}/claim", {"action": "claim"},
                    "/admin/messages", follow_redirects=True)
    assert response.status_code == 200
    assert "already part of a report" in response.get_data(as_text=True)
    assert "refused.messages_claim" in audit_actions(app)

    response = post(moderator, "/admin/messages/999999/claim", {"action": "claim"}, "/admin/messages")
    assert response.status_code == 404
    assert "refused.message_claim" in audit_actions(app)
    response = post(moderator, "/admin/messages/mark", {"action": "claim:999999"}, "/admin/messages",
                    follow_redirects=True)
    assert response.status_code == 200
    assert "do not exist" in response.get_data(as_text=True)
    assert "refused.bulk_ids" in audit_actions(app)


def test_bulk_marks_leave_messages_held_by_others_alone(app, staff):
    from core.extensions import db
    from core.models import Message

    held, free = receive(app, "c-5"), receive(app, "c-6", sender="+994501110000")
    first, second = client_as(app, "moderator"), second_moderator(app)
    post(first, "/admin/messages/mark", {"action": "claim", "ids": [held]}, "/admin/messages")
    response = post(second, "/admin/messages/mark", {"action": "spam", "ids": [held, free]},
                    "/admin/messages", follow_redirects=True)
    assert "held by another moderator" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Message, held).status == "new"
        assert db.session.get(Message, free).status == "spam"


@pytest.mark.parametrize("ids", [[999999], "mixed"])
def test_bulk_actions_with_foreign_ids_change_nothing(app, staff, ids):
    from core.extensions import db
    from core.models import Message, Report

    message_id = receive(app, "c-7")
    report_id = make_reports(app, 1)[0]
    chosen = [message_id, 999999] if ids == "mixed" else ids
    moderator = client_as(app, "moderator")
    response = post(moderator, "/admin/messages/mark", {"action": "spam", "ids": chosen},
                    "/admin/messages", follow_redirects=True)
    assert "Nothing was changed" in response.get_data(as_text=True)
    response = post(moderator, "/admin/reports/bulk", {"action": "reject", "ids": [report_id, 999999]},
                    "/admin/reports", follow_redirects=True)
    assert "Nothing was changed" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Message, message_id).status == "new"
        assert db.session.get(Report, report_id).status == "pending"
    assert audit_actions(app).count("refused.bulk_ids") == 2


def test_lawyer_bulk_and_moderator_assign_are_refused(app, staff):
    from core.extensions import db
    from core.models import Report

    report_id = make_reports(app, 1)[0]
    lawyer = client_as(app, "lawyer")
    response = post(lawyer, "/admin/reports/bulk", {"action": "claim", "ids": [report_id]},
                    "/admin/account")
    assert response.status_code == 403
    moderator = client_as(app, "moderator")
    response = post(moderator, "/admin/reports/bulk",
                    {"action": "assign", "ids": [report_id], "assignee": staff["moderator"]},
                    "/admin/reports")
    assert response.status_code == 403
    assert audit_actions(app).count("refused.role") == 2
    with app.app_context():
        assert db.session.get(Report, report_id).claimed_by_id is None


def test_bulk_without_csrf_is_refused_and_audited(app, staff):
    message_id = receive(app, "c-8")
    moderator = client_as(app, "moderator")
    response = moderator.post("/admin/messages/mark", data={"action": "spam", "ids": [message_id]})
    assert response.status_code == 400
    assert "refused.csrf" in audit_actions(app)


def test_admin_assigns_reports_and_messages_and_moderators_categorise(app, staff):
    from core.extensions import db
    from core.models import Category, Message, Report

    report_ids = make_reports(app, 2)
    message_id = receive(app, "c-9")
    admin = client_as(app, "admin")
    response = post(admin, "/admin/reports/bulk",
                    {"action": "assign", "ids": report_ids, "assignee": staff["moderator2"]},
                    "/admin/reports", follow_redirects=True)
    assert "2 reports changed" in response.get_data(as_text=True)
    post(admin, "/admin/messages/mark",
         {"action": "assign", "ids": [message_id], "assignee": staff["moderator2"]}, "/admin/messages")
    with app.app_context():
        for rid in report_ids:
            report = db.session.get(Report, rid)
            assert report.claimed_by_id == staff["moderator2"] and report.claim_expires_at is None
        assert db.session.get(Message, message_id).claimed_by_id == staff["moderator2"]
        verbal = Category.query.filter_by(slug="verbal").one().id
    # An assignment does not expire, and others are told.
    moderator = client_as(app, "moderator")
    listing = moderator.get("/admin/reports?holder=others").get_data(as_text=True)
    assert "assigned to second@sesim.test" in listing
    response = post(moderator, "/admin/reports/bulk", {"action": "claim", "ids": report_ids},
                    "/admin/reports", follow_redirects=True)
    assert "second@sesim.test holds it since" in response.get_data(as_text=True)
    second = second_moderator(app)
    assert "Report 0" in second.get("/admin/reports?holder=me").get_data(as_text=True)
    response = post(second, "/admin/reports/bulk",
                    {"action": "categorise", "ids": report_ids, "category": verbal},
                    "/admin/reports", follow_redirects=True)
    assert "2 reports changed" in response.get_data(as_text=True)
    with app.app_context():
        assert all("verbal" in [c.slug for c in db.session.get(Report, r).categories] for r in report_ids)
    actions = audit_actions(app)
    assert actions.count("claim.assigned") == 3 and actions.count("report.categorised") == 2
    response = post(second, "/admin/reports/bulk",
                    {"action": "categorise", "ids": report_ids, "category": "nonsense"},
                    "/admin/reports", follow_redirects=True)
    assert "Choose a category" in response.get_data(as_text=True)


def test_report_claim_from_its_page(app, staff):
    from core.models import Report

    report_id = make_reports(app, 1)[0]
    first, second = client_as(app, "moderator"), second_moderator(app)
    post(first, f"/admin/reports/{report_id}/claim", {"action": "claim"}, f"/admin/reports/{report_id}")
    page = second.get(f"/admin/reports/{report_id}").get_data(as_text=True)
    assert "claimed by moderator@sesim.test" in page
    response = post(second, f"/admin/reports/{report_id}/claim", {"action": "claim"},
                    f"/admin/reports/{report_id}", follow_redirects=True)
    assert "holds it since" in response.get_data(as_text=True)
    assert holder_of(app, Report, report_id) == staff["moderator"]
    assert post(second, "/admin/reports/999999/claim", {}, "/admin/reports").status_code == 404


def test_a_withdrawn_message_or_report_cannot_be_claimed(app, staff):
    from core.extensions import db
    from core.models import Message, Report

    message_id = receive(app, "w-1")
    report_id = make_reports(app, 1)[0]
    with app.app_context():
        db.session.get(Message, message_id).status = "withdrawn"
        db.session.get(Report, report_id).status = "withdrawn"
        db.session.commit()
    moderator = client_as(app, "moderator")
    for url in (f"/admin/messages/{message_id}/claim", f"/admin/reports/{report_id}/claim"):
        response = post(moderator, url, {"action": "claim"}, "/admin/messages", follow_redirects=True)
        assert response.status_code == 200
        assert "She withdrew this" in response.get_data(as_text=True)
    assert holder_of(app, Message, message_id) is None and holder_of(app, Report, report_id) is None
    actions = audit_actions(app)
    assert "refused.messages_claim" in actions and "refused.reports_claim" in actions
    inbox = moderator.get("/admin/messages?status=withdrawn").get_data(as_text=True)
    assert "Withdrawn" in inbox
